import { TextDecoder } from "node:util";

/**
 * Character sets named in MSH-18 (HL7 table 0211) and how their bytes are
 * decoded. Only byte-oriented encodings whose segment terminators are the
 * ASCII CR/LF bytes are listed; anything else is decoded as UTF-8 with a
 * warning.
 */
export type ByteDecoding = "utf-8" | "latin1" | "ascii" | `iso-8859-${number}`;

const CHARSETS: Readonly<Record<string, ByteDecoding>> = {
  "": "utf-8",
  ASCII: "ascii",
  "ISO IR6": "ascii",
  "8859/1": "latin1",
  "ISO IR100": "latin1",
  "8859/2": "iso-8859-2",
  "8859/3": "iso-8859-3",
  "8859/4": "iso-8859-4",
  "8859/5": "iso-8859-5",
  "8859/6": "iso-8859-6",
  "8859/7": "iso-8859-7",
  "8859/8": "iso-8859-8",
  "8859/9": "iso-8859-9",
  "8859/15": "iso-8859-15",
  "UNICODE UTF-8": "utf-8",
  "UTF-8": "utf-8",
  "ISO IR192": "utf-8",
};

export interface CharsetChoice {
  /** The name as written in MSH-18, or `UTF-8` when it was empty. */
  readonly name: string;
  readonly decoding: ByteDecoding;
  /** False when MSH-18 named a set we do not decode (UTF-8 was used instead). */
  readonly known: boolean;
}

export function charsetFor(msh18: string): CharsetChoice {
  const name = msh18.trim().toUpperCase();
  const decoding = CHARSETS[name];
  if (decoding) return { name: name === "" ? "UTF-8" : name, decoding, known: true };
  return { name, decoding: "utf-8", known: false };
}

/** A byte (in a latin1 view) outside ASCII. */
export const NON_ASCII = /[\x80-\xff]/;
const NON_ASCII_ALL = /[\x80-\xff]/g;

/** Strict and lenient decoders by WHATWG label, made once each. */
const decoders = new Map<string, { strict: TextDecoder; lenient: TextDecoder }>();

function decodersFor(label: string): { strict: TextDecoder; lenient: TextDecoder } {
  let pair = decoders.get(label);
  if (!pair) {
    pair = {
      strict: new TextDecoder(label, { fatal: true, ignoreBOM: true }),
      lenient: new TextDecoder(label, { fatal: false, ignoreBOM: true }),
    };
    decoders.set(label, pair);
  }
  return pair;
}

export interface DecodedText {
  readonly text: string;
  /** Some bytes were not valid in the character set and were replaced with U+FFFD. */
  readonly replaced: boolean;
  /**
   * Set when text declared ASCII held valid UTF-8 and was read as UTF-8 (ASCII
   * is a subset of UTF-8, so nothing the sender meant is lost).
   */
  readonly readAs?: "utf-8";
}

/** Decode with a WHATWG decoder; bytes it rejects become U+FFFD. */
function decodeWith(bytes: Uint8Array, label: string): DecodedText {
  const { strict, lenient } = decodersFor(label);
  try {
    return { text: strict.decode(bytes), replaced: false };
  } catch {
    return { text: lenient.decode(bytes), replaced: true };
  }
}

/** Character -> byte of a single-byte set, built from its decoder (so what is written reads back). */
const byteTables = new Map<ByteDecoding, ReadonlyMap<string, number>>();

export function byteTable(decoding: ByteDecoding): ReadonlyMap<string, number> {
  let table = byteTables.get(decoding);
  if (!table) {
    const built = new Map<string, number>();
    const top = decoding === "ascii" ? 0x7f : 0xff;
    for (let b = top; b >= 0; b--) {
      const { text, replaced } = decodeBytes(Uint8Array.of(b), decoding);
      if (!replaced && text.length === 1) built.set(text, b);
    }
    table = built;
    byteTables.set(decoding, table);
  }
  return table;
}

/**
 * Text as bytes of the set MSH-18 names (absent or unknown: UTF-8); a
 * character the set has no byte for becomes `?`. For what the engine
 * writes back to a sender (ACKs), where refusing is not an option.
 */
export function encodeTextLossy(text: string, msh18: string | undefined): Uint8Array {
  const decoding = charsetFor(msh18 ?? "").decoding;
  if (decoding === "utf-8") return new TextEncoder().encode(text);
  const table = byteTable(decoding);
  const question = 0x3f;
  return Uint8Array.from(Array.from(text), (ch) => table.get(ch) ?? question);
}

/** Decode bytes; invalid bytes become U+FFFD, never an exception. */
export function decodeBytes(bytes: Uint8Array, decoding: ByteDecoding): DecodedText {
  switch (decoding) {
    case "latin1":
      return {
        text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1"),
        replaced: false,
      };
    case "ascii": {
      const latin = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1");
      if (!NON_ASCII.test(latin)) return { text: latin, replaced: false };
      const utf8 = decodeWith(bytes, "utf-8");
      if (!utf8.replaced) return { ...utf8, readAs: "utf-8" };
      return { text: latin.replace(NON_ASCII_ALL, "\uFFFD"), replaced: true };
    }
    default:
      // utf-8 and the ISO 8859 parts other than 1 (WHATWG's "iso-8859-1" is windows-1252).
      return decodeWith(bytes, decoding);
  }
}

/** Whether the engine can write messages in the set MSH-18 names. */
export function charsetWritable(msh18: string | undefined): boolean {
  return msh18 === undefined || charsetFor(msh18).known;
}
