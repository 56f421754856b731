/**
 * Differential test: our parser (engine/hl7) against an independent
 * implementation, Debian's python3-hl7 (python-hl7 0.4), on every file of the
 * shared corpus plus a few probes for inputs the corpus lacks.
 *
 * python-hl7 runs once, for all files (test/support/python-hl7-dump.py). For
 * each file the two trees must agree on segment names and order and on every
 * field, repetition, component and subcomponent, both raw text and decoded
 * value (python-hl7 decodes escapes through hl7.util.unescape, which the dump
 * applies). Every difference must belong to a documented disagreement class
 * (docs/decisions/0002-differential-parser-check.md), and the classes found
 * per file, with their counts, must equal the EXPECTED table below exactly:
 * a new difference, or a known one that disappears, fails the test.
 *
 * python-hl7 is required, never skipped: CI installs it (.ci/run).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  charsetFor,
  type Hl7Delimiters,
  type Hl7Document,
  type Hl7Field,
  type Hl7Leaf,
  type Hl7Segment,
  parseHl7,
  unescapeText,
} from "../../engine/hl7/index.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const CORPUS_DIR = resolve(REPO, "../shared/corpus/hl7");
const DUMPER = join(REPO, "test/support/python-hl7-dump.py");
/** Debian's interpreter: the `python3` on PATH may be another one, without python3-hl7. */
const PYTHON = "/usr/bin/python3";

// ---------------------------------------------------------------------------
// The documented disagreements

const CLASSES = {
  "bom-rejected":
    "python-hl7 refuses text that starts with a UTF-8 BOM (ValueError / ParseException); the dump strips it, we strip it and set doc.bom",
  "lf-segments-merged":
    "python-hl7 splits segments on CR only: LF-separated segments silently become one segment; the dump turns LF into CR, we accept CR, LF and CRLF",
  "trailing-empty-segments":
    "python-hl7 strips whitespace around the message text, dropping empty segments at its end; we keep each as a segment named '' so the input round-trips",
  "message-end-whitespace":
    "the same strip() removes trailing spaces from the last field of the last segment; we keep them",
  "lone-trailer-in-message":
    "an FTS/BTS with no FHS/BHS in a single-message file: python-hl7 (hl7.parse) makes it a segment of the message; we keep it outside the message, in doc.envelope",
  "synthetic-batch-trailer":
    "python-hl7 invents a BTS/FTS trailer when a BHS/FHS has none; we invent nothing and warn BATCH_TRAILER_MISSING",
  "three-char-encoding":
    "MSH-2 of three characters with no backslash ('^~}'): python-hl7 reads the third as the escape character and keeps '&' as subcomponent separator; we read it as the subcomponent separator and declare no escape character",
  "formatting-escape":
    "\\.br\\ \\.sp\\ \\.ce\\ \\.in\\ \\.ti\\: python-hl7 decodes to CR (or four spaces); we decode \\.br\\ and \\.sp\\ to LF and the others to nothing",
  "highlight-escape": "\\H\\ and \\N\\: python-hl7 decodes to '_'; we decode to nothing",
  "unknown-escape":
    "an escape sequence neither side defines (or an empty one): python-hl7 drops it; we keep it literally",
  "unterminated-escape":
    "an escape character with no closing one: python-hl7 drops the rest of the subcomponent; we keep it literally",
  "hex-escape-non-ascii":
    "\\Xhh..\\ with bytes >= 0x80: python-hl7 makes one character per byte (Latin-1); we decode the bytes in the message's character set (MSH-18, UTF-8 by default)",
} as const;

type DisagreementClass = keyof typeof CLASSES;
type Counts = Partial<Record<DisagreementClass, number>>;

/**
 * Every difference from python-hl7, per corpus file: class -> number of
 * occurrences (segments, messages or subcomponents, as the class counts).
 * Files not listed agree completely.
 */
