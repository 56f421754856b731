import { describe, expect, it } from "vitest";
import { type Hl7Document, parseHl7, serializeDocument } from "../../engine/hl7/index.js";
import {
  CORPUS_FILES,
  corpusBytes,
  expectedText,
  field,
  firstMessage,
  leaf,
  MSH,
  segment,
  values,
} from "./helpers.js";

const names = (doc: Hl7Document) => doc.messages.map((m) => m.segments.map((s) => s.name));
const lines = (doc: Hl7Document) => doc.messages.map((m) => m.segments.map((s) => s.line));
const envelope = (doc: Hl7Document) =>
  doc.envelope.map((e) => [e.segment.name, e.beforeMessage, e.segment.line]);
const MSH2 = MSH.replace("CTRL1", "CTRL2");

describe("Segment terminators \\r, \\n, \\r\\n and mixed", () => {
  it.each([
    ["\\r", "\r"],
    ["\\n", "\n"],
    ["\\r\\n", "\r\n"],
  ])("ends segments at %s and writes CR", (_, eol) => {
    const doc = parseHl7(`${MSH}${eol}PID|1||X${eol}PV1|1|O${eol}`);
    expect(names(doc)).toStrictEqual([["MSH", "PID", "PV1"]]);
    expect(lines(doc)).toStrictEqual([[1, 2, 3]]);
    expect(doc.finalTerminator).toBe(true);
    expect(doc.issues).toStrictEqual([]);
    expect(serializeDocument(doc)).toBe(`${MSH}\rPID|1||X\rPV1|1|O\r`);
  });

  it("keeps PV1 in PID|1||X\\nPV1|1|O\\r (hl7-standard lost it)", () => {
    const doc = parseHl7(`${MSH}\rPID|1||X\nPV1|1|O\r`);
    expect(names(doc)).toStrictEqual([["MSH", "PID", "PV1"]]);
    expect(values(field(segment(doc, 1), 3))).toStrictEqual([[["X"]]]);
    expect(values(field(segment(doc, 2), 2))).toStrictEqual([[["O"]]]);
  });

  it("reads CR, LF and CRLF mixed in one input, each ending one line", () => {
    const doc = parseHl7(`${MSH}\r\nEVN|A01\nPID|1\rPV1|1\n\rNK1|1`);
    expect(names(doc)).toStrictEqual([["MSH", "EVN", "PID", "PV1", "", "NK1"]]);
    expect(lines(doc)).toStrictEqual([[1, 2, 3, 4, 5, 6]]);
    expect(doc.finalTerminator).toBe(false);
    expect(serializeDocument(doc)).toBe(`${MSH}\rEVN|A01\rPID|1\rPV1|1\r\rNK1|1`);
  });

  it("records whether the last segment was terminated (ACK_S12__redox__1 has no final CR)", () => {
    expect(parseHl7(corpusBytes("ACK_S12__redox__1.hl7")).finalTerminator).toBe(false);
    expect(parseHl7(corpusBytes("ACK_NA__pipehat__1.hl7")).finalTerminator).toBe(true);
  });
});

