import { describe, expect, it } from "vitest";
import {
  controlId,
  type Hl7Document,
  messageType,
  messageTypeName,
  parseHl7,
  segmentsNamed,
  versionId,
} from "../../engine/hl7/index.js";
import {
  CORPUS_FILES,
  corpusBytes,
  firstMessage,
  holdsFunction,
  isDeeplyFrozen,
  leaf,
  MSH,
  segment,
  values,
} from "./helpers.js";

const corpusDocs: ReadonlyArray<[string, Hl7Document]> = CORPUS_FILES.map((name) => [
  name,
  parseHl7(corpusBytes(name)),
]);

describe("Output is a documented, plain, frozen JSON tree", () => {
  it("gives the exact documented tree for a small message", () => {
    const doc = parseHl7("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|7|P|2.5\rPID|1||X^Y~Z\r");
    const d = {
      field: "|",
      component: "^",
      repetition: "~",
      escape: "\\",
      subcomponent: "&",
      truncation: null,
    };
    const plain = (v: string) => [[[{ raw: v, value: v }]]];
    const empty = [[[{ raw: "", value: "" }]]];
    expect(doc).toStrictEqual({
      messages: [
        {
          index: 0,
          delimiters: d,
          charset: "UTF-8",
          segments: [
            {
              name: "MSH",
              line: 1,
              fields: [
                plain("|"),
                plain("^~\\&"),
                plain("A"),
                plain("B"),
                plain("C"),
                plain("D"),
                plain("20240101"),
                empty,
                [[[{ raw: "ADT", value: "ADT" }], [{ raw: "A01", value: "A01" }]]],
                plain("7"),
                plain("P"),
                plain("2.5"),
              ],
            },
            {
              name: "PID",
              line: 2,
              fields: [
                plain("1"),
                empty,
                [
                  [[{ raw: "X", value: "X" }], [{ raw: "Y", value: "Y" }]],
                  [[{ raw: "Z", value: "Z" }]],
                ],
              ],
            },
          ],
        },
      ],
      envelope: [],
      issues: [],
      bom: false,
      mllp: false,
      finalTerminator: true,
    });
  });

  it("keeps every level for a plain field: PID|1||X has PID-3 = [[[{ raw: 'X', value: 'X' }]]]", () => {
    const doc = parseHl7(`${MSH}\rPID|1||X`);
    expect(segment(doc, 1).fields[2]).toStrictEqual([[[{ raw: "X", value: "X" }]]]);
  });

  it("numbers MSH as the standard does: MSH-1 the field separator, MSH-2 the encoding characters, MSH-3 fields[2]", () => {
    const doc = parseHl7(MSH);
    const msh = segment(doc, 0);
    expect(msh.fields[0]).toStrictEqual([[[{ raw: "|", value: "|" }]]]);
    expect(msh.fields[1]).toStrictEqual([[[{ raw: "^~\\&", value: "^~\\&" }]]]);
    expect(leaf(msh, 3).value).toBe("SEND");
    expect(msh.fields[2]?.[0]?.[0]?.[0]?.value).toBe("SEND");
    expect(leaf(msh, 6).value).toBe("RFAC");
    expect(values(msh.fields[8] ?? [])).toStrictEqual([[["ADT"], ["A01"]]]);
    expect(leaf(msh, 10).value).toBe("CTRL1");
    expect(msh.fields).toHaveLength(12);
    const m = firstMessage(doc);
    expect(messageType(m)).toStrictEqual({ code: "ADT", trigger: "A01", structure: "" });
    expect(messageTypeName(m)).toBe("ADT^A01");
    expect(controlId(m)).toBe("CTRL1");
    expect(versionId(m)).toBe("2.5");
  });

  it("keeps segments in message order with their lines (not grouped by type)", () => {
    const doc = parseHl7(`${MSH}\rIN1|1|A\rIN2|a\rIN1|2|B\rIN2|b\rZIN|z`);
    const m = firstMessage(doc);
    expect(m.segments.map((s) => s.name)).toStrictEqual(["MSH", "IN1", "IN2", "IN1", "IN2", "ZIN"]);
    expect(m.segments.map((s) => s.line)).toStrictEqual([1, 2, 3, 4, 5, 6]);
    expect(segmentsNamed(m, "IN1").map((s) => leaf(s, 2).value)).toStrictEqual(["A", "B"]);
    expect(segmentsNamed(m, "IN2").map((s) => leaf(s, 1).value)).toStrictEqual(["a", "b"]);
  });

  it("keeps every corpus file's segments in file order", () => {
    for (const [name, doc] of corpusDocs) {
      const lines = new TextDecoder()
        .decode(corpusBytes(name))
        .replace(/^\uFEFF/, "")
        .split(/\r\n|\r|\n/);
      const names = [
        ...doc.envelope.map((e) => ({ line: e.segment.line, name: e.segment.name })),
        ...doc.messages.flatMap((m) => m.segments.map((s) => ({ line: s.line, name: s.name }))),
      ].sort((a, b) => a.line - b.line);
      // One segment per line, none lost, none twice.
      const count = lines.length - (doc.finalTerminator ? 1 : 0);
      expect(
        names.map((n) => n.line),
        name,
      ).toStrictEqual(Array.from({ length: count }, (_, i) => i + 1));
      for (const { line, name: segName } of names) {
        expect(lines[line - 1]?.startsWith(segName), `${name} line ${line}`).toBe(true);
      }
    }
  });

  it("is deeply frozen for every corpus file", () => {
    for (const [name, doc] of corpusDocs) expect(isDeeplyFrozen(doc), name).toBe(true);
  });

  it("holds no functions and only plain objects and arrays", () => {
    const plainOnly = (v: unknown): boolean => {
      if (v === null || typeof v !== "object") return typeof v !== "function";
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== Array.prototype) return false;
      return Object.values(v).every(plainOnly);
    };
    for (const [name, doc] of corpusDocs) {
      expect(holdsFunction(doc), name).toBe(false);
      expect(plainOnly(doc), name).toBe(true);
    }
  });

  it("survives JSON: JSON.parse(JSON.stringify(doc)) deep-equals doc for every corpus file", () => {
    for (const [name, doc] of corpusDocs) {
      expect(JSON.parse(JSON.stringify(doc)), name).toStrictEqual(doc);
    }
  });

  it("cannot be mutated", () => {
    const doc = parseHl7(`${MSH}\rPID|1||X`);
    const pid = segment(doc, 1);
    expect(() => {
      (pid.fields as unknown as unknown[]).push([]);
    }).toThrow(TypeError);
    expect(() => {
      (leaf(pid, 3) as { value: string | null }).value = "Y";
    }).toThrow(TypeError);
    expect(leaf(pid, 3).value).toBe("X");
  });
});