const EXPECTED: Readonly<Record<string, Counts>> = {
  // Source ends CR CR: one empty segment after ERR.
  "ACK_V01__ironbridge__1.hl7": { "trailing-empty-segments": 1 },
  // UTF-8 BOM at the start (FHIR-Converter samples).
  "ADT_A01__msfhir__2.hl7": { "bom-rejected": 1 },
  "ADT_A04__msfhir__2.hl7": { "bom-rejected": 1 },
  "ADT_A04__msfhir__3.hl7": { "bom-rejected": 1 },
  // Last segment PV1 ends 'CHIRURGIE ' (trailing space), then CR.
  "ADT_A08__nhapitools__2.hl7": { "message-end-whitespace": 1 },
  // MSH-2 '^~}' (no escape character); no '}' or '&' in the data, so only the delimiters differ.
  "BAR_P01__hapi__2.hl7": { "three-char-encoding": 1 },
  // FHS + BHS + one ORM, no BTS/FTS: python-hl7 adds both.
  "BATCH_FHS__mirth__1.hl7": { "synthetic-batch-trailer": 2 },
  // NTE-3 '\.br\' line breaks and '\H\'...'\N\' highlighting.
  "ORM_O01__efferent__1.hl7": { "formatting-escape": 1, "highlight-escape": 1 },
  // MSH-2 '^~ &': a SPACE is the escape character, so words between spaces are
  // escape sequences (OBR-4.2 'Automated Bld Cnt', OBX-15.2 x2 address text).
  "ORU_R01__ironbridge__1.hl7": { "unknown-escape": 3, "unterminated-escape": 2 },
  // NTE-3 ASCII-art table built with '\.br\'.
  "ORU_R01__nhapi__1.hl7": { "formatting-escape": 1 },
  // Lone 'FTS|1|END OF FILE' after the ORU, no FHS.
  "ORU_R01__pipehat__1.hl7": { "lone-trailer-in-message": 1 },
};

/** Inputs the corpus lacks, written to a temporary directory and dumped in the same python run. */
const PROBES: Readonly<Record<string, { text: string; expected: Counts }>> = {
  "probe-lf-line-endings.hl7": {
    text: "MSH|^~\\&|A|B|C|D|20240101||ADT^A04|1|P|2.5\nEVN|A04\nPID|1||123^^^H||DOE^JANE\n",
    expected: { "lf-segments-merged": 1 },
  },
  "probe-mllp-framed.hl7": {
    // python-hl7's strip() happens to remove the framing bytes (Python counts them as whitespace).
    text: "\x0bMSH|^~\\&|A|B|C|D|20240101||ADT^A04|1|P|2.5\rPID|1||123^^^H||DOE^JANE\r\x1c\r",
    expected: {},
  },
  "probe-hex-escape-utf8.hl7": {
    text: "MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5|||||||UNICODE UTF-8\rNTE|1||Caf\\XC3A9\\ \\X41\\\r",
    expected: { "hex-escape-non-ascii": 1 },
  },
};

// ---------------------------------------------------------------------------
// python-hl7's side (see the dump script for the format)

type PyLeaf = [raw: string, decoded: string | null];
type PyField = PyLeaf[][][];
interface PySegment {
  name: string;
  fields: PyField[];
}
interface PyDelimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
}
type PyItem =
  | { type: "message"; delimiters: PyDelimiters; segments: PySegment[] }
  | { type: "envelope"; delimiters: PyDelimiters; segment: PySegment; synthetic: boolean };
interface PyFile {
  path: string;
  prepared: string[];
  kind: "message" | "batch" | "file" | null;
  error: string | null;
  items: PyItem[];
  unprepared?: { error?: string; kind?: string; segmentNames?: string[] };
}
interface PyDump {
  python: string;
  hl7: string;
  files: PyFile[];
}

const CORPUS = readdirSync(CORPUS_DIR)
  .filter((f) => f.endsWith(".hl7"))
  .sort();

let dumped: { dump: PyDump; byName: Map<string, PyFile> } | Error | undefined;

/** Run python-hl7 once over the corpus and the probes; a missing python-hl7 fails every test that needs it. */
function pythonHl7(): { dump: PyDump; byName: Map<string, PyFile> } {
  if (dumped === undefined) dumped = runDump();
  if (dumped instanceof Error) throw dumped;
  return dumped;
}

