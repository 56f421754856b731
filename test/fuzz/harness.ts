/**
 * Fuzzing the whole intake: corpus messages (read in place from
 * /work/shared/corpus/hl7, never copied), mutated at the byte, field and
 * segment level, received through an example practice's pack into an
 * in-memory store as `rulepack run` receives a file. Shared by the fuzz test
 * (test/fuzz/intake.test.ts, fixed seed) and `npm run fuzz -- --minutes N`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import type { MasterData } from "../../engine/model/master-data.js";
import type { Outcome, QueueState } from "../../engine/model/outcome.js";
import type { CompiledPack } from "../../engine/pack/compiled.js";
import { loadPractice } from "../../engine/pack/practice-load.js";
import { receiveBytes } from "../../engine/queue/intake.js";
import { createMemoryStore } from "../../engine/store/memory.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CORPUS_DIR = fileURLToPath(new URL("../../../shared/corpus/hl7/", import.meta.url));

export interface FuzzPractice {
  readonly name: string;
  readonly pack: CompiledPack;
  readonly masterData?: MasterData;
}

/** Both example practices (rules/practices/<name>/pack.yaml), opened as the commands open them. */
export function examplePractices(): readonly FuzzPractice[] {
  const dir = `${ROOT}rules/practices/`;
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const load = loadPractice(`${dir}${name}/pack.yaml`);
      if (!load.ok) throw new Error(`${name}: ${load.errors.join("\n")}`);
      return { name, pack: load.pack, ...(load.masterData && { masterData: load.masterData }) };
    });
}

export interface Seed {
  readonly name: string;
  readonly bytes: Buffer;
}

/** The corpus messages, sorted by name. */
export function corpusSeeds(): readonly Seed[] {
  return readdirSync(CORPUS_DIR)
    .filter((name) => name.endsWith(".hl7"))
    .sort()
    .map((name) => ({ name, bytes: readFileSync(CORPUS_DIR + name) }));
}

/** Values that have broken readers before: HL7 null, huge numbers, escapes, delimiters, odd dates. */
const FIELD_VALUES = [
  "",
  '""',
  "9".repeat(400),
  "99999999999999999999",
  "9007199254740993",
  "-1",
  "0",
  "10000",
  "1e400",
  "NaN",
  "Infinity",
  "-0",
  ".5",
  "\\X0D\\",
  "\\E\\\\F\\\\S\\",
  "\\",
  "^^^",
  "~~~",
  "&&&",
  "x".repeat(5_000),
  "20260230",
  "99991231235959",
  "00000000",
  "2026",
  "202601151200+9999",
  "F",
  "Z",
  "é€😀",
  "\u0000",
  "$replace",
  "' OR 1=1 --",
  "{{x}}",
  "constructor",
  "__proto__",
  "toString",
];

/** Message types the engine routes, so a mutated type still reaches a handler. */
const MESSAGE_TYPES = [
  "ADT^A01",
  "ADT^A04",
  "ADT^A08",
  "ADT^A28",
  "ADT^A31",
  "SIU^S12",
  "SIU^S13",
  "SIU^S14",
  "SIU^S15",
  "SIU^S17",
  "SIU^S26",
  "DFT^P03",
  "ADT^A40",
  "ORU^R01",
];

export type Mutation =
  | {
      readonly kind: "field";
      readonly line: number;
      readonly field: number;
      readonly value: string;
    }
  | {
      readonly kind: "component";
      readonly line: number;
      readonly field: number;
      readonly component: number;
      readonly value: string;
    }
  | { readonly kind: "type"; readonly type: string }
  | { readonly kind: "repeatLine"; readonly line: number; readonly times: number }
  | { readonly kind: "dropLine"; readonly line: number }
  | { readonly kind: "insert"; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: "delete"; readonly at: number; readonly length: number }
  | { readonly kind: "replace"; readonly at: number; readonly byte: number }
  | { readonly kind: "truncate"; readonly at: number };

const LOADED_BYTES = [0x7c, 0x5e, 0x7e, 0x5c, 0x26, 0x22, 0x0d, 0x0a, 0x0b, 0x1c, 0x00, 0xff, 0xc3];
const at = fc.nat({ max: 20_000 });
const line = fc.nat({ max: 60 });
const value = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FIELD_VALUES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("field" as const),
      line,
      field: fc.integer({ min: 1, max: 40 }),
      value,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("component" as const),
      line,
      field: fc.integer({ min: 1, max: 40 }),
      component: fc.integer({ min: 1, max: 8 }),
      value,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("type" as const),
      type: fc.constantFrom(...MESSAGE_TYPES),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("repeatLine" as const),
      line,
      times: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("dropLine" as const), line }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("insert" as const),
      at,
      bytes: fc
        .array(fc.constantFrom(...LOADED_BYTES), { minLength: 1, maxLength: 4 })
        .map((b) => Uint8Array.from(b)),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("delete" as const),
      at,
      length: fc.integer({ min: 1, max: 16 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("replace" as const), at, byte: fc.nat({ max: 255 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at }) },
);

