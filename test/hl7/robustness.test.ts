import { describe, expect, it } from "vitest";
import { type Hl7Document, parseHl7, serializeDocument } from "../../engine/hl7/index.js";
import {
  corpusBytes,
  expectedText,
  firstMessage,
  isDeeplyFrozen,
  leaf,
  MALFORMED_FILE,
  MSH,
  segment,
} from "./helpers.js";

/** Deterministic pseudo-random bytes (a linear congruential generator). */
function junk(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Every issue is located: message index, segment index, line. */
function expectLocated(doc: Hl7Document) {
  for (const issue of doc.issues) {
    expect(Number.isInteger(issue.messageIndex) && issue.messageIndex >= -1).toBe(true);
    expect(Number.isInteger(issue.segmentIndex) && issue.segmentIndex >= -1).toBe(true);
    expect(Number.isInteger(issue.line) && issue.line >= 1).toBe(true);
  }
}

describe("Bad input never throws out of the parser", () => {
  it("reports input without MSH as a PARSE_ERROR, keeping the text", () => {
    const doc = parseHl7("PID|1||X\rPV1|1");
    expect(doc.messages).toStrictEqual([]);
    expect(doc.envelope.map((e) => e.segment.name)).toStrictEqual(["PID", "PV1"]);
    expect(doc.issues).toStrictEqual([
      {
        code: "TEXT_OUTSIDE_MESSAGE",
        severity: "error",
        messageIndex: -1,
        segmentIndex: -1,
        line: 1,
        message: "line 1 is outside any message (no MSH segment before it)",
      },
      {
        code: "PARSE_ERROR",
        severity: "error",
        messageIndex: -1,
        segmentIndex: -1,
        line: 1,
        message: "no MSH segment found: this is not an HL7 v2 message",
      },
    ]);
    expect(serializeDocument(doc)).toBe("PID|1||X\rPV1|1");
  });

  it("reports empty input", () => {
    for (const input of ["", new Uint8Array(0), "\uFEFF", "\r\n"]) {
      const doc = parseHl7(input);
      expect(doc.messages).toStrictEqual([]);
      expect(doc.issues.map((i) => [i.code, i.message])).toStrictEqual([
        ["PARSE_ERROR", "the input is empty"],
      ]);
    }
  });

  it("reports a truncated MSH (MSH|^~\\&|A) with its position and still returns the message", () => {
    const doc = parseHl7("MSH|^~\\&|A");
    expect(doc.messages).toHaveLength(1);
    expect(leaf(segment(doc, 0), 3).value).toBe("A");
    expect(doc.issues).toStrictEqual([
      {
        code: "PARSE_ERROR",
        severity: "error",
        messageIndex: 0,
        segmentIndex: 0,
        line: 1,
        field: "MSH.9",
        message: "message type (MSH-9) is empty or the MSH segment is truncated",
      },
    ]);
  });

  it("locates an error in a later message", () => {
    const doc = parseHl7(`${MSH}\rPID|1\r${MSH}\rPID|2\rMSH|^~\\&|A\rPID|3`);
    expect(doc.messages).toHaveLength(3);
    expect(doc.issues.map((i) => [i.code, i.messageIndex, i.segmentIndex, i.line])).toStrictEqual([
      ["PARSE_ERROR", 2, 0, 5],
    ]);
    expect(doc.messages[2]?.segments.map((s) => s.name)).toStrictEqual(["MSH", "PID"]);
  });

  it("reports MSH with nothing after it", () => {
    const bare = parseHl7("MSH|");
    expect(bare.messages).toHaveLength(1);
    expect(bare.issues.map((i) => [i.code, i.field])).toStrictEqual([
      ["PARSE_ERROR", "MSH.2"],
      ["PARSE_ERROR", "MSH.9"],
    ]);
    expect(serializeDocument(bare)).toBe("MSH|");
    const noSeparator = parseHl7("MSH");
    expect(noSeparator.messages).toStrictEqual([]);
    expect(noSeparator.issues.map((i) => i.code)).toStrictEqual([
      "TEXT_OUTSIDE_MESSAGE",
      "PARSE_ERROR",
    ]);
  });

  it("reports text before the first MSH and parses the message after it", () => {
    const doc = parseHl7(`garbage line\r${MSH}\rPID|1`);
    expect(doc.messages).toHaveLength(1);
    expect(firstMessage(doc).segments.map((s) => s.line)).toStrictEqual([2, 3]);
    expect(doc.issues.map((i) => [i.code, i.severity, i.line])).toStrictEqual([
      ["TEXT_OUTSIDE_MESSAGE", "error", 1],
    ]);
    expect(serializeDocument(doc)).toBe(`garbage line\r${MSH}\rPID|1`);
  });

  it("survives binary junk of any length", () => {
    for (const length of [1, 2, 3, 7, 64, 1000, 20_000]) {
      for (const seed of [1, 2, 3]) {
        const bytes = junk(length, seed * 7919 + length);
        const doc = parseHl7(bytes);
        expect(isDeeplyFrozen(doc)).toBe(true);
        expect(doc.issues.some((i) => i.severity === "error")).toBe(true);
        expectLocated(doc);
      }
    }
  });

  it("survives junk behind a valid MSH", () => {
    const bytes = Buffer.concat([Buffer.from(`${MSH}\r`), junk(5000, 42)]);
    const doc = parseHl7(bytes);
    expect(doc.messages.length).toBeGreaterThanOrEqual(1);
    expect(leaf(segment(doc, 0), 10).value).toBe("CTRL1");
    expect(isDeeplyFrozen(doc)).toBe(true);
    expectLocated(doc);
  });

  it("gives a best-effort tree with an INVALID_SEGMENT_NAME warning at its line for the MALFORMED corpus file", () => {
    const bytes = corpusBytes(MALFORMED_FILE);
    const doc = parseHl7(bytes);
    const m = firstMessage(doc);
    expect(m.segments.map((s) => s.name)).toStrictEqual([
      "MSH",
      "PID",
      "PD1",
      "PV1",
      "ORC",
      "OBR",
      "8866",
      "DG1",
    ]);
    expect(doc.issues).toStrictEqual([
      {
        code: "INVALID_SEGMENT_NAME",
        severity: "warning",
        messageIndex: 0,
        segmentIndex: 6,
        line: 7,
        message:
          "line 7 does not start with a segment ID ('8866'); a line break inside a field? Kept as a segment",
      },
    ]);
    // The broken OBR-17 ends at the line break; the segments after it stay usable.
    const obr = segment(doc, 5);
    expect(leaf(obr, 17).value).toBe("(608)258-");
    expect(leaf(segment(doc, 7), 3, 1, 2).value).toBe("ANKLE FRACTURE");
    expect(serializeDocument(doc)).toBe(expectedText(bytes));
  });

  it("warns on a line break inside a field and keeps going", () => {
    const doc = parseHl7(`${MSH}\rNTE|1||first half\nsecond half|x\rPV1|1`);
    expect(firstMessage(doc).segments.map((s) => s.name)).toStrictEqual([
      "MSH",
      "NTE",
      "second half",
      "PV1",
    ]);
    expect(doc.issues.map((i) => [i.code, i.messageIndex, i.segmentIndex, i.line])).toStrictEqual([
      ["INVALID_SEGMENT_NAME", 0, 2, 3],
    ]);
  });

  it("survives lone surrogates, NUL characters and control bytes in a string", () => {
    const doc = parseHl7(
      `${MSH}\rPID|\uD800|\uDC00x|\u0000\u0001^\u001f\rMSH\uD83D\uDE00^~\\&\uD83D\uDE00A`,
    );
    expect(isDeeplyFrozen(doc)).toBe(true);
    expect(leaf(segment(doc, 1), 1).value).toBe("\uD800");
    expectLocated(doc);
  });

  it("parses a 1 MB field without trouble", () => {
    const big = "A".repeat(1_000_000);
    const started = performance.now();
    const doc = parseHl7(`${MSH}\rOBX|1|ED|||${big}^\\E\\`);
    expect(leaf(segment(doc, 1), 5).value).toBe(big);
    expect(leaf(segment(doc, 1), 5, 1, 2).value).toBe("\\");
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
