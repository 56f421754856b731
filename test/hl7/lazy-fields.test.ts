import { describe, expect, it } from "vitest";
import { charsetFor } from "../../engine/hl7/charset.js";
import { fieldSyntax, parseField } from "../../engine/hl7/fields.js";
import {
  type Hl7Document,
  type Hl7Segment,
  parseHl7,
  serializeDocument,
} from "../../engine/hl7/index.js";
import { processMessage } from "../../engine/inbound/process.js";
import { errorsOf, fixturePack, JANE, message, NOW, newStore } from "../inbound/helpers.js";
import {
  CORPUS_FILES,
  corpusBytes,
  expectedText,
  isDeeplyFrozen,
  leaf,
  MALFORMED_FILE,
  MSH,
  segment,
  values,
} from "./helpers.js";

/**
 * A segment's fields are split from its line when `fields` is first read
 * (engine/hl7/lazy-segment.ts, decision 0041). To every reader the tree is
 * the one tree.ts documents: plain, frozen, lossless, and the same whenever
 * and in whatever order it is read.
 */

/** Every leaf of every segment read, message by message, in the order `order` gives the segments. */
function readAll(doc: Hl7Document, order: (segments: readonly Hl7Segment[]) => Hl7Segment[]) {
  for (const m of doc.messages) for (const s of order(m.segments)) values(s.fields as never);
}

/** The segments of `doc` that follow a header, with the text of their line. */
function bodySegments(doc: Hl7Document, text: string) {
  const lines = text.split("\r");
  return doc.messages.flatMap((m) =>
    m.segments.slice(1).map((s) => ({ m, s, line: lines[s.line - 1] as string })),
  );
}