const SEGMENT_BREAK = /\r\n|\r|\n/;

/** Set field `n` (1-based; MSH counts its separator as field 1) of a line, adding empty fields as needed. */
function setField(text: string, n: number, write: (old: string) => string): string {
  const fields = text.split("|");
  const index = text.startsWith("MSH") ? n - 1 : n;
  if (index < 1) return text;
  while (fields.length <= index) fields.push("");
  fields[index] = write(fields[index] as string);
  return fields.join("|");
}

function setComponent(old: string, n: number, v: string): string {
  const components = old.split("^");
  while (components.length < n) components.push("");
  components[n - 1] = v;
  return components.join("^");
}

/** Apply mutations in order; text-level ones read the bytes as latin1 (one character a byte). */
export function mutate(input: Buffer, mutations: readonly Mutation[]): Buffer {
  let bytes = input;
  for (const m of mutations) {
    if (
      m.kind === "insert" ||
      m.kind === "delete" ||
      m.kind === "replace" ||
      m.kind === "truncate"
    ) {
      const p = m.at % (bytes.length + 1);
      if (m.kind === "insert")
        bytes = Buffer.concat([bytes.subarray(0, p), m.bytes, bytes.subarray(p)]);
      else if (m.kind === "delete")
        bytes = Buffer.concat([bytes.subarray(0, p), bytes.subarray(p + m.length)]);
      else if (m.kind === "truncate") bytes = bytes.subarray(0, p);
      else if (p < bytes.length) {
        bytes = Buffer.from(bytes);
        bytes[p] = m.byte;
      }
      continue;
    }
    const lines = bytes.toString("latin1").split(SEGMENT_BREAK);
    const i = m.kind === "type" ? 0 : m.line % lines.length;
    const current = lines[i] as string;
    const encoded = (v: string) => Buffer.from(v, "utf8").toString("latin1");
    switch (m.kind) {
      case "field":
        lines[i] = setField(current, m.field, () => encoded(m.value));
        break;
      case "component":
        lines[i] = setField(current, m.field, (old) =>
          setComponent(old, m.component, encoded(m.value)),
        );
        break;
      case "type":
        if (current.startsWith("MSH")) lines[i] = setField(current, 9, () => m.type);
        break;
      case "repeatLine":
        lines.splice(i, 0, ...Array<string>(m.times).fill(current));
        break;
      case "dropLine":
        lines.splice(i, 1);
        break;
    }
    bytes = Buffer.from(lines.join("\r"), "latin1");
  }
  return bytes;
}

export interface FuzzCase {
  readonly practice: number;
  readonly seed: number;
  readonly mutations: readonly Mutation[];
}

export function fuzzCase(practices: number, seeds: number): fc.Arbitrary<FuzzCase> {
  return fc.record({
    practice: fc.nat({ max: practices - 1 }),
    seed: fc.nat({ max: seeds - 1 }),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 5 }),
  });
}

export const FUZZ_NOW = new Date("2026-01-15T18:00:00Z");

export interface Received {
  readonly outcomes: readonly Outcome[];
  /** The state of every message the store holds afterwards. */
  readonly stored: readonly QueueState[];
}

/** Receive bytes as `rulepack run` does (duplicates detected), into a fresh in-memory store. */
export async function receive(practice: FuzzPractice, bytes: Uint8Array): Promise<Received> {
  const store = createMemoryStore();
  try {
    if (practice.masterData) await store.loadMasterData(practice.masterData);
    const outcomes = await receiveBytes(practice.pack, store, bytes, {
      now: FUZZ_NOW,
      sender: "fuzz",
      detectDuplicates: true,
    });
    return { outcomes, stored: (await store.messages()).map((m) => m.state) };
  } finally {
    await store.close();
  }
}

/** What is wrong with one reception: an engine fault, or a message left without a final state. */
export function faults(received: Received): string[] {
  const found: string[] = [];
  if (received.outcomes.length === 0) found.push("no outcome");
  for (const o of received.outcomes) {
    if (o.state === "ATHENAERROR") {
      found.push(`ATHENAERROR ${o.errors.map((e) => `${e.code}: ${e.message}`).join("; ")}`);
    }
  }
  for (const state of received.stored) {
    if (state === "NEW") found.push("a message left NEW");
  }
  return found;
}
