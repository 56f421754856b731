import { describe, expect, it } from "vitest";
import { charsetFor, parseHl7 } from "../../engine/hl7/index.js";
import { corpusBytes, firstMessage, leaf, segment } from "./helpers.js";

const header = (msh18: string) => `MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5||||||${msh18}`;

/** A message whose PID-5 holds `name`: ASCII text around the given bytes. */
function message(msh18: string, name: Uint8Array | string): Buffer {
  const bytes = typeof name === "string" ? Buffer.from(name, "utf8") : Buffer.from(name);
  return Buffer.concat([Buffer.from(`${header(msh18)}\rPID|1||X||`), bytes, Buffer.from("^Y\r")]);
}

const pid5 = (input: Uint8Array | string, m = 0) => leaf(segment(parseHl7(input), 1, m), 5).value;

describe("Bytes decoded per MSH-18", () => {
  it("decodes UTF-8 when MSH-18 is absent", () => {
    const bytes = Buffer.from("MSH|^~\\&|A|B|C|D|2024||ADT^A01|1|P|2.5\rPID|1||X||Renée^Ö\r");
    const doc = parseHl7(bytes);
    expect(firstMessage(doc).charset).toBe("UTF-8");
    expect(leaf(segment(doc, 1), 5).value).toBe("Renée");
    expect(doc.issues).toStrictEqual([]);
  });

  it("decodes UNICODE UTF-8 (ADT_A28__efferent__1) and names the set", () => {
    const doc = parseHl7(corpusBytes("ADT_A28__efferent__1.hl7"));
    expect(firstMessage(doc).charset).toBe("UNICODE UTF-8");
    expect(doc.issues).toStrictEqual([]);
    const doc2 = parseHl7(message("UNICODE UTF-8", "Müller"));
    expect(leaf(segment(doc2, 1), 5).value).toBe("Müller");
    expect(doc2.issues).toStrictEqual([]);
  });

  it("decodes 8859/1 as latin1: 0xE9 is é", () => {
    const doc = parseHl7(message("8859/1", new Uint8Array([0x52, 0x65, 0x6e, 0xe9, 0xe9])));
    expect(firstMessage(doc).charset).toBe("8859/1");
    expect(leaf(segment(doc, 1), 5).value).toBe("Renéé");
    expect(doc.issues).toStrictEqual([]);
    expect(pid5(message("ISO IR100", new Uint8Array([0xc4, 0xff])))).toBe("Äÿ");
  });

  it("decodes the other ISO 8859 parts with their own tables", () => {
    expect(pid5(message("8859/5", new Uint8Array([0xe9])))).toBe("щ");
    expect(pid5(message("8859/7", new Uint8Array([0xe9])))).toBe("ι");
    expect(pid5(message("8859/15", new Uint8Array([0xa4])))).toBe("€");
    expect(pid5(message("8859/2", new Uint8Array([0xb3])))).toBe("ł");
  });

  it("decodes ASCII as ASCII", () => {
    const doc = parseHl7(message("ASCII", "Smith"));
    expect(firstMessage(doc).charset).toBe("ASCII");
    expect(leaf(segment(doc, 1), 5).value).toBe("Smith");
    expect(doc.issues).toStrictEqual([]);
  });

  it("reads ASCII-declared text holding valid UTF-8 as UTF-8, with a warning (documented choice)", () => {
    const doc = parseHl7(message("ASCII", "José"));
    expect(leaf(segment(doc, 1), 5).value).toBe("José");
    expect(firstMessage(doc).charset).toBe("ASCII");
    expect(doc.issues).toStrictEqual([
      {
        code: "INVALID_BYTES",
        severity: "warning",
        messageIndex: 0,
        segmentIndex: -1,
        line: 1,
        field: "MSH.18",
        message:
          "MSH-18 declares ASCII but the message holds non-ASCII bytes; they are valid UTF-8 and were read as UTF-8",
      },
    ]);
  });

  it("reads ORM_O01__hl7v2fhir__1 (declares ASCII, holds UTF-8) as UTF-8 with that warning", () => {
    const doc = parseHl7(corpusBytes("ORM_O01__hl7v2fhir__1.hl7"));
    expect(firstMessage(doc).charset).toBe("ASCII");
    expect(doc.issues.map((i) => [i.code, i.severity, i.line])).toStrictEqual([
      ["INVALID_BYTES", "warning", 1],
    ]);
    const in1 = firstMessage(doc).segments.find((s) => s.name === "IN1");
    const texts = in1?.fields.flat(3).map((l) => l.value) ?? [];
    expect(texts.some((t) => t?.includes("workman\uFFFDs comp"))).toBe(true);
  });

  it("replaces bytes invalid in ASCII with U+FFFD and warns", () => {
    const doc = parseHl7(message("ASCII", new Uint8Array([0x41, 0xe9, 0x42])));
    expect(leaf(segment(doc, 1), 5).value).toBe("A\uFFFDB");
    expect(doc.issues.map((i) => [i.code, i.severity, i.message])).toStrictEqual([
      ["INVALID_BYTES", "warning", "bytes that are not valid ASCII were replaced with U+FFFD"],
    ]);
  });

  it("replaces invalid UTF-8 with U+FFFD and warns, never fatal", () => {
    const doc = parseHl7(message("", new Uint8Array([0x41, 0xc3, 0x28, 0xff, 0x42])));
    expect(leaf(segment(doc, 1), 5).value).toBe("A\uFFFD(\uFFFDB");
    expect(leaf(segment(doc, 1), 5, 1, 2).value).toBe("Y");
    expect(
      doc.issues.map((i) => [i.code, i.severity, i.messageIndex, i.line, i.message]),
    ).toStrictEqual([
      [
        "INVALID_BYTES",
        "warning",
        0,
        1,
        "bytes that are not valid UTF-8 were replaced with U+FFFD",
      ],
    ]);
  });

  it("replaces bytes a set does not define (0xC7 in 8859/8) and warns", () => {
    const doc = parseHl7(message("8859/8", new Uint8Array([0xc7, 0xe9])));
    expect(leaf(segment(doc, 1), 5).value).toBe("\uFFFDי");
    expect(doc.issues.map((i) => [i.code, i.message])).toStrictEqual([
      ["INVALID_BYTES", "bytes that are not valid 8859/8 were replaced with U+FFFD"],
    ]);
  });

  it("warns on an unknown character set and decodes UTF-8", () => {
    const doc = parseHl7(message("EBCDIC", "Zoë"));
    expect(leaf(segment(doc, 1), 5).value).toBe("Zoë");
    expect(firstMessage(doc).charset).toBe("EBCDIC");
    expect(doc.issues).toStrictEqual([
      {
        code: "UNKNOWN_CHARSET",
        severity: "warning",
        messageIndex: 0,
        segmentIndex: 0,
        line: 1,
        field: "MSH.18",
        message: "character set 'EBCDIC' (MSH-18) is not supported; decoded as UTF-8",
      },
    ]);
    // A string is already decoded, but the unknown declaration is still reported.
    expect(parseHl7(`${header("EBCDIC")}\rPID|1`).issues.map((i) => i.code)).toStrictEqual([
      "UNKNOWN_CHARSET",
    ]);
  });

  it("decodes each message with its own MSH-18 and locates warnings on that message", () => {
    const bytes = Buffer.concat([
      message("8859/1", new Uint8Array([0xe9])),
      message("", new Uint8Array([0xc3, 0xa9])),
      message("", new Uint8Array([0xe9])),
    ]);
    const doc = parseHl7(bytes);
    expect(doc.messages.map((m) => m.charset)).toStrictEqual(["8859/1", "UTF-8", "UTF-8"]);
    expect([0, 1, 2].map((m) => leaf(segment(doc, 1, m), 5).value)).toStrictEqual([
      "é",
      "é",
      "\uFFFD",
    ]);
    expect(doc.issues.map((i) => [i.code, i.messageIndex, i.line])).toStrictEqual([
      ["INVALID_BYTES", 2, 5],
    ]);
  });

  it("uses the first component and repetition of MSH-18, in any case", () => {
    expect(firstMessage(parseHl7(message("8859/1~UNICODE UTF-8", "x"))).charset).toBe("8859/1");
    expect(pid5(message("8859/1^x", new Uint8Array([0xe9])))).toBe("é");
    expect(firstMessage(parseHl7(message("unicode utf-8", "x"))).charset).toBe("UNICODE UTF-8");
    expect(charsetFor(" 8859/1 ")).toStrictEqual({
      name: "8859/1",
      decoding: "latin1",
      known: true,
    });
    expect(charsetFor("")).toStrictEqual({ name: "UTF-8", decoding: "utf-8", known: true });
    expect(charsetFor("KLINGON")).toStrictEqual({
      name: "KLINGON",
      decoding: "utf-8",
      known: false,
    });
  });

  it("decodes a batch header before the first MSH with the first message's set", () => {
    const bytes = Buffer.concat([
      Buffer.from("BHS|^~\\&|Caf"),
      new Uint8Array([0xe9]),
      Buffer.from("\r"),
      message("8859/1", new Uint8Array([0xe9])),
      Buffer.from("BTS|1"),
    ]);
    const doc = parseHl7(bytes);
    expect(doc.envelope[0]?.segment.fields[2]?.[0]?.[0]?.[0]?.value).toBe("Café");
    expect(pid5(bytes)).toBe("é");
    expect(doc.issues).toStrictEqual([]);
  });
});
