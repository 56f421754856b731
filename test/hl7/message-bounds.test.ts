import { describe, expect, it } from "vitest";
import { serializeDocument } from "../../engine/hl7/index.js";
import { parseHl7 } from "../../engine/hl7/parse.js";
import { repeatedSegments } from "../../engine/hl7/structures.js";

const msh = (type: string) => `MSH|^~\\&|SEND|FAC|RECV|RFAC|20240101120000||${type}|CTRL1|P|2.5.1`;
const A04 = [msh("ADT^A04"), "EVN|A04", "PID|1||MRN1^^^H^MR||DOE^JANE", "PV1|1|O"];

describe("A segment its structure holds once, repeated", () => {
  it("is an error at the second PID of an ADT^A04 (ADT_A01 holds one)", () => {
    const doc = parseHl7([...A04, "PID|2||MRN2^^^H^MR||ROE^RICHARD"].join("\r"));
    expect(doc.issues).toStrictEqual([
      {
        code: "SEGMENT_REPEATED",
        severity: "error",
        messageIndex: 0,
        segmentIndex: 4,
        line: 5,
        field: "PID[2]",
        message: "PID occurrence 2: the ADT_A01 structure holds one PID",
      },
    ]);
  });

  it("is reported once per segment, at its second occurrence, however many follow", () => {
    const pids = Array.from({ length: 125 }, (_, i) => `PID|${i + 1}||MRN${i}`);
    const doc = parseHl7([msh("ADT^A04"), "EVN|A04", ...pids, "PV1|1|O", "PV1|2|O"].join("\r"));
    expect(doc.issues.map((i) => [i.field, i.line])).toStrictEqual([
      ["PID[2]", 4],
      ["PV1[2]", 129],
    ]);
  });

  it("reads the structure from MSH-9.3 when the trigger names none", () => {
    const doc = parseHl7([msh("DFT^P99^DFT_P03"), "PID|1", "PID|2"].join("\r"));
    expect(doc.issues.map((i) => i.field)).toStrictEqual(["PID[2]"]);
  });

  it("allows what the structure repeats: IN1 groups in an ADT, PID in an SIU's patient groups, Z-segments", () => {
    const adt = [...A04, "IN1|1|P1", "IN2|1", "IN1|2|P2", "IN2|2", "ZPI|1", "ZPI|2"].join("\r");
    const siu = [msh("SIU^S12"), "SCH|1", "PID|1||A", "PID|2||B", "RGS|1"].join("\r");
    for (const text of [adt, siu]) expect(parseHl7(text).issues).toStrictEqual([]);
  });

  it("leaves a type the engine has no structure for alone (ORU^R01)", () => {
    const doc = parseHl7([msh("ORU^R01"), "PID|1", "PID|2"].join("\r"));
    expect(repeatedSegments(doc.messages[0] as never)).toStrictEqual([]);
    expect(doc.issues).toStrictEqual([]);
  });

  it("holds one SCH in an SIU", () => {
    const doc = parseHl7([msh("SIU^S12"), "SCH|1", "SCH|2"].join("\r"));
    expect(doc.issues.map((i) => [i.code, i.field])).toStrictEqual([
      ["SEGMENT_REPEATED", "SCH[2]"],
    ]);
  });
});

describe("limits.maxSegments", () => {
  it("makes a message of more segments an error at the line that went over, kept as received", () => {
    const lines = [msh("ADT^A04"), "EVN|A04", "PID|1", "PV1|1", "NK1|1|A^B", "NK1|2|C^D"];
    const text = `${lines.join("\r")}\r`;
    const doc = parseHl7(text, { limits: { maxSegments: 4 } });
    expect(doc.issues).toStrictEqual([
      {
        code: "MESSAGE_TOO_LARGE",
        severity: "error",
        messageIndex: 0,
        segmentIndex: 4,
        line: 5,
        message:
          "the message holds more than 4 segments (the read limit); from line 5 on it is kept but not read",
      },
    ]);
    expect(doc.messages[0]?.segments.map((s) => s.name)).toStrictEqual(
      lines.map((l) => l.slice(0, 3)),
    );
    // Past the limit, a line is one unparsed field.
    expect(doc.messages[0]?.segments[5]?.fields).toStrictEqual([
      [[[{ raw: "2|C^D", value: "2|C^D" }]]],
    ]);
    expect(serializeDocument(doc)).toBe(text);
  });

  it("applies to each message of a batch on its own", () => {
    const one = [msh("ADT^A04"), "EVN|A04", "PID|1"].join("\r");
    const doc = parseHl7(`${one}\r${one}\r`, { limits: { maxSegments: 3 } });
    expect(doc.issues).toStrictEqual([]);
    expect(doc.messages).toHaveLength(2);
  });

  it("defaults to 5,000 segments", () => {
    const nk1 = Array.from({ length: 5_000 }, (_, i) => `NK1|${i + 1}`);
    const doc = parseHl7([msh("ADT^A04"), ...nk1].join("\r"));
    expect(doc.issues.map((i) => [i.code, i.line])).toStrictEqual([["MESSAGE_TOO_LARGE", 5_001]]);
  });
});

describe("limits.maxMessageChars", () => {
  it("makes a longer message an error at the line that went over", () => {
    const text = [msh("ADT^A04"), "EVN|A04", `PID|1||${"X".repeat(200)}`, "PV1|1"].join("\r");
    const doc = parseHl7(text, { limits: { maxMessageChars: 150 } });
    expect(doc.issues.map((i) => [i.code, i.line, i.message])).toStrictEqual([
      [
        "MESSAGE_TOO_LARGE",
        3,
        "the message holds more than 150 characters (the read limit); from line 3 on it is kept but not read",
      ],
    ]);
  });
});

describe("A structure named by the message", () => {
  it.each(["__proto__", "constructor", "toString"])(
    "is looked up among the known ones only (MSH-9 %s)",
    (name) => {
      for (const type of [`${name}^${name}^${name}`, `ADT^${name}^${name}`]) {
        const doc = parseHl7([msh(type), "PID|1", "PID|2"].join("\r"));
        expect(doc.issues).toStrictEqual([]);
      }
    },
  );
});
