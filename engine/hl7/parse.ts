import { type ByteDecoding, charsetFor, decodeBytes, NON_ASCII } from "./charset.js";
import { delimitersFrom, STANDARD_DELIMITERS } from "./delimiters.js";
import { type FieldSyntax, fieldSyntax, literalField, parseField } from "./fields.js";
import { lazySegment } from "./lazy-segment.js";
import { type ReadLimits, readLimits } from "./limits.js";
import { repeatedSegments } from "./structures.js";
import type {
  Hl7Delimiters,
  Hl7Document,
  Hl7EnvelopeSegment,
  Hl7Field,
  Hl7Message,
  Hl7Segment,
  ParseIssue,
  ParseIssueCode,
} from "./tree.js";
import { type ReadWork, unframe } from "./unframe.js";

/** Segments that carry their own delimiters in fields 1 and 2. */
const HEADER_SEGMENTS = new Set(["MSH", "FHS", "BHS"]);
const TRAILER_SEGMENTS = new Set(["BTS", "FTS"]);
const SEGMENT_NAME = /^(?:[A-Z][A-Z0-9]{2}|Z[A-Z0-9]{2,})$/;
const LINE_BREAK = /\r\n|\r|\n/;
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

export interface ParseOptions {
  /** Bounds on one message (engine/hl7/limits.ts); the defaults when absent. */
  readonly limits?: Partial<ReadLimits>;
  /** Counts the characters framing and line splitting go through (tests hold reading linear). */
  readonly work?: ReadWork;
}

/**
 * Parse HL7 v2 input into a frozen document. Never throws: problems become
 * located `issues`, and whatever is usable is still returned.
 *
 * Bytes are decoded per message, with the character set its MSH-18 names
 * (UTF-8 when absent); a string is taken as already decoded.
 */
export function parseHl7(input: Uint8Array | string, options: ParseOptions = {}): Hl7Document {
  const read: Reading = { limits: readLimits(options.limits), work: options.work };
  if (typeof input === "string") {
    const bom = input.charCodeAt(0) === 0xfeff;
    const framed = unframe(bom ? input.slice(1) : input, options.work);
    return parseText(framed.text, bom, framed.mllp, [], read);
  }
  const bom = UTF8_BOM.every((b, i) => input[i] === b);
  let bytes = bom ? input.subarray(3) : input;
  // Framing bytes and segment terminators are ASCII in every supported set, so
  // they are found in a latin1 view, where one character is one byte.
  let latin = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1");
  const framed = unframe(latin, options.work);
  if (framed.mllp) {
    latin = framed.text;
    bytes = Buffer.from(latin, "latin1");
  }
  // Pure ASCII reads the same in every supported set.
  if (!NON_ASCII.test(latin)) return parseText(latin, bom, framed.mllp, [], read);
  const decoded = decodeMessages(bytes, latin);
  return parseText(decoded.text, bom, framed.mllp, decoded.issues, read);
}

interface Reading {
  readonly limits: ReadLimits;
  readonly work: ReadWork | undefined;
}

/** The text of `raw` before the first of the `cuts` characters (a component of MSH-18). */
function firstComponent(raw: string, ...cuts: string[]): string {
  let end = raw.length;
  for (const cut of cuts) {
    const at = cut === "" ? -1 : raw.indexOf(cut);
    if (at >= 0 && at < end) end = at;
  }
  return raw.slice(0, end);
}

interface HeaderCharset {
  /** Offset of the MSH line in the byte input (= in its latin1 view). */
  readonly offset: number;
  readonly decoding: ByteDecoding;
  readonly name: string;
}

const HEADER_LINE = /(?:^|[\r\n])MSH(.)([^\r\n]*)/g;

/** Find each MSH and the character set it declares, reading the bytes as latin1. */
function headerCharsets(latin: string): HeaderCharset[] {
  const found: HeaderCharset[] = [];
  for (const m of latin.matchAll(HEADER_LINE)) {
    const rest = (m[2] as string).split(m[1] as string);
    const encoding = rest[0] ?? "";
    const msh18 = firstComponent(rest[16] ?? "", encoding.slice(0, 1), encoding.slice(1, 2));
    const { decoding, name } = charsetFor(msh18);
    found.push({ offset: m.index + (m[0].startsWith("MSH") ? 0 : 1), decoding, name });
  }
  return found;
}