describe("UTF-8 BOM and MLLP framing", () => {
  it("drops a UTF-8 BOM given as bytes (ADT_A01__msfhir__2)", () => {
    const bytes = corpusBytes("ADT_A01__msfhir__2.hl7");
    expect([...bytes.subarray(0, 3)]).toStrictEqual([0xef, 0xbb, 0xbf]);
    const doc = parseHl7(bytes);
    expect(doc.bom).toBe(true);
    expect(segment(doc, 0).name).toBe("MSH");
    expect(leaf(segment(doc, 0), 1).value).toBe("|");
    expect(doc.issues).toStrictEqual([]);
    expect(serializeDocument(doc).startsWith("MSH|^~\\&|")).toBe(true);
  });

  it("drops a BOM given in a string", () => {
    const doc = parseHl7(`\uFEFF${MSH}\rPID|1`);
    expect(doc.bom).toBe(true);
    expect(names(doc)).toStrictEqual([["MSH", "PID"]]);
    expect(serializeDocument(doc)).toBe(`${MSH}\rPID|1`);
    expect(parseHl7(`${MSH}\rPID|1`).bom).toBe(false);
  });

  it("removes MLLP framing bytes VT ... FS CR", () => {
    const framed = Buffer.from(`\x0b${MSH}\rPID|1||X\r\x1c\r`);
    const doc = parseHl7(framed);
    expect(doc.mllp).toBe(true);
    expect(names(doc)).toStrictEqual([["MSH", "PID"]]);
    expect(lines(doc)).toStrictEqual([[1, 2]]);
    expect(doc.issues).toStrictEqual([]);
    expect(serializeDocument(doc)).toBe(`${MSH}\rPID|1||X\r`);
    expect(parseHl7(`\x0b${MSH}\rPID|1||X\r\x1c\r`)).toStrictEqual(doc);
  });

  it("reads several frames in one input as several messages", () => {
    const input = `\x0b${MSH}\rPID|1\r\x1c\r\x0b${MSH2}\rPID|2\r\x1c\r`;
    const doc = parseHl7(Buffer.from(input));
    expect(doc.mllp).toBe(true);
    expect(names(doc)).toStrictEqual([
      ["MSH", "PID"],
      ["MSH", "PID"],
    ]);
    expect(doc.messages.map((m) => leaf(m.segments[0] ?? segment(doc, 0), 10).value)).toStrictEqual(
      ["CTRL1", "CTRL2"],
    );
    expect(lines(doc)).toStrictEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(doc.issues).toStrictEqual([]);
  });

  it("ends a frame whose last segment has no CR, so the next frame's MSH is not swallowed", () => {
    const input = `\x0b${MSH}\rPID|1\x1c\r\x0b${MSH2}\rPID|2\x1c\r`;
    const doc = parseHl7(input);
    expect(names(doc)).toStrictEqual([
      ["MSH", "PID"],
      ["MSH", "PID"],
    ]);
    expect(values(field(segment(doc, 1, 0), 1))).toStrictEqual([[["1"]]]);
    expect(values(field(segment(doc, 1, 1), 1))).toStrictEqual([[["2"]]]);
    expect(doc.finalTerminator).toBe(false);
    expect(serializeDocument(doc)).toBe(`${MSH}\rPID|1\r${MSH2}\rPID|2`);
  });

  it("drops line breaks between frames and tolerates FS without CR", () => {
    const input = `\x0b${MSH}\rPID|1\r\x1c\r\n\x0b${MSH2}\rPID|2\r\x1c`;
    const doc = parseHl7(Buffer.from(input));
    expect(names(doc)).toStrictEqual([
      ["MSH", "PID"],
      ["MSH", "PID"],
    ]);
    expect(doc.issues).toStrictEqual([]);
  });

  it("decodes each frame's bytes with its own MSH-18", () => {
    const latin = Buffer.concat([
      Buffer.from(`\x0b${MSH}||||||8859/1\rPID|1||`),
      new Uint8Array([0xe9]),
      Buffer.from("\r\x1c\r"),
      Buffer.from(`\x0b${MSH2}\rPID|1||é\r\x1c\r`),
    ]);
    const doc = parseHl7(latin);
    expect([0, 1].map((m) => leaf(segment(doc, 1, m), 3).value)).toStrictEqual(["é", "é"]);
    expect(doc.issues).toStrictEqual([]);
  });
});

describe("Several messages and FHS/BHS/BTS/FTS batches", () => {
  it("splits several messages in one file without a batch header", () => {
    const doc = parseHl7(`${MSH}\rPID|1\r${MSH2}\rPID|2\rPV1|1\r`);
    expect(doc.messages.map((m) => m.index)).toStrictEqual([0, 1]);
    expect(names(doc)).toStrictEqual([
      ["MSH", "PID"],
      ["MSH", "PID", "PV1"],
    ]);
    expect(doc.envelope).toStrictEqual([]);
    expect(doc.issues).toStrictEqual([]);
  });

  it.each(CORPUS_FILES.filter((f) => f.startsWith("BATCH_")))(
    "holds as many messages as %s has MSH lines",
    (name) => {
      const bytes = corpusBytes(name);
      const mshLines = expectedText(bytes)
        .split("\r")
        .filter((l) => l.startsWith("MSH")).length;
      const doc = parseHl7(bytes);
      expect(doc.messages).toHaveLength(mshLines);
      expect(mshLines).toBeGreaterThanOrEqual(1);
      expect(serializeDocument(doc)).toBe(expectedText(bytes));
    },
  );

  it("places FHS, BHS, BTS and FTS around the messages (BATCH_FHS__pythonhl7__1)", () => {
    const doc = parseHl7(corpusBytes("BATCH_FHS__pythonhl7__1.hl7"));
    expect(doc.messages).toHaveLength(3);
    expect(envelope(doc)).toStrictEqual([
      ["FHS", 0, 1],
      ["BHS", 0, 2],
      ["BTS", 2, 15],
      ["BHS", 2, 16],
      ["BTS", 3, 23],
      ["FTS", 3, 24],
    ]);
    expect(doc.envelope[0]?.delimiters.field).toBe("|");
    expect(doc.issues).toStrictEqual([]);
  });

  it("is not fooled by MSH inside field values (BATCH_FHS__ironbridge__1)", () => {
    const doc = parseHl7(corpusBytes("BATCH_FHS__ironbridge__1.hl7"));
    expect(doc.messages).toHaveLength(2);
    expect(envelope(doc).map(([n]) => n)).toStrictEqual(["FHS", "BHS", "BTS", "FTS"]);
    const obx = doc.messages[1]?.segments.filter((s) => s.name === "OBX") ?? [];
    expect(obx.map((s) => leaf(s, 4).value)).toStrictEqual(["xMSHx", "xMSH", "MSH"]);
    expect(obx[2] && leaf(obx[2], 8).value).toBe("MSH");
    expect(doc.issues).toStrictEqual([]);
  });

  it("tolerates missing BTS and FTS trailers with warnings (BATCH_FHS__mirth__1)", () => {
    const doc = parseHl7(corpusBytes("BATCH_FHS__mirth__1.hl7"));
    expect(doc.messages).toHaveLength(1);
    expect(doc.issues).toStrictEqual([
      {
        code: "BATCH_TRAILER_MISSING",
        severity: "warning",
        messageIndex: -1,
        segmentIndex: -1,
        line: 24,
        message: "FHS has no FTS trailer; tolerated",
      },
      {
        code: "BATCH_TRAILER_MISSING",
        severity: "warning",
        messageIndex: -1,
        segmentIndex: -1,
        line: 24,
        message: "BHS has no BTS trailer; tolerated",
      },
    ]);
  });

  it("warns when BTS-1 does not count the batch's messages", () => {
    const doc = parseHl7(`BHS|^~\\&|X\r${MSH}\r${MSH2}\rBTS|3\r`);
    expect(doc.messages).toHaveLength(2);
    expect(doc.issues).toStrictEqual([
      {
        code: "BATCH_COUNT_MISMATCH",
        severity: "warning",
        messageIndex: -1,
        segmentIndex: -1,
        line: 4,
        field: "BTS.1",
        message: "BTS-1 declares 3 messages; the batch holds 2",
      },
    ]);
    expect(parseHl7(`BHS|^~\\&|X\r${MSH}\r${MSH2}\rBTS|2\r`).issues).toStrictEqual([]);
    expect(parseHl7(`BHS|^~\\&|X\r${MSH}\rBTS\r`).issues).toStrictEqual([]);
  });

  it("keeps a lone FTS trailer without a header (ORU_R01__pipehat__1)", () => {
    const doc = parseHl7(corpusBytes("ORU_R01__pipehat__1.hl7"));
    expect(doc.messages).toHaveLength(1);
    expect(envelope(doc)).toStrictEqual([["FTS", 1, 127]]);
    expect(doc.envelope[0]?.segment.fields.map((f) => f[0]?.[0]?.[0]?.value)).toStrictEqual([
      "1",
      "END OF FILE",
    ]);
    expect(doc.issues).toStrictEqual([]);
  });
});

