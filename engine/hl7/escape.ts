import { type ByteDecoding, decodeBytes } from "./charset.js";
import type { Hl7Delimiters } from "./tree.js";

/**
 * HL7 escape sequences (v2.5.1 section 2.7), as a table from the text between
 * two escape characters to its decoded value. Formatting commands of FT
 * fields decode to the text they stand for (`.br` a line break); highlighting
 * (`H`, `N`) carries no text. Any other sequence (`\Cxxyy\`, `\Mxxyyzz\`,
 * `\Zcustom\`, a malformed `\X4\`) is kept literally, whole; an escape
 * character with no closing one is kept as it is.
 */
type EscapeDecoder = (d: Hl7Delimiters) => string | null;

const NAMED: Readonly<Record<string, EscapeDecoder>> = {
  F: (d) => d.field,
  S: (d) => d.component,
  T: (d) => d.subcomponent,
  R: (d) => d.repetition,
  E: (d) => d.escape,
  P: (d) => d.truncation,
  H: () => "",
  N: () => "",
  ".br": () => "\n",
  ".fi": () => "",
  ".nf": () => "",
  ".ce": () => "",
};

/** `.sp n` (n line breaks), `.sk n` (n spaces), `.in n`, `.ti n` (indents: nothing); n defaults to 1. */
const COUNTED = /^\.(sp|sk|in|ti)\s*([+-]?\d*)$/;
/** A larger count is read as this many, so that a few bytes of input cannot expand without bound. */
const MAX_FORMAT_COUNT = 100;
const HEX = /^X((?:[0-9A-Fa-f]{2})+)$/;

function decodeSequence(seq: string, d: Hl7Delimiters, decoding: ByteDecoding): string | null {
  const named = NAMED[seq];
  if (named) return named(d);
  const hex = HEX.exec(seq);
  if (hex) return decodeBytes(Buffer.from(hex[1] as string, "hex"), decoding).text;
  const counted = COUNTED.exec(seq);
  if (counted) {
    const n = Math.min(MAX_FORMAT_COUNT, Math.abs(Number.parseInt(counted[2] || "1", 10)) || 1);
    if (counted[1] === "sp") return "\n".repeat(n);
    if (counted[1] === "sk") return " ".repeat(n);
    return "";
  }
  return null;
}

/** The text a leaf's raw form stands for. Unknown or unterminated escapes stay as they are. */
export function unescapeText(raw: string, d: Hl7Delimiters, decoding: ByteDecoding): string {
  const esc = d.escape;
  if (esc === null) return raw;
  let start = raw.indexOf(esc);
  if (start < 0) return raw;
  const w = esc.length;
  let out = raw.slice(0, start);
  while (start >= 0) {
    const end = raw.indexOf(esc, start + w);
    if (end < 0) return out + raw.slice(start);
    if (end === start + w) {
      // Two escape characters in a row open no sequence: the first is kept, the second may open one.
      out += esc;
      start = end;
      continue;
    }
    out += decodeSequence(raw.slice(start + w, end), d, decoding) ?? raw.slice(start, end + w);
    const next = raw.indexOf(esc, end + w);
    out += raw.slice(end + w, next < 0 ? raw.length : next);
    start = next;
  }
  return out;
}

const LINE_BREAK = /\r\n|\r|\n/g;
/** The HL7 null: a value to be cleared. */
export const HL7_NULL = '""';

/** What each character that cannot stand literally in a value is written as. */
const ESCAPES = new WeakMap<Hl7Delimiters, ReadonlyMap<string, string>>();

function escapesFor(d: Hl7Delimiters, esc: string): ReadonlyMap<string, string> {
  let table = ESCAPES.get(d);
  if (!table) {
    const entries: Array<[string | null, string]> = [
      [esc, "E"],
      [d.field, "F"],
      [d.component, "S"],
      [d.subcomponent, "T"],
      [d.repetition, "R"],
      [d.truncation, "P"],
      ["\n", ".br"],
      ["\r", "X0D"],
    ];
    const built = new Map<string, string>();
    for (const [ch, code] of entries) {
      if (ch !== null && !built.has(ch)) built.set(ch, `${esc}${code}${esc}`);
    }
    table = built;
    ESCAPES.set(d, table);
  }
  return table;
}

/**
 * The raw form of a text value, which `unescapeText` reads back unchanged:
 * every delimiter and the escape character escaped, `\n` as `\.br\`, `\r` as
 * `\X0D\`, and a value that is literally `""` as `\X2222\` (written plainly it
 * would be the HL7 null). Without an escape character nothing can be escaped:
 * delimiters and line breaks in the value are replaced by spaces.
 */
export function escapeText(value: string, d: Hl7Delimiters): string {
  const esc = d.escape;
  if (esc === null) {
    const specials = [d.field, d.component, d.subcomponent, d.repetition, d.truncation];
    let out = value.replace(LINE_BREAK, " ");
    for (const ch of specials) if (ch !== null) out = out.split(ch).join(" ");
    return out;
  }
  if (value === HL7_NULL) return `${esc}X2222${esc}`;
  const table = escapesFor(d, esc);
  let plain = true;
  for (const ch of table.keys()) {
    if (value.includes(ch)) {
      plain = false;
      break;
    }
  }
  if (plain) return value;
  let out = "";
  for (const ch of value) out += table.get(ch) ?? ch;
  return out;
}