/** Line numbers of increasing offsets, counted as `parseText` counts lines. */
function lineCounter(text: string): (offset: number) => number {
  let at = 0;
  let line = 1;
  return (offset) => {
    line += text.slice(at, offset).split(LINE_BREAK).length - 1;
    at = offset;
    return line;
  };
}

interface DecodedMessages {
  readonly text: string;
  readonly issues: ParseIssue[];
}

function decodeMessages(bytes: Uint8Array, latin: string): DecodedMessages {
  const headers = headerCharsets(latin);
  const lineAt = lineCounter(latin);
  const issues: ParseIssue[] = [];
  const chunks: string[] = [];
  const starts = [0, ...headers.map((h) => h.offset).filter((o) => o > 0)];
  const firstIsHeader = headers[0]?.offset === 0;
  for (let c = 0; c < starts.length; c++) {
    const from = starts[c] as number;
    const to = starts[c + 1] ?? bytes.length;
    // Text before the first MSH (a batch header) is read with the first message's set.
    const messageIndex = firstIsHeader ? c : c - 1;
    const header = headers[Math.max(0, messageIndex)];
    const decoded = decodeBytes(bytes.subarray(from, to), header?.decoding ?? "utf-8");
    const name = header?.name ?? "UTF-8";
    if (decoded.readAs) {
      issues.push(
        issue("INVALID_BYTES", "warning", messageIndex, -1, lineAt(from), {
          field: "MSH.18",
          message: `MSH-18 declares ${name} but the message holds non-ASCII bytes; they are valid UTF-8 and were read as UTF-8`,
        }),
      );
    }
    if (decoded.replaced) {
      issues.push(
        issue("INVALID_BYTES", "warning", messageIndex, -1, lineAt(from), {
          field: "MSH.18",
          message: `bytes that are not valid ${name} were replaced with U+FFFD`,
        }),
      );
    }
    chunks.push(decoded.text);
  }
  return { text: chunks.join(""), issues };
}

function issue(
  code: ParseIssueCode,
  severity: ParseIssue["severity"],
  messageIndex: number,
  segmentIndex: number,
  line: number,
  extra: { message: string; field?: string },
): ParseIssue {
  return Object.freeze({ code, severity, messageIndex, segmentIndex, line, ...extra });
}

interface MessageUnderConstruction {
  readonly index: number;
  readonly delimiters: Hl7Delimiters;
  readonly charset: string;
  readonly syntax: FieldSyntax;
  readonly segments: Hl7Segment[];
  /** Characters read into it so far, terminators included. */
  chars: number;
  /** It went over a read limit: its further lines are kept whole, not parsed. */
  overLimit: boolean;
}

interface OpenBatch {
  readonly kind: "FHS" | "BHS";
  readonly firstMessage: number;
}