function runDump(): { dump: PyDump; byName: Map<string, PyFile> } | Error {
  const help =
    "python-hl7 is required by this test (it is the independent implementation we compare with). " +
    "Install Debian's package for /usr/bin/python3: apt-get update && apt-get install -y python3-hl7 (.ci/run does this in CI).";
  if (!existsSync(PYTHON)) return new Error(`${PYTHON} does not exist. ${help}`);
  const probeDir = mkdtempSync(join(tmpdir(), "rulepack-differential-"));
  try {
    const probePaths = Object.entries(PROBES).map(([name, probe]) => {
      const path = join(probeDir, name);
      writeFileSync(path, probe.text, "latin1");
      return path;
    });
    const paths = [...CORPUS.map((f) => join(CORPUS_DIR, f)), ...probePaths];
    let stdout: string;
    try {
      stdout = execFileSync(PYTHON, [DUMPER, ...paths], {
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      const detail = (err.stderr ?? "").trim().split("\n").slice(-1)[0] || err.message;
      return new Error(`${PYTHON} ${basename(DUMPER)} failed: ${detail}. ${help}`);
    }
    const dump = JSON.parse(stdout) as PyDump;
    return { dump, byName: new Map(dump.files.map((f) => [basename(f.path), f])) };
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// Our side, in python-hl7's item order

type OurItem =
  | { type: "message"; delimiters: Hl7Delimiters; charset: string; segments: Hl7Segment[] }
  | { type: "envelope"; delimiters: Hl7Delimiters; segment: Hl7Segment };

function ourItems(doc: Hl7Document): OurItem[] {
  const items: OurItem[] = [];
  let e = 0;
  const envelopeBefore = (m: number) => {
    for (; e < doc.envelope.length && (doc.envelope[e]?.beforeMessage ?? 0) <= m; e++) {
      const item = doc.envelope[e];
      if (item)
        items.push({ type: "envelope", delimiters: item.delimiters, segment: item.segment });
    }
  };
  doc.messages.forEach((m, i) => {
    envelopeBefore(i);
    items.push({
      type: "message",
      delimiters: m.delimiters,
      charset: m.charset,
      segments: [...m.segments],
    });
  });
  envelopeBefore(Number.POSITIVE_INFINITY);
  return items;
}

// ---------------------------------------------------------------------------
// Comparison

interface Outcome {
  disagreements: Counts;
  /** Differences no documented class explains: our bug, or a new class to document. */
  unexplained: string[];
}

class Tally implements Outcome {
  disagreements: Counts = {};
  unexplained: string[] = [];
  add(c: DisagreementClass, n = 1) {
    this.disagreements[c] = (this.disagreements[c] ?? 0) + n;
  }
  fail(message: string) {
    if (this.unexplained.length < 20) this.unexplained.push(message);
  }
}

function segmentsOf(item: OurItem): readonly Hl7Segment[];
function segmentsOf(item: PyItem): readonly PySegment[];
function segmentsOf(item: OurItem | PyItem): readonly (Hl7Segment | PySegment)[];
function segmentsOf(item: OurItem | PyItem): readonly (Hl7Segment | PySegment)[] {
  return item.type === "message" ? item.segments : [item.segment];
}
const signature = (items: Array<PyItem | OurItem>) =>
  items.map((i) => `${i.type}(${segmentsOf(i).map((s) => s.name || "''")})`).join(" ");

function compareFile(bytes: Buffer, py: PyFile): Outcome {
  const t = new Tally();
  const doc = parseHl7(bytes);
  let ours = ourItems(doc);

  // Preparation the dump applied, with python-hl7's behaviour without it as evidence.
  if (py.prepared.includes("bom-stripped") && py.unprepared?.error) t.add("bom-rejected");
  if (py.prepared.includes("line-endings-to-cr")) {
    const ourCount = ours.reduce((n, i) => n + segmentsOf(i).length, 0);
    if ((py.unprepared?.segmentNames?.length ?? ourCount) < ourCount) t.add("lf-segments-merged");
  }
  if (py.error !== null) {
    t.fail(`python-hl7 refused the prepared text: ${py.error}`);
    return t;
  }

  // Structural classes: bring both sides to the same item list, counting each step.
  const theirs: PyItem[] = [];
  for (const item of py.items) {
    if (item.type === "envelope" && item.synthetic) {
      t.add("synthetic-batch-trailer");
      continue;
    }
    if (item.type === "message" && py.kind === "message") {
      // hl7.parse (one message, no batch handling) keeps a trailing FTS/BTS inside the message.
      const segments = [...item.segments];
      const moved: PyItem[] = [];
      while (["FTS", "BTS"].includes(segments[segments.length - 1]?.name ?? "")) {
        const segment = segments.pop() as PySegment;
        moved.unshift({ type: "envelope", delimiters: item.delimiters, segment, synthetic: false });
        t.add("lone-trailer-in-message");
      }
      theirs.push({ ...item, segments }, ...moved);
      continue;
    }
    theirs.push(item);
  }
  ours = ours.map((item) => {
    if (item.type !== "message") return item;
    const segments = [...item.segments];
    while (segments.length > 1 && isEmptySegment(segments[segments.length - 1])) {
      segments.pop();
      t.add("trailing-empty-segments");
    }
    return { ...item, segments };
  });

  if (signature(ours) !== signature(theirs)) {
    t.fail(`segments differ:\n  ours:   ${signature(ours)}\n  python: ${signature(theirs)}`);
    return t;
  }
  ours.forEach((item, i) => {
    const their = theirs[i] as PyItem;
    compareDelimiters(item, their.delimiters, `item ${i}`, t);
    const decoding =
      item.type === "message" ? charsetFor(item.charset).decoding : ("utf-8" as const);
    const ourSegments = segmentsOf(item);
    const theirSegments = segmentsOf(their);
    ourSegments.forEach((segment, s) => {
      const where = `${segment.name}#${s + 1}${item.type === "envelope" ? " (envelope)" : ""}`;
      compareSegment(segment, theirSegments[s] as PySegment, {
        where,
        ours: item.delimiters,
        theirs: their.delimiters,
        decoding,
        // python-hl7 strips whitespace at the end of each message text.
        endOfMessage: item.type === "message" && s === ourSegments.length - 1,
        t,
      });
    });
  });
  return t;
}

function isEmptySegment(s: Hl7Segment | undefined): boolean {
  return s !== undefined && s.name === "" && s.fields.length === 0;
}

function compareDelimiters(item: OurItem, py: PyDelimiters, where: string, t: Tally) {
  const d = item.delimiters;
  const same =
    d.field === py.field &&
    d.component === py.component &&
    d.repetition === py.repetition &&
    d.escape === py.escape &&
    d.subcomponent === py.subcomponent;
  if (same) return;
  const header = segmentsOf(item)[0];
  const encoding = header?.fields[1]?.[0]?.[0]?.[0]?.raw ?? "";
  const threeChars =
    [...encoding].length === 3 &&
    d.escape === null &&
    d.subcomponent === encoding[2] &&
    py.escape === encoding[2] &&
    py.subcomponent === "&" &&
    d.component === py.component &&
    d.repetition === py.repetition;
  if (threeChars) t.add("three-char-encoding");
  else
    t.fail(`${where}: delimiters differ: ours ${JSON.stringify(d)}, python ${JSON.stringify(py)}`);
}

interface SegmentContext {
  where: string;
  ours: Hl7Delimiters;
  theirs: PyDelimiters;
  decoding: ReturnType<typeof charsetFor>["decoding"];
  endOfMessage: boolean;
  t: Tally;
}

const shape = (f: Hl7Field | PyField) => JSON.stringify(f.map((r) => r.map((c) => c.length)));
const rawOf = (f: Hl7Field) => f.map((r) => r.map((c) => c.map((l) => l.raw ?? "")));

function compareSegment(ours: Hl7Segment, theirs: PySegment, ctx: SegmentContext) {
  const { t } = ctx;
  if (ours.fields.length !== theirs.fields.length) {
    t.fail(
      `${ctx.where}: ${ours.fields.length} fields in ours, ${theirs.fields.length} in python-hl7`,
    );
    return;
  }
  ours.fields.forEach((field, f) => {
    const their = theirs.fields[f] as PyField;
    const at = `${ours.name || "''"}-${f + 1} (${ctx.where})`;
    if (shape(field) !== shape(their)) {
      t.fail(
        `${at}: split differently: ours ${JSON.stringify(rawOf(field))}, python ${JSON.stringify(their.map((r) => r.map((c) => c.map((l) => l[0]))))}`,
      );
      return;
    }
    const lastField = f === ours.fields.length - 1;
    for (const [r, rep] of field.entries()) {
      for (const [c, comp] of rep.entries()) {
        for (const [s, leaf] of comp.entries()) {
          const last =
            ctx.endOfMessage &&
            lastField &&
            r === field.length - 1 &&
            c === rep.length - 1 &&
            s === comp.length - 1;
          compareLeaf(leaf, their[r]?.[c]?.[s] as PyLeaf, {
            loc: `${at} .${r + 1}.${c + 1}.${s + 1}`,
            last,
            // MSH-1 / MSH-2 are never decoded by either side.
            literal: ["MSH", "FHS", "BHS"].includes(ours.name) && f < 2,
            ctx,
          });
        }
      }
    }
  });
}

function compareLeaf(
  leaf: Hl7Leaf,
  [pyRaw, pyValue]: PyLeaf,
  at: { loc: string; last: boolean; literal: boolean; ctx: SegmentContext },
) {
  const { loc, ctx } = at;
  const ourRaw = leaf.raw ?? "";
  if (ourRaw !== pyRaw) {
    // python-hl7 strips whitespace at the end of each message text.
    if (at.last && ourRaw.trimEnd() === pyRaw) ctx.t.add("message-end-whitespace");
    else ctx.t.fail(`${loc}: raw ${JSON.stringify(ourRaw)} vs python ${JSON.stringify(pyRaw)}`);
    return;
  }
  if (at.literal) {
    if (leaf.value !== pyRaw || pyValue !== pyRaw) ctx.t.fail(`${loc}: literal field decoded`);
    return;
  }
  compareValue(leaf.value, pyRaw, pyValue, loc, ctx);
}

/**
 * One subcomponent's decoded value. The raw text is cut into escape sequences
 * the way python-hl7's unescape cuts it; each piece is rendered as python-hl7
 * renders it (a model of hl7.util.unescape, checked against its actual output)
 * and as we render it (our own unescapeText on that piece alone). Pieces whose
 * renderings differ name the class that allows it; a difference in any other
 * piece is unexplained.
 */
function compareValue(
  ourValue: string | null,
  raw: string,
  pyValue: string | null,
  loc: string,
  ctx: SegmentContext,
) {
  const { t } = ctx;
  // Our HL7 null is `null`; python-hl7 keeps the two characters.
  const ours = ourValue === null ? '""' : ourValue;
  const model = modelPieces(raw, ctx);
  if (model === null) {
    if (ours !== pyValue)
      t.fail(
        `${loc}: ${JSON.stringify(raw)} decodes to ${JSON.stringify(ours)}, python-hl7 ${JSON.stringify(pyValue)} (escape not modelled)`,
      );
    return;
  }
  const pyModel = model.map((p) => p.python).join("");
  const ourModel = model.map((p) => p.ours).join("");
  if (pyModel !== pyValue) {
    t.fail(
      `${loc}: model of python-hl7 unescape gives ${JSON.stringify(pyModel)}, python-hl7 gave ${JSON.stringify(pyValue)}`,
    );
    return;
  }
  if (ourModel !== ours) {
    t.fail(
      `${loc}: ${JSON.stringify(raw)} decodes to ${JSON.stringify(ours)}, piece by piece to ${JSON.stringify(ourModel)}`,
    );
    return;
  }
  if (ours === pyValue) return;
  const classes = new Set<DisagreementClass>();
  for (const piece of model) {
    if (piece.python === piece.ours) continue;
    if (piece.allowed === null) {
      t.fail(
        `${loc}: ${JSON.stringify(piece.raw)} decodes to ${JSON.stringify(piece.ours)}, python-hl7 ${JSON.stringify(piece.python)}`,
      );
      return;
    }
    classes.add(piece.allowed);
  }
  for (const c of classes) t.add(c);
}

interface Piece {
  raw: string;
  python: string;
  ours: string;
  /** The class that explains a difference in this piece; `null` where both must agree. */
  allowed: DisagreementClass | null;
}

/** python-hl7 0.4 hl7.util.unescape DEFAULT_MAP (formatting and highlighting part). */
const PY_FORMATTING: Readonly<Record<string, string>> = {
  ".br": "\r",
  ".sp": "\r",
  ".ce": "\r",
  ".fi": "",
  ".nf": "",
  ".in": "    ",
  ".ti": "    ",
  ".sk": " ",
};

function modelPieces(raw: string, ctx: SegmentContext): Piece[] | null {
  const esc = ctx.theirs.escape;
  if (raw === "" || !raw.includes(esc)) return [{ raw, python: raw, ours: raw, allowed: null }];
  // Our decoder must use the same escape character for a piece-by-piece comparison.
  if (ctx.ours.escape !== esc) return null;
  const ourDecode = (text: string) => unescapeText(text, ctx.ours, ctx.decoding);
  const pieces: Piece[] = [];
  let i = 0;
  while (i < raw.length) {
    const open = raw.indexOf(esc, i);
    if (open < 0) {
      const text = raw.slice(i);
      pieces.push({ raw: text, python: text, ours: text, allowed: null });
      break;
    }
    if (open > i) {
      const text = raw.slice(i, open);
      pieces.push({ raw: text, python: text, ours: text, allowed: null });
    }
    const close = raw.indexOf(esc, open + 1);
    if (close < 0) {
      const text = raw.slice(open);
      pieces.push({ raw: text, python: "", ours: ourDecode(text), allowed: "unterminated-escape" });
      break;
    }
    const text = raw.slice(open, close + 1);
    const python = pythonSequence(raw.slice(open + 1, close), ctx.theirs);
    if (python === null) return null;
    pieces.push({ raw: text, python: python.text, ours: ourDecode(text), allowed: python.allowed });
    i = close + 1;
  }
  return pieces;
}

/** What python-hl7 makes of one escape sequence (the text between the escape characters). */
function pythonSequence(
  seq: string,
  d: PyDelimiters,
): { text: string; allowed: DisagreementClass | null } | null {
  const delimiter: Record<string, string> = {
    F: d.field,
    R: d.repetition,
    S: d.component,
    T: d.subcomponent,
    E: d.escape,
  };
  if (seq === "") return { text: "", allowed: "unknown-escape" };
  if (seq in delimiter) return { text: delimiter[seq] as string, allowed: null };
  if (seq === "H" || seq === "N") return { text: "_", allowed: "highlight-escape" };
  if (seq in PY_FORMATTING)
    return { text: PY_FORMATTING[seq] as string, allowed: "formatting-escape" };
  // `.sp2` and friends (python-hl7 repeats the character, or raises): not modelled.
  if (seq.startsWith(".") && seq.slice(0, 3) in PY_FORMATTING) return null;
  if (seq[0] === "C" || seq[0] === "M") return { text: "", allowed: "unknown-escape" };
  if (seq[0] === "X") {
    const hex = seq.slice(1);
    if (hex === "") return { text: "", allowed: "unknown-escape" };
    if (!/^(?:[0-9A-Fa-f]{2})+$/.test(hex)) return null;
    const bytes = Buffer.from(hex, "hex");
    const text = bytes.toString("latin1");
    return { text, allowed: bytes.some((b) => b >= 0x80) ? "hex-escape-non-ascii" : null };
  }
  return { text: "", allowed: "unknown-escape" };
}

// ---------------------------------------------------------------------------

describe("differential: engine/hl7 against python-hl7 (Debian python3-hl7)", () => {
  it("python-hl7 0.4 is installed for /usr/bin/python3 and reads every corpus file", () => {
    const { dump, byName } = pythonHl7();
    expect(dump.hl7).toMatch(/^0\.4\./);
    expect(CORPUS.length).toBeGreaterThanOrEqual(90);
    for (const name of CORPUS) expect(byName.get(name)?.error, name).toBeNull();
  });

  it("python-hl7 0.4 numbers MSH fields like the standard (MSH-1 is the field separator)", () => {
    // Older python-hl7 (< 0.3) was off by one on MSH; 0.4 is not, so there is no such class.
    const file = pythonHl7().byName.get("ADT_A01__mirth__1.hl7");
    const msh = file?.items[0]?.type === "message" ? file.items[0].segments[0] : undefined;
    expect(msh?.fields[0]).toEqual([[[["|", "|"]]]]);
    expect(msh?.fields[1]).toEqual([[[["^~\\&", "^~\\&"]]]]);
    expect(msh?.fields[8]?.[0]?.map((c) => c[0]?.[0])).toEqual(["ADT", "A01"]);
  });

  it.each(CORPUS)("%s: same tree as python-hl7 but for documented disagreements", (name) => {
    const py = pythonHl7().byName.get(name);
    expect(py, `python-hl7 dumped ${name}`).toBeDefined();
    const outcome = compareFile(readFileSync(join(CORPUS_DIR, name)), py as PyFile);
    expect(outcome.unexplained).toEqual([]);
    expect(outcome.disagreements).toEqual(EXPECTED[name] ?? {});
  });

  it.each(Object.keys(PROBES))("probe %s", (name) => {
    const py = pythonHl7().byName.get(name);
    const probe = PROBES[name] as (typeof PROBES)[string];
    const outcome = compareFile(Buffer.from(probe.text, "latin1"), py as PyFile);
    expect(outcome.unexplained).toEqual([]);
    expect(outcome.disagreements).toEqual(probe.expected);
  });

  it("the table of expected disagreements names only corpus files and documented classes", () => {
    for (const [name, counts] of Object.entries(EXPECTED)) {
      expect(CORPUS, name).toContain(name);
      for (const c of Object.keys(counts)) expect(Object.keys(CLASSES)).toContain(c);
    }
  });

  it("every disagreement class is documented in docs/decisions/0002-differential-parser-check.md", () => {
    const adr = readFileSync(
      join(REPO, "docs/decisions/0002-differential-parser-check.md"),
      "utf8",
    );
    for (const c of Object.keys(CLASSES)) expect(adr, c).toContain(`\`${c}\``);
  });
});
