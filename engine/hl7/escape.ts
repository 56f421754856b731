import { type ByteDecoding, decodeBytes } from "./charset.js";
import type { Hl7Delimiters } from "./tree.js";

/**
 * HL7 escape sequences (v2.5.1 section 2.7), as a table from the text between
 * two escape characters to its decoded value. Formatting commands of FT
 * fields decode to the text they stand for (`.br` a line break); highlighting
 * (`H`, `N`) carries no text. Anything else (`\Cxxyy\`, `\Mxxyyzz\`,
 * `\Zcustom\`, a lone escape character) is kept literally.
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

const COUNTED = /^\.(sp|sk|in|ti)([+-]?\d*)$/;
const HEX = /^X((?:[0-9A-Fa-f]{2})+)$/;

function decodeSequence(seq: string, d: Hl7Delimiters, decoding: ByteDecoding): string | null {
  const named = NAMED[seq];
  if (named) return named(d);
  const hex = HEX.exec(seq);
  if (hex) return decodeBytes(Buffer.from(hex[1] as string, "hex"), decoding).text;
  const counted = COUNTED.exec(seq);
  if (counted) {
    const n = Math.max(1, Math.abs(Number.parseInt(counted[2] || "1", 10)) || 1);
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
  let out = raw.slice(0, start);
  while (start >= 0) {
    const end = raw.indexOf(esc, start + 1);
    if (end < 0) {
      out += raw.slice(start);
      return out;
    }
    const decoded = decodeSequence(raw.slice(start + 1, end), d, decoding);
    if (decoded === null) {
      // Keep the opening escape and what follows literally; the closing one may open a real sequence.
      out += raw.slice(start, end);
      start = end;
      continue;
    }
    out += decoded;
    const next = raw.indexOf(esc, end + 1);
    out += raw.slice(end + 1, next < 0 ? raw.length : next);
    start = next;
  }
  return out;
}

const LINE_BREAK = /\r\n|\r|\n/g;

/**
 * The raw form of a text value: every delimiter and the escape character
 * escaped, line breaks as `\.br\`. Without an escape character nothing can be
 * escaped: delimiters and line breaks in the value are replaced by spaces.
 */
export function escapeText(value: string, d: Hl7Delimiters): string {
  const esc = d.escape;
  const specials: Array<[string, string]> = [
    [d.field, "F"],
    [d.component, "S"],
    [d.subcomponent, "T"],
    [d.repetition, "R"],
  ];
  if (d.truncation) specials.push([d.truncation, "P"]);
  if (esc === null) {
    let out = value.replace(LINE_BREAK, " ");
    for (const [ch] of specials) out = out.split(ch).join(" ");
    return out;
  }
  let out = "";
  for (const ch of value) {
    if (ch === esc) out += `${esc}E${esc}`;
    else {
      const special = specials.find(([s]) => s === ch);
      out += special ? `${esc}${special[1]}${esc}` : ch;
    }
  }
  return out.replace(LINE_BREAK, `${esc}.br${esc}`);
}