/** `text` is decoded and free of BOM and MLLP framing. */
function parseText(
  text: string,
  bom: boolean,
  mllp: boolean,
  decodeIssues: ParseIssue[],
  read: Reading,
): Hl7Document {
  const lines = text.split(LINE_BREAK);
  if (read.work) read.work.chars += text.length;
  const finalTerminator = lines.length > 1 && lines[lines.length - 1] === "";
  if (finalTerminator || text === "") lines.pop();

  const messages: Hl7Message[] = [];
  const envelope: Hl7EnvelopeSegment[] = [];
  const issues: ParseIssue[] = [...decodeIssues];
  const batches: OpenBatch[] = [];
  let current: MessageUnderConstruction | null = null;
  let envelopeDelimiters: Hl7Delimiters = STANDARD_DELIMITERS;
  let envelopeSyntax = fieldSyntax(STANDARD_DELIMITERS, "utf-8");
  let outsideRun = false;

  const close = () => {
    if (current) {
      const message = freezeMessage(current);
      messages.push(message);
      issues.push(...repeatedSegments(message));
    }
    current = null;
  };
  const addEnvelope = (segment: Hl7Segment, delimiters: Hl7Delimiters) => {
    envelope.push(
      Object.freeze({ segment, delimiters, beforeMessage: messages.length + (current ? 1 : 0) }),
    );
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const lineNo = i + 1;
    const name = line.slice(0, 3);
    if (line.length >= 4 && HEADER_SEGMENTS.has(name)) {
      outsideRun = false;
      const header = parseHeader(line);
      if (name === "MSH") {
        close();
        const index = messages.length;
        const charset = charsetFor(headerComponent(header, 18));
        const syntax = fieldSyntax(header.delimiters, charset.decoding);
        current = {
          index,
          delimiters: header.delimiters,
          charset: charset.name,
          syntax,
          segments: [headerSegment(header, syntax, lineNo)],
          chars: line.length + 1,
          overLimit: false,
        };
        for (const problem of header.problems) {
          issues.push(issue("PARSE_ERROR", "error", index, 0, lineNo, problem));
        }
        if (!charset.known) {
          issues.push(
            issue("UNKNOWN_CHARSET", "warning", index, 0, lineNo, {
              field: "MSH.18",
              message: `character set '${printable(charset.name)}' (MSH-18) is not supported; decoded as UTF-8`,
            }),
          );
        }
        checkMessageHeader(current, lineNo, issues);
      } else {
        close();
        for (const problem of header.problems) {
          issues.push(issue("PARSE_ERROR", "error", -1, -1, lineNo, problem));
        }
        envelopeDelimiters = header.delimiters;
        envelopeSyntax = fieldSyntax(header.delimiters, "utf-8");
        addEnvelope(headerSegment(header, envelopeSyntax, lineNo), envelopeDelimiters);
        batches.push({ kind: name as "FHS" | "BHS", firstMessage: messages.length });
      }
      continue;
    }
    const delimiters: Hl7Delimiters = current ? current.delimiters : envelopeDelimiters;
    if (TRAILER_SEGMENTS.has(name) && (line.length === 3 || line[3] === delimiters.field)) {
      close();
      outsideRun = false;
      const segment = lazySegment(line, lineNo, fieldSyntax(delimiters, "utf-8"));
      addEnvelope(segment, delimiters);
      closeBatch(name === "BTS" ? "BHS" : "FHS", segment, batches, messages.length, issues);
      continue;
    }
    if (current) {
      current.chars += line.length + 1;
      if (current.overLimit || overLimit(current, read.limits, lineNo, issues)) {
        current.segments.push(wholeSegment(line, lineNo, current.delimiters));
        continue;
      }
      const segment = lazySegment(line, lineNo, current.syntax);
      if (segment.name !== "" && !SEGMENT_NAME.test(segment.name)) {
        issues.push(
          issue("INVALID_SEGMENT_NAME", "warning", current.index, current.segments.length, lineNo, {
            message: `line ${lineNo} does not start with a segment ID ('${printable(segment.name)}'); a line break inside a field? Kept as a segment`,
          }),
        );
      }
      current.segments.push(segment);
      continue;
    }
    addEnvelope(lazySegment(line, lineNo, envelopeSyntax), envelopeDelimiters);
    if (line.trim() !== "" && !outsideRun) {
      outsideRun = true;
      issues.push(
        issue("TEXT_OUTSIDE_MESSAGE", "error", -1, -1, lineNo, {
          message: `line ${lineNo} is outside any message (no MSH segment before it)`,
        }),
      );
    }
  }
  close();
  for (const open of batches) {
    issues.push(
      issue("BATCH_TRAILER_MISSING", "warning", -1, -1, lines.length, {
        message: `${open.kind} has no ${open.kind === "FHS" ? "FTS" : "BTS"} trailer; tolerated`,
      }),
    );
  }
  if (messages.length === 0) {
    issues.push(
      issue("PARSE_ERROR", "error", -1, -1, 1, {
        message:
          text.trim() === ""
            ? "the input is empty"
            : "no MSH segment found: this is not an HL7 v2 message",
      }),
    );
  }
  issues.sort((a, b) => a.line - b.line);
  return Object.freeze({
    messages: Object.freeze(messages),
    envelope: Object.freeze(envelope),
    issues: Object.freeze(issues),
    bom,
    mllp,
    finalTerminator,
  });
}

function freezeMessage(m: MessageUnderConstruction): Hl7Message {
  return Object.freeze({
    index: m.index,
    delimiters: m.delimiters,
    charset: m.charset,
    segments: Object.freeze(m.segments),
  });
}

function printable(text: string): string {
  const shown = text.length > 20 ? `${text.slice(0, 20)}...` : text;
  return shown.replace(/[^\x20-\x7e]/g, "?");
}

interface ParsedHeader {
  readonly name: string;
  readonly delimiters: Hl7Delimiters;
  readonly encoding: string;
  /** Raw text of fields 3 onwards. */
  readonly rest: readonly string[];
  readonly problems: Array<{ message: string; field: string }>;
}