describe("Fields split on first read: the same tree an eager parse gives", () => {
  it("reads every corpus segment's fields as the field parser splits its line", () => {
    let checked = 0;
    for (const name of CORPUS_FILES) {
      const text = expectedText(corpusBytes(name));
      const doc = parseHl7(text);
      for (const { m, s, line } of bodySegments(doc, text)) {
        const syntax = fieldSyntax(m.delimiters, charsetFor(m.charset).decoding);
        const eager = line
          .split(m.delimiters.field)
          .slice(1)
          .map((f) => parseField(f, syntax));
        expect(s.fields, `${name} line ${s.line}`).toStrictEqual(eager);
        expect(s.name, `${name} line ${s.line}`).toBe(line.split(m.delimiters.field)[0]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it("gives every corpus file the same tree whatever order its segments are first read in", () => {
    for (const name of CORPUS_FILES) {
      const forward = parseHl7(corpusBytes(name));
      const backward = parseHl7(corpusBytes(name));
      readAll(forward, (s) => [...s]);
      readAll(backward, (s) => [...s].reverse());
      expect(backward, name).toStrictEqual(forward);
      expect(JSON.stringify(backward), name).toBe(JSON.stringify(forward));
    }
  });

  it("round-trips every corpus file byte for byte when nothing was read before serializing, and after", () => {
    for (const name of CORPUS_FILES) {
      const text = expectedText(corpusBytes(name));
      const doc = parseHl7(corpusBytes(name));
      expect(serializeDocument(doc), name).toBe(text);
      expect(serializeDocument(doc), name).toBe(text);
    }
  });

  it("returns the same frozen array, with the same fields in it, on every read", () => {
    const doc = parseHl7(`${MSH}\rPID|1||X^Y~Z||Doe^Jane`);
    const pid = segment(doc, 1);
    const first = pid.fields;
    expect(pid.fields).toBe(first);
    expect(pid.fields[2]).toBe(first[2]);
    expect(leaf(pid, 5, 1, 2)).toBe(first[4]?.[0]?.[1]?.[0]);
    expect(isDeeplyFrozen(pid)).toBe(true);
  });

  it("is a plain object whose keys, JSON and spread are an eager segment's", () => {
    const pid = segment(parseHl7(`${MSH}\rPID|1||X`), 1);
    expect(Object.getPrototypeOf(pid)).toBe(Object.prototype);
    expect(Object.keys(pid)).toStrictEqual(["name", "fields", "line"]);
    const eager = {
      name: "PID",
      fields: [
        [[[{ raw: "1", value: "1" }]]],
        [[[{ raw: "", value: "" }]]],
        [[[{ raw: "X", value: "X" }]]],
      ],
      line: 2,
    };
    expect(JSON.stringify(pid)).toBe(JSON.stringify(eager));
    expect({ ...pid }).toStrictEqual(eager);
    expect(structuredClone(pid)).toStrictEqual(eager);
  });
});

describe("Fields split on first read: mutation refused", () => {
  const attempts: ReadonlyArray<[string, (s: Hl7Segment) => void]> = [
    [
      "assigning fields",
      (s) => {
        (s as { fields: unknown }).fields = [];
      },
    ],
    ["redefining fields", (s) => Object.defineProperty(s, "fields", { value: [] })],
    [
      "deleting fields",
      (s) => {
        delete (s as { fields?: unknown }).fields;
      },
    ],
    [
      "adding a property",
      (s) => {
        (s as unknown as { extra: number }).extra = 1;
      },
    ],
    ["replacing the prototype", (s) => Object.setPrototypeOf(s, { fields: [] })],
  ];

  it.each(attempts)("refuses %s before the first read and after it", (_, attempt) => {
    const doc = parseHl7(`${MSH}\rPID|1||X`);
    const pid = segment(doc, 1);
    expect(() => attempt(pid)).toThrow(TypeError);
    expect(values(pid.fields[2] ?? [])).toStrictEqual([[["X"]]]);
    const read = pid.fields;
    expect(() => attempt(pid)).toThrow(TypeError);
    expect(pid.fields).toBe(read);
    expect(serializeDocument(doc)).toBe(`${MSH}\rPID|1||X`);
  });

  it("refuses changes to the fields array and its leaves", () => {
    const pid = segment(parseHl7(`${MSH}\rPID|1||X`), 1);
    expect(() => (pid.fields as unknown as unknown[]).push([])).toThrow(TypeError);
    expect(() => {
      (pid.fields as unknown as unknown[])[0] = [];
    }).toThrow(TypeError);
    expect(() => {
      (leaf(pid, 3) as { raw?: string }).raw = "Y";
    }).toThrow(TypeError);
    expect(leaf(pid, 1).value).toBe("1");
    expect(leaf(pid, 3)).toStrictEqual({ raw: "X", value: "X" });
  });

  it("keeps its text out of reach: the getter reads no object but the segment it was made for", () => {
    const pid = segment(parseHl7(`${MSH}\rPID|1||X`), 1);
    const getter = Object.getOwnPropertyDescriptor(pid, "fields")?.get;
    expect(getter).toBeTypeOf("function");
    expect(() => getter?.call({ name: "PID", line: 2 })).toThrow(TypeError);
    expect(Object.getOwnPropertySymbols(pid)).toStrictEqual([]);
    expect(Object.getOwnPropertyNames(pid)).toStrictEqual(["name", "fields", "line"]);
  });
});

describe("Fields split on first read: positions, escapes, odd lines", () => {
  it("numbers MSH as the standard does (MSH-1 the separator, MSH-2 the encoding characters) beside lazily read segments", () => {
    const doc = parseHl7(`${MSH}\rPID|1||X`);
    const msh = segment(doc, 0);
    expect(leaf(msh, 1)).toStrictEqual({ raw: "|", value: "|" });
    expect(leaf(msh, 2)).toStrictEqual({ raw: "^~\\&", value: "^~\\&" });
    expect(leaf(msh, 3).value).toBe("SEND");
    expect(leaf(segment(doc, 1), 3).value).toBe("X");
  });

  it("starts field 1 after the name, whatever its length or the field separator", () => {
    const doc = parseHl7("MSH#^~\\&#A#B#C#D#2024##ADT^A04#1#P#2.5\rZPID#a#b|c\rPV1\rAL1#\rNK1##\r");
    const [, zpid, pv1, al1, nk1] = doc.messages[0]?.segments ?? [];
    expect(zpid?.name).toBe("ZPID");
    expect(values(zpid?.fields[0] ?? [])).toStrictEqual([[["a"]]]);
    expect(values(zpid?.fields[1] ?? [])).toStrictEqual([[["b|c"]]]);
    expect(pv1).toStrictEqual({ name: "PV1", fields: [], line: 3 });
    expect(al1).toStrictEqual({ name: "AL1", fields: [[[[{ raw: "", value: "" }]]]], line: 4 });
    expect(nk1?.fields).toHaveLength(2);
    expect(serializeDocument(doc)).toBe(
      "MSH#^~\\&#A#B#C#D#2024##ADT^A04#1#P#2.5\rZPID#a#b|c\rPV1\rAL1#\rNK1##\r",
    );
  });

  it("decodes escapes where the escape character occurs, keeping raw; elsewhere value is raw", () => {
    const doc = parseHl7(`${MSH}\rNTE|1|a\\F\\b^c\\S\\d&e\\T\\f~\\E\\|plain^text&here~x`);
    const nte = segment(doc, 1);
    expect(leaf(nte, 2, 1, 1)).toStrictEqual({ raw: "a\\F\\b", value: "a|b" });
    expect(leaf(nte, 2, 1, 2, 1)).toStrictEqual({ raw: "c\\S\\d", value: "c^d" });
    expect(leaf(nte, 2, 1, 2, 2)).toStrictEqual({ raw: "e\\T\\f", value: "e&f" });
    expect(leaf(nte, 2, 2)).toStrictEqual({ raw: "\\E\\", value: "\\" });
    expect(values(nte.fields[2] ?? [])).toStrictEqual([[["plain"], ["text", "here"]], [["x"]]]);
    expect(leaf(nte, 3, 1, 2, 2)).toStrictEqual({ raw: "here", value: "here" });
  });

  it("decodes nothing when MSH-2 declares no escape character (^~})", () => {
    const doc = parseHl7("MSH|^~}|A|B|C|D|2024||ADT^A04|1|P|2.3\rNTE|1|a\\F\\b^c}d");
    expect(values(segment(doc, 1).fields[1] ?? [])).toStrictEqual([[["a\\F\\b"], ["c", "d"]]]);
  });

  it("keeps the HL7 null and the empty field apart", () => {
    const pid = segment(parseHl7(`${MSH}\rPID|""||a^""`), 1);
    expect(leaf(pid, 1)).toStrictEqual({ raw: '""', value: null });
    expect(leaf(pid, 2)).toStrictEqual({ raw: "", value: "" });
    expect(leaf(pid, 3, 1, 2)).toStrictEqual({ raw: '""', value: null });
  });
});

describe("Fields split on first read: problems stay located", () => {
  it("warns at line 7 of the MALFORMED corpus file and keeps the line as a segment", () => {
    const doc = parseHl7(corpusBytes(MALFORMED_FILE));
    expect(doc.issues.map((i) => [i.code, i.line, i.segmentIndex])).toStrictEqual([
      ["INVALID_SEGMENT_NAME", 7, 6],
    ]);
    expect(segment(doc, 6).line).toBe(7);
  });

  it.each([
    ["nothing of it read", false],
    ["every segment read", true],
  ])(
    "reports an invalid PID-7 as INVALID_VALUE at PID.7 when deciding a tree with %s",
    async (_, read) => {
      const hl7 = message({ type: "ADT^A04", pid: { ...JANE, 7: "19801340" } });
      const doc = parseHl7(hl7);
      if (read) readAll(doc, (s) => [...s].reverse());
      const store = await newStore();
      const messageId = await store.receive({
        raw: new TextEncoder().encode(hl7),
        receivedAt: NOW.toISOString(),
        sender: "test",
        controlId: "",
        messageType: "",
        direction: "inbound",
      });
      const parsed = doc.messages[0];
      if (!parsed) throw new Error("no message");
      const outcome = await processMessage(
        fixturePack("inbound-basic"),
        parsed,
        store,
        NOW,
        messageId,
        doc.issues,
      );
      expect(outcome.state).toBe("ERROR");
      expect(errorsOf(outcome)).toStrictEqual([
        { code: "INVALID_VALUE", severity: "error", field: "PID.7", value: "19801340" },
      ]);
    },
  );
});
