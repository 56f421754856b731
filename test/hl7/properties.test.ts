import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  encodingCharacters,
  escapeText,
  type Hl7Delimiters,
  type Hl7Field,
  type Hl7Message,
  type Hl7Segment,
  parseHl7,
  serializeDocument,
  serializeMessage,
  unescapeText,
} from "../../engine/hl7/index.js";
import { CORPUS_FILES, corpusBytes, isDeeplyFrozen, values } from "./helpers.js";

const CORPUS: readonly Buffer[] = CORPUS_FILES.map(corpusBytes);

/** Bytes that mean something to the parser: delimiters, terminators, framing, BOM, UTF-8 lead bytes. */
const LOADED_BYTES = [
  0x7c, 0x5e, 0x7e, 0x5c, 0x26, 0x23, 0x7d, 0x20, 0x22, 0x0d, 0x0a, 0x0b, 0x1c, 0x00, 0xff, 0xc3,
  0xe2, 0xef, 0xbb, 0xbf, 0x4d, 0x53, 0x48,
];

type Mutation =
  | { readonly kind: "insert"; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: "delete"; readonly at: number; readonly length: number }
  | { readonly kind: "replace"; readonly at: number; readonly byte: number }
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "msh2"; readonly chars: Uint8Array }
  | { readonly kind: "msh1"; readonly byte: number };

const position = fc.nat({ max: 20_000 });
const loadedByte = fc.constantFrom(...LOADED_BYTES);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant("insert" as const),
    at: position,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: position,
    bytes: fc.array(loadedByte, { minLength: 1, maxLength: 4 }).map((b) => Uint8Array.from(b)),
  }),
  fc.record({
    kind: fc.constant("delete" as const),
    at: position,
    length: fc.integer({ min: 1, max: 16 }),
  }),
  fc.record({ kind: fc.constant("replace" as const), at: position, byte: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant("replace" as const), at: position, byte: loadedByte }),
  fc.record({ kind: fc.constant("truncate" as const), at: position }),
  fc.record({
    kind: fc.constant("msh2" as const),
    chars: fc.array(loadedByte, { maxLength: 7 }).map((b) => Uint8Array.from(b)),
  }),
  fc.record({ kind: fc.constant("msh1" as const), byte: loadedByte }),
);

function mutate(input: Buffer, mutations: readonly Mutation[]): Buffer {
  let bytes = input;
  for (const m of mutations) {
    const at = "at" in m ? m.at % (bytes.length + 1) : 0;
    switch (m.kind) {
      case "insert":
        bytes = Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
        break;
      case "delete":
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
        break;
      case "replace":
        if (at < bytes.length) {
          bytes = Buffer.from(bytes);
          bytes[at] = m.byte;
        }
        break;
      case "truncate":
        bytes = bytes.subarray(0, at);
        break;
      case "msh2": {
        // MSH-2 sits between the first and second field separator after MSH.
        const msh = bytes.indexOf("MSH");
        if (msh < 0 || msh + 4 > bytes.length) break;
        const sep = bytes[msh + 3] as number;
        const end = bytes.indexOf(sep, msh + 4);
        if (end < 0) break;
        bytes = Buffer.concat([bytes.subarray(0, msh + 4), m.chars, bytes.subarray(end)]);
        break;
      }
      case "msh1": {
        const msh = bytes.indexOf("MSH");
        if (msh >= 0 && msh + 3 < bytes.length) {
          bytes = Buffer.from(bytes);
          bytes[msh + 3] = m.byte;
        }
        break;
      }
    }
  }
  return bytes;
}

const mutatedCorpus = fc
  .tuple(fc.constantFrom(...CORPUS), fc.array(mutation, { minLength: 1, maxLength: 6 }))
  .map(([bytes, mutations]) => mutate(bytes, mutations));

/** Printable characters that may serve as delimiters (no letters, digits, '.', space or quote). */
const DELIMITER_POOL = [..."|^~\\&#!$%*+/:;=?@`{}"];

const delimiters: fc.Arbitrary<Hl7Delimiters> = fc.oneof(
  fc.constant<Hl7Delimiters>({
    field: "|",
    component: "^",
    repetition: "~",
    escape: "\\",
    subcomponent: "&",
    truncation: null,
  }),
  fc
    .tuple(fc.shuffledSubarray(DELIMITER_POOL, { minLength: 6, maxLength: 6 }), fc.boolean())
    .map(
      ([[field, component, repetition, escapeChar, subcomponent, truncation], withTruncation]) => ({
        field: field as string,
        component: component as string,
        repetition: repetition as string,
        escape: escapeChar as string,
        subcomponent: subcomponent as string,
        truncation: withTruncation ? (truncation as string) : null,
      }),
    ),
);

