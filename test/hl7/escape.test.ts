import { describe, expect, it } from "vitest";
import {
  delimitersFrom,
  escapeText,
  type Hl7Leaf,
  type Hl7Message,
  type Hl7Segment,
  parseHl7,
  STANDARD_DELIMITERS,
  serializeDocument,
  serializeMessage,
  serializeSegment,
  unescapeText,
} from "../../engine/hl7/index.js";
import {
  corpusBytes,
  expectedText,
  field,
  firstMessage,
  leaf,
  MSH,
  segment,
  values,
} from "./helpers.js";

/** NTE-3 of a one-NTE message, as parsed. */
function nte3(raw: string, header = MSH): Hl7Leaf {
  return leaf(segment(parseHl7(`${header}\rNTE|1||${raw}`), 1), 3);
}
const decode = (raw: string) => nte3(raw).value;

/** A copy of `s` whose field n is one code-built leaf (no `raw`). */
function withValue(s: Hl7Segment, n: number, value: string | null): Hl7Segment {
  const fields = s.fields.slice();
  fields[n - 1] = [[[{ value }]]];
  return { ...s, fields };
}

describe("Escape sequences decoded in value with raw kept", () => {
  it("decodes the delimiter escapes \\F\\ \\S\\ \\T\\ \\R\\ \\E\\ and keeps raw", () => {
    expect(nte3("a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f")).toStrictEqual({
      raw: "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f",
      value: "a|b^c&d~e\\f",
    });
  });

  it("does not split on escaped delimiters", () => {
    const nte = segment(parseHl7(`${MSH}\rNTE|1||A\\S\\B^C\\T\\D&E\\R\\F~G`), 1);
    expect(values(field(nte, 3))).toStrictEqual([[["A^B"], ["C&D", "E~F"]], [["G"]]]);
  });

  it("decodes \\Xhh..\\ as bytes in the message's character set", () => {
    expect(decode("a\\X0D\\\\X0A\\b")).toBe("a\r\nb");
    expect(decode("\\X41\\\\x42\\")).toBe("A\\x42\\");
    expect(decode("\\XC3A9\\")).toBe("é");
    const latin = "MSH|^~\\&|A|B|C|D|2020||ADT^A01|1|P|2.5||||||8859/1";
    expect(nte3("Ren\\XE9\\", latin).value).toBe("René");
  });

  it("decodes \\.br\\ \\.sp\\ \\.sk\\ and drops \\H\\ \\N\\ \\.fi\\ \\.nf\\ \\.in\\ \\.ti\\ \\.ce\\", () => {
    expect(decode("a\\.br\\b")).toBe("a\nb");
    expect(decode("\\H\\bold\\N\\ plain")).toBe("bold plain");
    expect(decode("a\\.sp\\b")).toBe("a\nb");
    expect(decode("a\\.sp3\\b")).toBe("a\n\n\nb");
    expect(decode("a\\.sp+2\\b")).toBe("a\n\nb");
    expect(decode("a\\.sp 2\\b")).toBe("a\n\nb");
    expect(decode("a\\.sk\\b")).toBe("a b");
    expect(decode("a\\.sk 3\\b")).toBe("a   b");
    expect(decode("\\.fi\\a\\.nf\\b\\.in 4\\c\\.ti -2\\d\\.ce\\e")).toBe("abcde");
  });

  it("bounds the count of \\.sp n\\ and \\.sk n\\ (a huge count cannot throw or blow up)", () => {
    expect(decode("\\.sp99999999999\\")).toBe("\n".repeat(100));
    expect(decode("\\.sk 1000\\x")).toBe(`${" ".repeat(100)}x`);
  });

  it("keeps unknown sequences literally and whole (\\Zfoo\\, \\C2842\\, \\M...\\)", () => {
    expect(nte3("\\Zfoo\\")).toStrictEqual({ raw: "\\Zfoo\\", value: "\\Zfoo\\" });
    expect(decode("\\C2842\\")).toBe("\\C2842\\");
    expect(decode("x\\M2842AB\\y")).toBe("x\\M2842AB\\y");
    // The closing escape of an unknown sequence does not open another one.
    expect(decode("a\\Zfoo\\F\\b")).toBe("a\\Zfoo\\F\\b");
    expect(decode("a\\Zfoo\\\\F\\b")).toBe("a\\Zfoo\\|b");
    expect(decode("\\Q\\")).toBe("\\Q\\");
  });

  it("keeps malformed and unterminated escapes literally", () => {
    expect(decode("\\X4\\")).toBe("\\X4\\");
    expect(decode("\\XZZ\\")).toBe("\\XZZ\\");
    expect(decode("\\X\\")).toBe("\\X\\");
    expect(decode("un\\F")).toBe("un\\F");
    expect(decode("end\\")).toBe("end\\");
    expect(decode("\\")).toBe("\\");
    expect(decode("a\\\\F\\b")).toBe("a\\|b");
    expect(decode("a\\F\\b\\S")).toBe("a|b\\S");
  });

  it("reads an escaped escape as text: \\E\\X0A\\E\\ is \\X0A\\, not a line break", () => {
    expect(decode("\\E\\X0A\\E\\")).toBe("\\X0A\\");
    const ack = parseHl7(corpusBytes("ACK_NA__efferent__1.hl7"));
    expect(leaf(segment(ack, 1), 3)).toStrictEqual({
      raw: "Double encoded value: \\E\\T\\E\\",
      value: "Double encoded value: \\T\\",
    });
  });

  it("decodes ORM_O01__efferent__1: \\.br\\ \\H\\ \\N\\ \\X0D\\ \\X0A\\", () => {
    const doc = parseHl7(corpusBytes("ORM_O01__efferent__1.hl7"));
    const [first, second] = firstMessage(doc).segments.filter((s) => s.name === "NTE");
    expect(first && leaf(first, 3)).toStrictEqual({
      raw: "some text\\.br\\some text after \\H\\new line\\N\\\\.br\\issue Efferent-Health#82",
      value: "some text\nsome text after new line\nissue Efferent-Health#82",
    });
    expect(second && leaf(second, 3).value).toBe(
      "some text\r\nsome text after new line\r\nissue Efferent-Health#81",
    );
  });

  it("decodes ORM_O01__efferent__2 PID-5.1 'Smith\\F\\\\S\\\\R\\\\E\\\\T\\' to 'Smith|^~\\&'", () => {
    const pid = segment(parseHl7(corpusBytes("ORM_O01__efferent__2.hl7")), 1);
    expect(leaf(pid, 5, 1, 1)).toStrictEqual({
      raw: "Smith\\F\\\\S\\\\R\\\\E\\\\T\\",
      value: "Smith|^~\\&",
    });
    expect(leaf(pid, 5, 1, 2).value).toBe("John");
  });

  it("decodes ADT_A01__efferent__1 PID-3 CX-2 '\\E\\' to a backslash", () => {
    const pid = segment(parseHl7(corpusBytes("ADT_A01__efferent__1.hl7")), 2);
    expect(pid.name).toBe("PID");
    expect(leaf(pid, 3, 2, 2)).toStrictEqual({ raw: "\\E\\", value: "\\" });
    expect(values(field(pid, 3))[1]).toStrictEqual([
      ["123456789"],
      ["\\"],
      [""],
      ["USSSA"],
      ["SS"],
    ]);
  });

  it("decodes MDM_T02__nhapi__1 OBX-5 (hex, escaped escape, \\T\\)", () => {
    const obx = segment(parseHl7(corpusBytes("MDM_T02__nhapi__1.hl7")), 1);
    expect(leaf(obx, 5).value).toBe(
      "&#39;Thirty days have September,\rApril\nJune,\nand November.\nWhen short February is done,\\X0A\\all the rest have&nbsp;31.&#39",
    );
  });

  it("decodes the \\F\\ and \\.br\\ table of ORU_R01__nhapi__1 NTE-3", () => {
    const doc = parseHl7(corpusBytes("ORU_R01__nhapi__1.hl7"));
    const nte = firstMessage(doc).segments.find((s) => s.name === "NTE");
    const value = nte ? leaf(nte, 3).value : null;
    expect(value?.startsWith("\n                  Lipid - Target Levels for Treatment \n\n")).toBe(
      true,
    );
    expect(value).toContain("\n  |  Risk   |                  |");
    expect(value).not.toContain("\\F\\");
    expect(value).not.toContain("\\.br\\");
  });

  it("unescapeText is the identity without an escape character or without escapes", () => {
    const noEscape = delimitersFrom("|", "^~}");
    expect(unescapeText("a\\F\\b", noEscape, "utf-8")).toBe("a\\F\\b");
    expect(unescapeText("plain text", STANDARD_DELIMITERS, "utf-8")).toBe("plain text");
  });
});

