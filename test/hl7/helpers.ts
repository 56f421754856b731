import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type {
  Hl7Document,
  Hl7Field,
  Hl7Leaf,
  Hl7Message,
  Hl7Segment,
} from "../../engine/hl7/index.js";

/** The shared corpus, read in place (never copied into the project). */
export const CORPUS_DIR = fileURLToPath(new URL("../../../shared/corpus/hl7/", import.meta.url));

/** Every corpus message file, sorted. */
export const CORPUS_FILES: readonly string[] = readdirSync(CORPUS_DIR)
  .filter((name) => name.endsWith(".hl7"))
  .sort();

/** The corpus file marked MALFORMED in SOURCES.md (a line break inside OBR-17). */
export const MALFORMED_FILE = "ORM_O01__catalyze__1.hl7";

export function corpusPath(name: string): string {
  return CORPUS_DIR + name;
}

export function corpusBytes(name: string): Buffer {
  return readFileSync(corpusPath(name));
}

/**
 * What serialization must reproduce: the bytes decoded as UTF-8, BOM removed,
 * every segment terminator written as CR.
 */
export function expectedText(bytes: Uint8Array): string {
  return new TextDecoder("utf-8")
    .decode(bytes)
    .replace(/^\uFEFF/, "")
    .replace(/\r\n|\n/g, "\r");
}

/** A standard header with the fields after MSH-2 given verbatim. */
export const MSH = "MSH|^~\\&|SEND|FAC|RECV|RFAC|20240101120000||ADT^A01|CTRL1|P|2.5";

/** Segment `index` of message `m` (default 0); fails the test when absent. */
export function segment(doc: Hl7Document, index: number, m = 0): Hl7Segment {
  const s = doc.messages[m]?.segments[index];
  if (!s) throw new Error(`no segment ${index} in message ${m}`);
  return s;
}

/** Field n (standard numbering) of a segment; fails the test when absent. */
export function field(s: Hl7Segment, n: number): Hl7Field {
  const f = s.fields[n - 1];
  if (!f) throw new Error(`${s.name} has no field ${n}`);
  return f;
}

/** The leaf at 1-based repetition, component, subcomponent of field n. */
export function leaf(s: Hl7Segment, n: number, rep = 1, comp = 1, sub = 1): Hl7Leaf {
  const l = field(s, n)[rep - 1]?.[comp - 1]?.[sub - 1];
  if (!l) throw new Error(`${s.name}-${n}[${rep}].${comp}.${sub} is absent`);
  return l;
}

/** The decoded values of a field, nested as the tree nests them. */
export function values(f: Hl7Field): Array<Array<Array<string | null>>> {
  return f.map((rep) => rep.map((comp) => comp.map((l) => l.value)));
}

export function firstMessage(doc: Hl7Document): Hl7Message {
  const m = doc.messages[0];
  if (!m) throw new Error("no message parsed");
  return m;
}

/** Every object and array reachable from `value` is frozen. */
export function isDeeplyFrozen(value: unknown, seen = new Set<unknown>()): boolean {
  if (value === null || typeof value !== "object") return true;
  if (seen.has(value)) return true;
  seen.add(value);
  if (!Object.isFrozen(value)) return false;
  return Object.values(value).every((child) => isDeeplyFrozen(child, seen));
}

/** Something reachable from `value` is a function (the tree must hold none). */
export function holdsFunction(value: unknown, seen = new Set<unknown>()): boolean {
  if (typeof value === "function") return true;
  if (value === null || typeof value !== "object" || seen.has(value)) return false;
  seen.add(value);
  return Object.values(value).some((child) => holdsFunction(child, seen));
}
