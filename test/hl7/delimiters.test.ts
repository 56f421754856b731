import { describe, expect, it } from "vitest";
import {
  delimitersFrom,
  encodingCharacters,
  type Hl7Delimiters,
  parseHl7,
  STANDARD_DELIMITERS,
  serializeDocument,
} from "../../engine/hl7/index.js";
import { corpusBytes, firstMessage, leaf, segment, values } from "./helpers.js";

const delims = (
  field: string,
  component: string,
  repetition: string,
  escapeChar: string | null,
  subcomponent: string,
  truncation: string | null = null,
): Hl7Delimiters => ({
  field,
  component,
  repetition,
  escape: escapeChar,
  subcomponent,
  truncation,
});

describe("Delimiters from MSH-1/MSH-2", () => {
  it("reads the standard |^~\\& from the corpus", () => {
    const m = firstMessage(parseHl7(corpusBytes("ADT_A01__mirth__1.hl7")));
    expect(m.delimiters).toStrictEqual(delims("|", "^", "~", "\\", "&"));
    expect(m.delimiters).toStrictEqual(STANDARD_DELIMITERS);
  });

  it.each([
    "BAR_P01__hapi__1.hl7",
    "BAR_P01__hapi__3.hl7",
    "ACK_NA__hapi__1.hl7",
    "QRY_Q01__hapi__1.hl7",
  ])("reads ^~\\} (subcomponent separator '}') from %s", (name) => {
    const doc = parseHl7(corpusBytes(name));
    expect(firstMessage(doc).delimiters).toStrictEqual(delims("|", "^", "~", "\\", "}"));
    expect(doc.issues).toStrictEqual([]);
  });

  it("splits on '}' and not on '&' under ^~\\}", () => {
    const doc = parseHl7(
      "MSH|^~\\}|A|B|C|D|1993||BAR^P01|1|P|2.4\rPID|1||A}B^C&D~E\\T\\F\\S\\G|O\\E\\R",
    );
    const pid = segment(doc, 1);
    expect(values(pid.fields[2] ?? [])).toStrictEqual([[["A", "B"], ["C&D"]], [["E}F^G"]]]);
    expect(leaf(pid, 4).value).toBe("O\\R");
  });

  it("reads ^~} as no escape character, '}' the subcomponent separator (BAR_P01__hapi__2)", () => {
    const doc = parseHl7(corpusBytes("BAR_P01__hapi__2.hl7"));
    const m = firstMessage(doc);
    expect(m.delimiters).toStrictEqual(delims("|", "^", "~", null, "}"));
    expect(doc.issues).toStrictEqual([]);
    // MSH-2 is kept as declared and MSH-3 follows it.
    expect(leaf(segment(doc, 0), 2).value).toBe("^~}");
    expect(leaf(segment(doc, 0), 3).value).toBe("ADMISSION");
    // PID-11 is 4534 GIBSON^^ST LOUIS^MO^63110^"".
    expect(values(segment(doc, 2).fields[10] ?? [])).toStrictEqual([
      [["4534 GIBSON"], [""], ["ST LOUIS"], ["MO"], ["63110"], [null]],
    ]);
  });

  it("unescapes nothing when MSH-2 has no escape character", () => {
    const doc = parseHl7("MSH|^~}|A|B|C|D|1993||BAR^P01|1|P|2.4\rPID|1||A}B\\F\\|\\E\\X0A\\&x");
    const pid = segment(doc, 1);
    expect(values(pid.fields[2] ?? [])).toStrictEqual([[["A", "B\\F\\"]]]);
    expect(leaf(pid, 4)).toStrictEqual({ raw: "\\E\\X0A\\&x", value: "\\E\\X0A\\&x" });
  });

  it("honours a space as escape character (^~ & in ORU_R01__ironbridge__1)", () => {
    const doc = parseHl7(corpusBytes("ORU_R01__ironbridge__1.hl7"));
    expect(firstMessage(doc).delimiters).toStrictEqual(delims("|", "^", "~", " ", "&"));
    expect(doc.issues).toStrictEqual([]);
    const obx = segment(doc, 7);
    expect(obx.name).toBe("OBX");
    // Words between spaces are no escape sequences: kept whole.
    expect(values(obx.fields[14] ?? [])).toStrictEqual([
      [["12D0664165"], ["LAB-HMCW 81-5144 Fort Example Road, #201 Weeble Town PA 15317"]],
    ]);
    expect(values(obx.fields[2] ?? [])).toStrictEqual([
      [["6690-2"], ["Leukocytes"], ["LN"], ["WBC"], ["WBC"], ["LAB"]],
    ]);
  });

  it("decodes sequences between spaces when the space is the escape character", () => {
    const doc = parseHl7("MSH|^~ &|A|B|C|D|2011||ORU^R01|1|T|2.3\rNTE|1||a F b S c E d");
    expect(leaf(segment(doc, 1), 3).value).toBe("a|b^c d");
  });

  it.each([
    ["RSP_K22__hl7apy__1.hl7", "RSP"],
    ["ORM_O01__hl7v2fhir__1.hl7", "ORM"],
    ["ORU_R01__elixirhl7__1.hl7", "ORU"],
  ])("reads ^~\\&# with truncation character '#' from %s", (name, type) => {
    const doc = parseHl7(corpusBytes(name));
    const m = firstMessage(doc);
    expect(m.delimiters).toStrictEqual(delims("|", "^", "~", "\\", "&", "#"));
    expect(leaf(segment(doc, 0), 2).value).toBe("^~\\&#");
    expect(leaf(segment(doc, 0), 9).value).toBe(type);
  });

  it("keeps the truncation character in values and decodes \\P\\ to it", () => {
    const rsp = parseHl7(corpusBytes("RSP_K22__hl7apy__1.hl7"));
    expect(values(segment(rsp, 3).fields[2] ?? [])).toStrictEqual([
      [["@PID.3.1"], ["1010110909194822"]],
      [["@PID.5.1"], ["SMITH"]],
    ]);
    const elixir = parseHl7(corpusBytes("ORU_R01__elixirhl7__1.hl7"));
    const obx = segment(elixir, 8);
    expect(obx.name).toBe("OBX");
    expect(values(obx.fields[2] ?? [])).toStrictEqual([[["2951-2"], ["Sodium [Moles/volume#"]]]);
    const doc = parseHl7("MSH|^~\\&#|A|B|C|D|2020||ORU^R01|1|P|2.7\rNTE|1||cut\\P\\#");
    expect(leaf(segment(doc, 1), 3).value).toBe("cut##");
  });

  it("works with a custom field separator (hl7-standard returned {} for MSH#...)", () => {
    const doc = parseHl7(
      "MSH#^~\\&#SEND#FAC#RECV#RFAC#2024##ADT^A04#C9#P#2.5\rPID#1##X|Y^Z\\F\\~W",
    );
    const m = firstMessage(doc);
    expect(doc.issues).toStrictEqual([]);
    expect(m.delimiters).toStrictEqual(delims("#", "^", "~", "\\", "&"));
    expect(m.segments.map((s) => s.name)).toStrictEqual(["MSH", "PID"]);
    const msh = segment(doc, 0);
    expect(leaf(msh, 1).value).toBe("#");
    expect(leaf(msh, 3).value).toBe("SEND");
    expect(values(msh.fields[8] ?? [])).toStrictEqual([[["ADT"], ["A04"]]]);
    expect(leaf(msh, 10).value).toBe("C9");
    expect(values(segment(doc, 1).fields[2] ?? [])).toStrictEqual([[["X|Y"], ["Z#"]], [["W"]]]);
    expect(serializeDocument(doc)).toBe(
      "MSH#^~\\&#SEND#FAC#RECV#RFAC#2024##ADT^A04#C9#P#2.5\rPID#1##X|Y^Z\\F\\~W",
    );
  });

  it("takes every delimiter from MSH-2, whatever the characters", () => {
    const doc = parseHl7("MSH!@*$%!A!B!C!D!2024!!ADT@A08!1!P!2.5\rPID!1!!a@b%c*d$S$e");
    expect(firstMessage(doc).delimiters).toStrictEqual(delims("!", "@", "*", "$", "%"));
    expect(values(segment(doc, 1).fields[2] ?? [])).toStrictEqual([[["a"], ["b", "c"]], [["d@e"]]]);
  });

  it("recognises BTS/FTS trailers written with the message's own field separator", () => {
    const batch = parseHl7("BHS#^~\\&#X\rMSH#^~\\&#A#B#C#D#2024##ADT^A01#1#P#2.5\rBTS#1");
    expect(firstMessage(batch).segments.map((s) => s.name)).toStrictEqual(["MSH"]);
    expect(batch.envelope.map((e) => e.segment.name)).toStrictEqual(["BHS", "BTS"]);
    expect(batch.issues).toStrictEqual([]);
    // Without a batch header, the message's separator still marks the trailer.
    const lone = parseHl7("MSH#^~\\&#A#B#C#D#2024##ADT^A01#1#P#2.5\rPID#1\rFTS#1#END");
    expect(firstMessage(lone).segments.map((s) => s.name)).toStrictEqual(["MSH", "PID"]);
    expect(lone.envelope.map((e) => [e.segment.name, e.beforeMessage])).toStrictEqual([["FTS", 1]]);
    expect(lone.envelope[0]?.segment.fields.map((f) => f[0]?.[0]?.[0]?.value)).toStrictEqual([
      "1",
      "END",
    ]);
    expect(serializeDocument(lone)).toBe(
      "MSH#^~\\&#A#B#C#D#2024##ADT^A01#1#P#2.5\rPID#1\rFTS#1#END",
    );
  });

  it("reports MSH-2 that cannot declare delimiters, and still parses", () => {
    const doc = parseHl7("MSH|^^~\\&|A|B|C|D|2024||ADT^A01|1|P|2.5");
    expect(doc.issues).toStrictEqual([
      {
        code: "PARSE_ERROR",
        severity: "error",
        messageIndex: 0,
        segmentIndex: 0,
        line: 1,
        field: "MSH.2",
        message:
          "MSH-2 encoding characters '^^~\\&' must be at least two distinct characters other than the field separator",
      },
    ]);
    expect(doc.messages).toHaveLength(1);
  });

  it("reports a letter, digit or space as field separator", () => {
    const doc = parseHl7("MSHX^~\\&XAXBXCXDX2024XXADT^A01X1XPX2.5");
    expect(doc.issues.map((i) => [i.code, i.field, i.message])).toStrictEqual([
      ["PARSE_ERROR", "MSH.1", "MSH-1 field separator 'X' is a letter, digit or space"],
    ]);
  });

  it("delimitersFrom and encodingCharacters agree on every form of MSH-2", () => {
    expect(delimitersFrom("|", "^~\\&")).toStrictEqual(delims("|", "^", "~", "\\", "&"));
    expect(delimitersFrom("|", "^~}")).toStrictEqual(delims("|", "^", "~", null, "}"));
    expect(delimitersFrom("|", "^~ &")).toStrictEqual(delims("|", "^", "~", " ", "&"));
    expect(delimitersFrom("|", "^~\\&#")).toStrictEqual(delims("|", "^", "~", "\\", "&", "#"));
    for (const encoding of ["^~\\&", "^~}", "^~ &", "^~\\&#", "^~\\}"]) {
      expect(encodingCharacters(delimitersFrom("|", encoding))).toBe(encoding);
    }
    expect(Object.isFrozen(delimitersFrom("|", "^~\\&"))).toBe(true);
  });
});