describe("Serialization writes raw text unless the value was changed", () => {
  it("writes parsed leaves as received, escapes intact", () => {
    const bytes = corpusBytes("ORM_O01__efferent__1.hl7");
    expect(serializeDocument(parseHl7(bytes))).toBe(expectedText(bytes));
    // A non-canonical escape stays as the sender wrote it.
    const doc = parseHl7(`${MSH}\rNTE|1||\\X41\\\\.sp 1\\`);
    expect(serializeDocument(doc)).toBe(`${MSH}\rNTE|1||\\X41\\\\.sp 1\\`);
  });

  it("escapes a code-built value holding |^~&\\ and a line break, and reads it back", () => {
    const value = "a|b^c~d&e\\f\ng";
    const doc = parseHl7(`${MSH}\rNTE|1||old|x`);
    const m = firstMessage(doc);
    const nte = withValue(segment(doc, 1), 3, value);
    const written = serializeSegment(nte, m.delimiters);
    expect(written).toBe("NTE|1||a\\F\\b\\S\\c\\R\\d\\T\\e\\E\\f\\.br\\g|x");
    const back = parseHl7(serializeMessage({ ...m, segments: [m.segments[0] as Hl7Segment, nte] }));
    expect(back.issues).toStrictEqual([]);
    expect(leaf(segment(back, 1), 3)).toStrictEqual({
      raw: "a\\F\\b\\S\\c\\R\\d\\T\\e\\E\\f\\.br\\g",
      value,
    });
    expect(leaf(segment(back, 1), 4).value).toBe("x");
  });

  it('writes code-built text so that it reads back unchanged: CR, CRLF, a literal "", the truncation character', () => {
    const d = delimitersFrom("|", "^~\\&#");
    const cases: Array<[string, string]> = [
      ["a\r\nb\rc", "a\\X0D\\\\.br\\b\\X0D\\c"],
      ['""', "\\X2222\\"],
      ["cut#", "cut\\P\\"],
      ["", ""],
      ["plain text 123", "plain text 123"],
    ];
    for (const [value, raw] of cases) {
      expect(escapeText(value, d)).toBe(raw);
      expect(unescapeText(raw, d, "utf-8")).toBe(value);
    }
  });

  it('writes a code-built null as "" and reads it back as null', () => {
    const doc = parseHl7(`${MSH}\rPID|1||X`);
    const pid = withValue(segment(doc, 1), 3, null);
    expect(serializeSegment(pid, STANDARD_DELIMITERS)).toBe('PID|1||""');
    const back = parseHl7(`${MSH}\r${serializeSegment(pid, STANDARD_DELIMITERS)}`);
    expect(leaf(segment(back, 1), 3)).toStrictEqual({ raw: '""', value: null });
  });

  it("escapes with the message's own delimiters", () => {
    const d = delimitersFrom("#", "@*$%");
    expect(escapeText("a#b@c*d$e%f\ng", d)).toBe("a$F$b$S$c$R$d$E$e$T$f$.br$g");
    expect(unescapeText("a$F$b$S$c$R$d$E$e$T$f$.br$g", d, "utf-8")).toBe("a#b@c*d$e%f\ng");
  });

  it("replaces delimiters and line breaks by spaces when MSH-2 declares no escape character", () => {
    expect(escapeText("a|b^c~d}e&f\\g\r\nh", delimitersFrom("|", "^~}"))).toBe("a b c d e&f\\g h");
  });

  it("writes MSH-1 and MSH-2 literally, even when built by code", () => {
    const doc = parseHl7(MSH);
    const msh = segment(doc, 0);
    const fields = msh.fields.slice();
    fields[1] = [[[{ value: "^~\\&" }]]];
    expect(serializeSegment({ ...msh, fields }, STANDARD_DELIMITERS)).toBe(MSH);
  });

  it("ends every segment of a message with CR", () => {
    const m: Hl7Message = firstMessage(parseHl7(`${MSH}\nPID|1\r\nPV1|1`));
    expect(serializeMessage(m)).toBe(`${MSH}\rPID|1\rPV1|1\r`);
  });
});