/** Text from a safe alphabet plus everything that must be escaped. */
const text = fc.string({
  unit: fc.constantFrom(..."abcXYZ019 .,-é€", ...DELIMITER_POOL, "\n", "\r", '"'),
  maxLength: 12,
});
const leafValue = fc.oneof(
  { weight: 9, arbitrary: text },
  { weight: 1, arbitrary: fc.constant(null) },
);
const generatedField = fc.array(
  fc.array(fc.array(leafValue, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
  { minLength: 1, maxLength: 3 },
);
const generatedSegment = fc.record({
  name: fc.constantFrom("PID", "PV1", "OBX", "NTE", "IN1", "FT1", "ZPID", "ZNM", "Z01"),
  fields: fc.array(generatedField, { maxLength: 8 }),
});

/** A field built by code: leaves without `raw`, which the serializer escapes. */
const built = (field: ReadonlyArray<ReadonlyArray<ReadonlyArray<string | null>>>): Hl7Field =>
  field.map((rep) => rep.map((comp) => comp.map((value) => ({ value }))));

function buildMessage(
  d: Hl7Delimiters,
  segments: ReadonlyArray<{ name: string; fields: Array<Array<Array<Array<string | null>>>> }>,
): Hl7Message {
  const plain = (v: string) => built([[[v]]]);
  const msh: Hl7Segment = {
    name: "MSH",
    line: 1,
    fields: [
      plain(d.field),
      plain(encodingCharacters(d)),
      plain("APP"),
      plain("FAC"),
      plain("RECV"),
      plain("RFAC"),
      plain("20240101120000"),
      plain(""),
      // A type with no structure the engine checks: generated segments repeat freely.
      built([[["ORU"], ["R01"]]]),
      plain("CTRL"),
      plain("P"),
      plain("2.5"),
    ],
  };
  return {
    index: 0,
    delimiters: d,
    charset: "UTF-8",
    segments: [
      msh,
      ...segments.map((s, i) => ({ name: s.name, line: i + 2, fields: s.fields.map(built) })),
    ],
  };
}

describe("Property: parseHl7 never throws on mutated corpus messages", () => {
  it("returns a deeply frozen document for mutated bytes", () => {
    fc.assert(
      fc.property(mutatedCorpus, (bytes) => {
        const doc = parseHl7(bytes);
        expect(isDeeplyFrozen(doc)).toBe(true);
        for (const issue of doc.issues) expect(issue.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 400 },
    );
  });

  it("returns a deeply frozen document for mutated text, and writes that text back unchanged", () => {
    fc.assert(
      fc.property(mutatedCorpus, (bytes) => {
        const input = bytes.toString("utf8");
        const doc = parseHl7(input);
        expect(isDeeplyFrozen(doc)).toBe(true);
        // Without framing bytes or a leading BOM, serialization reproduces any text.
        if (!/[\x0b\x1c]/.test(input) && !input.startsWith("\uFEFF")) {
          expect(serializeDocument(doc)).toBe(input.replace(/\r\n|\n/g, "\r"));
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe("Property: parse(serialize(x)) preserves values of well-formed messages", () => {
  it("reads back every value of a generated message, whatever its delimiters", () => {
    fc.assert(
      fc.property(
        delimiters,
        fc.array(generatedSegment, { minLength: 1, maxLength: 6 }),
        (d, segments) => {
          const message = buildMessage(d, segments);
          const text = serializeMessage(message);
          for (const input of [text, Buffer.from(text, "utf8")]) {
            const doc = parseHl7(input);
            expect(doc.issues).toStrictEqual([]);
            expect(doc.messages).toHaveLength(1);
            const parsed = doc.messages[0] as Hl7Message;
            expect(parsed.delimiters).toStrictEqual(d);
            expect(parsed.segments.map((s) => s.name)).toStrictEqual([
              "MSH",
              ...segments.map((s) => s.name),
            ]);
            parsed.segments.slice(1).forEach((s, i) => {
              expect(s.fields.map(values)).toStrictEqual(segments[i]?.fields);
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("escapeText and unescapeText are inverse for any text", () => {
    fc.assert(
      fc.property(delimiters, fc.string({ unit: "binary", maxLength: 40 }), (d, value) => {
        expect(unescapeText(escapeText(value, d), d, "utf-8")).toBe(value);
      }),
      { numRuns: 500 },
    );
  });
});
