import { byteTable, charsetFor } from "../hl7/charset.js";

/**
 * The bytes of an outbound message in the character set its MSH-18 names
 * (absent: UTF-8, as our parser reads a message without MSH-18). A
 * single-byte set is written through the same decoder our parser reads it
 * with, so what is sent reads back unchanged; a character the set has no
 * byte for is reported, never replaced.
 */

export type Encoded =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly char: string; readonly index: number };

/** `text` in the set `msh18` names, or the first character it cannot hold. */
export function encodeMessage(text: string, msh18: string | undefined): Encoded {
  const decoding = charsetFor(msh18 ?? "").decoding;
  if (decoding === "utf-8") return { ok: true, bytes: new TextEncoder().encode(text) };
  const table = byteTable(decoding);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const byte = table.get(text[i] as string);
    if (byte === undefined)
      return { ok: false, char: String.fromCodePoint(text.codePointAt(i) ?? 0), index: i };
    bytes[i] = byte;
  }
  return { ok: true, bytes };
}

/** Where in a message text (segments terminated by CR) an index falls: `PID.5`. */
export function fieldAt(text: string, index: number): string {
  const start = text.lastIndexOf("\r", index - 1) + 1;
  const before = text.slice(start, index);
  const name = before.slice(0, 3);
  const pipes = before.split("|").length - 1;
  return `${name}.${name === "MSH" ? pipes + 1 : pipes}`;
}