describe("Z-segments, trailing spaces and empty segments kept", () => {
  it("keeps Z-segments with their fields (ZNM in ADT_A01__ironbridge__1, Z01 in ADT_A28__renalware__1)", () => {
    const ib = firstMessage(parseHl7(corpusBytes("ADT_A01__ironbridge__1.hl7")));
    const znm = ib.segments.at(-1);
    expect(znm?.name).toBe("ZNM");
    expect(znm && leaf(znm, 3).value).toBe("(763)257-8511");
    const rw = firstMessage(parseHl7(corpusBytes("ADT_A28__renalware__1.hl7")));
    const z01 = rw.segments.find((s) => s.name === "Z01");
    expect(z01 && leaf(z01, 1).value).toBe("07921 222222");
  });

  it("keeps a long Z-segment name whole: ZPID, not ZPI", () => {
    const doc = parseHl7(`${MSH}\rZPID|1|Custom^Value\rZ1|x`);
    expect(names(doc)).toStrictEqual([["MSH", "ZPID", "Z1"]]);
    expect(values(field(segment(doc, 1), 2))).toStrictEqual([[["Custom"], ["Value"]]]);
    // ZPID is a valid Z-segment ID; Z1 is too short to be one.
    expect(doc.issues.map((i) => [i.code, i.segmentIndex, i.line])).toStrictEqual([
      ["INVALID_SEGMENT_NAME", 2, 3],
    ]);
  });

  it("keeps trailing spaces in values", () => {
    const doc = parseHl7(`${MSH}\rPID|1||X |Y^Z  |  \r`);
    const pid = segment(doc, 1);
    expect(leaf(pid, 3).value).toBe("X ");
    expect(leaf(pid, 4, 1, 2).value).toBe("Z  ");
    expect(leaf(pid, 5).value).toBe("  ");
    expect(serializeDocument(doc)).toBe(`${MSH}\rPID|1||X |Y^Z  |  \r`);
  });

  it("keeps empty segments, and writes them back (ACK_V01__ironbridge__1 ends with one)", () => {
    const doc = parseHl7(`${MSH}\r\rPID|1\r\r`);
    expect(names(doc)).toStrictEqual([["MSH", "", "PID", ""]]);
    expect(segment(doc, 1).fields).toStrictEqual([]);
    expect(doc.issues).toStrictEqual([]);
    expect(serializeDocument(doc)).toBe(`${MSH}\r\rPID|1\r\r`);
    const ack = parseHl7(corpusBytes("ACK_V01__ironbridge__1.hl7"));
    expect(names(ack)).toStrictEqual([["MSH", "MSA", "ERR", ""]]);
  });
});