/** MSH, FHS, BHS: field 1 is the separator itself, field 2 the encoding characters. */
function parseHeader(line: string): ParsedHeader {
  const name = line.slice(0, 3);
  const sep = line[3] as string;
  const after = line.slice(4);
  const cut = after.indexOf(sep);
  const encoding = cut < 0 ? after : after.slice(0, cut);
  const rest = cut < 0 ? [] : after.slice(cut + 1).split(sep);
  const problems: Array<{ message: string; field: string }> = [];
  if (/[A-Za-z0-9\s]/.test(sep)) {
    problems.push({
      field: `${name}.1`,
      message: `${name}-1 field separator '${printable(sep)}' is a letter, digit or space`,
    });
  }
  const declared = [...encoding];
  if (declared.length < 2 || new Set([sep, ...declared]).size !== declared.length + 1) {
    problems.push({
      field: `${name}.2`,
      message: `${name}-2 encoding characters '${printable(encoding)}' must be at least two distinct characters other than the field separator`,
    });
  }
  return { name, delimiters: delimitersFrom(sep, encoding), encoding, rest, problems };
}

function headerSegment(h: ParsedHeader, syntax: FieldSyntax, lineNo: number): Hl7Segment {
  return Object.freeze({
    name: h.name,
    fields: Object.freeze([
      literalField(h.delimiters.field),
      literalField(h.encoding),
      ...h.rest.map((f) => parseField(f, syntax)),
    ]),
    line: lineNo,
  });
}

/** The first component of a header field, read before the segment is parsed (MSH-18). */
function headerComponent(h: ParsedHeader, n: number): string {
  return firstComponent(h.rest[n - 3] ?? "", h.delimiters.component, h.delimiters.repetition);
}

/**
 * Whether this line takes the message over a read limit (reported once, at
 * the line): the rest of the message is kept, unparsed, so it is stored as
 * received, but it is not read.
 */
function overLimit(
  m: MessageUnderConstruction,
  limits: ReadLimits,
  lineNo: number,
  issues: ParseIssue[],
): boolean {
  const segments = m.segments.length + 1;
  if (segments <= limits.maxSegments && m.chars <= limits.maxMessageChars) return false;
  m.overLimit = true;
  const what =
    segments > limits.maxSegments
      ? `more than ${limits.maxSegments} segments`
      : `more than ${limits.maxMessageChars} characters`;
  issues.push(
    issue("MESSAGE_TOO_LARGE", "error", m.index, m.segments.length, lineNo, {
      message: `the message holds ${what} (the read limit); from line ${lineNo} on it is kept but not read`,
    }),
  );
  return true;
}

/** A line kept as received: its name, then the rest as one field. */
function wholeSegment(line: string, lineNo: number, delimiters: Hl7Delimiters): Hl7Segment {
  const cut = line.indexOf(delimiters.field);
  const name = cut < 0 ? line : line.slice(0, cut);
  const fields = cut < 0 ? [] : [literalField(line.slice(cut + 1))];
  return Object.freeze({ name, fields: Object.freeze(fields), line: lineNo });
}

export function firstValue(field: Hl7Field | undefined): string {
  return field?.[0]?.[0]?.[0]?.value ?? "";
}

function checkMessageHeader(m: MessageUnderConstruction, lineNo: number, issues: ParseIssue[]) {
  const msh = m.segments[0] as Hl7Segment;
  if (firstValue(msh.fields[8]) === "") {
    issues.push(
      issue("PARSE_ERROR", "error", m.index, 0, lineNo, {
        field: "MSH.9",
        message: "message type (MSH-9) is empty or the MSH segment is truncated",
      }),
    );
  }
}

function closeBatch(
  opener: "FHS" | "BHS",
  trailer: Hl7Segment,
  batches: OpenBatch[],
  messageCount: number,
  issues: ParseIssue[],
) {
  const at = batches.map((b) => b.kind).lastIndexOf(opener);
  if (at < 0) return; // A lone trailer (an FTS with no FHS) is kept and tolerated.
  const open = batches[at] as OpenBatch;
  batches.splice(at, 1);
  if (opener !== "BHS") return;
  const declared = firstValue(trailer.fields[0]);
  const actual = messageCount - open.firstMessage;
  if (declared !== "" && Number(declared) !== actual) {
    issues.push(
      issue("BATCH_COUNT_MISMATCH", "warning", -1, -1, trailer.line, {
        field: "BTS.1",
        message: `BTS-1 declares ${declared} messages; the batch holds ${actual}`,
      }),
    );
  }
}
