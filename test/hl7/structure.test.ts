import { describe, expect, it } from "vitest";
import {
  type Hl7Field,
  leafValue,
  parseHl7,
  STANDARD_DELIMITERS,
  serializeField,
} from "../../engine/hl7/index.js";
import { corpusBytes, field, leaf, MSH, segment, values } from "./helpers.js";

const pidOf = (pid: string) => segment(parseHl7(`${MSH}\r${pid}`), 1);

describe("Repetitions, components, subcomponents", () => {
  it("splits a field into repetitions, components and subcomponents", () => {
    const pid = pidOf("PID|1||A^B&C&D^E~F^^G~~H");
    expect(values(field(pid, 3))).toStrictEqual([
      [["A"], ["B", "C", "D"], ["E"]],
      [["F"], [""], ["G"]],
      [[""]],
      [["H"]],
    ]);
    expect(leaf(pid, 3, 1, 2, 3)).toStrictEqual({ raw: "D", value: "D" });
    expect(leaf(pid, 3, 4, 1, 1)).toStrictEqual({ raw: "H", value: "H" });
  });

  it("keeps A&B as two subcomponents of one component, never as repetitions", () => {
    const pid = pidOf("PID|1||A&B");
    expect(field(pid, 3)).toStrictEqual([
      [
        [
          { raw: "A", value: "A" },
          { raw: "B", value: "B" },
        ],
      ],
    ]);
    expect(field(pid, 3)).toHaveLength(1);
    expect(serializeField(field(pid, 3), STANDARD_DELIMITERS)).toBe("A&B");
  });

  it("splits '&' inside text as a subcomponent, as declared (BATCH_FHS__mirth__1 OBR-4)", () => {
    const doc = parseHl7(corpusBytes("BATCH_FHS__mirth__1.hl7"));
    const obr = segment(doc, 4);
    expect(obr.name).toBe("OBR");
    expect(values(field(obr, 4))).toStrictEqual([
      [["MRS"], ["Shephard"], ["Jane MRI W/", "W/O CONTRAST"], ["70553"]],
    ]);
  });

  it("reads repetitions of whole components (ADT_A01__hl7v2fhir__1 PID-3, PID-5)", () => {
    const doc = parseHl7(corpusBytes("ADT_A01__hl7v2fhir__1.hl7"));
    const pid = segment(doc, 2);
    expect(pid.name).toBe("PID");
    expect(values(field(pid, 3))).toStrictEqual([
      [
        ["1032702"],
        [""],
        [""],
        ["V2FHIR", "1.2.3.4.5", "ISO"],
        ["MR"],
        ["AssignFac", "1.2.3.4.5.6.3", "ISO"],
        ["20190101"],
        ["20290101"],
      ],
      [
        ["N09204074"],
        [""],
        [""],
        ["WADMV", "1.3.4.7", "ISO"],
        ["DL"],
        [""],
        ["20180601"],
        ["20280531"],
      ],
    ]);
    expect(leaf(pid, 5, 2, 10, 1).value).toBe("19700601");
    expect(leaf(pid, 5, 2, 10, 2).value).toBe("20000908");
    expect(leafValue(pid, 5, 2, 1)).toBe("Original");
  });

  it("reads bare repetitions (DFT_P03__mieweb__1 FT1-26 'RT~GA')", () => {
    const ft1 = segment(parseHl7(corpusBytes("DFT_P03__mieweb__1.hl7")), 3);
    expect(ft1.name).toBe("FT1");
    expect(values(field(ft1, 26))).toStrictEqual([[["RT"]], [["GA"]]]);
    expect(values(field(ft1, 25))).toStrictEqual([[["73630"]]]);
  });

  it("keeps the number of fields, including trailing empty ones", () => {
    const pid = pidOf("PID|1||X|||");
    expect(pid.fields).toHaveLength(6);
    expect(values(field(pid, 6))).toStrictEqual([[[""]]]);
    expect(pidOf("PID").fields).toStrictEqual([]);
    expect(pidOf("PID|").fields).toStrictEqual([[[[{ raw: "", value: "" }]]]]);
  });

  it("reads past the end as undefined, never a throw (access helpers)", () => {
    const pid = pidOf("PID|1||X");
    expect(leafValue(pid, 3)).toBe("X");
    expect(leafValue(pid, 3, 2)).toBeUndefined();
    expect(leafValue(pid, 3, 1, 5, 9)).toBeUndefined();
    expect(leafValue(pid, 99)).toBeUndefined();
    expect(leafValue(undefined, 1)).toBeUndefined();
  });
});

describe('HL7 null "" distinct from an empty field', () => {
  it('reads "" as value null and an empty field as value "" at field level', () => {
    const pid = pidOf('PID|1|""||X');
    expect(field(pid, 2)).toStrictEqual([[[{ raw: '""', value: null }]]]);
    expect(field(pid, 3)).toStrictEqual([[[{ raw: "", value: "" }]]]);
    expect(leafValue(pid, 2)).toBeNull();
    expect(leafValue(pid, 3)).toBeUndefined();
  });

  it("keeps them apart at component and subcomponent level", () => {
    const pid = pidOf('PID|1||^""^~""&&""^""&');
    expect(field(pid, 3)).toStrictEqual([
      [[{ raw: "", value: "" }], [{ raw: '""', value: null }], [{ raw: "", value: "" }]],
      [
        [
          { raw: '""', value: null },
          { raw: "", value: "" },
          { raw: '""', value: null },
        ],
        [
          { raw: '""', value: null },
          { raw: "", value: "" },
        ],
      ],
    ]);
  });

  it('is only the exact two quotes: """ and " " and "x" are text', () => {
    const pid = pidOf('PID|"""|" "|"x"|""""');
    expect([1, 2, 3, 4].map((n) => leaf(pid, n).value)).toStrictEqual([
      '"""',
      '" "',
      '"x"',
      '""""',
    ]);
  });

  it("writes both back as received", () => {
    const f: Hl7Field = field(pidOf('PID|1||^""^~""&&""'), 3);
    expect(serializeField(f, STANDARD_DELIMITERS)).toBe('^""^~""&&""');
  });

  it("reads the corpus nulls (ADT_A28__efferent__1 PID-3, ORU_R01__simplehl7__1 OBX-17)", () => {
    const pid = segment(parseHl7(corpusBytes("ADT_A28__efferent__1.hl7")), 1);
    expect(field(pid, 3)).toHaveLength(8);
    expect(values(field(pid, 3))[2]).toStrictEqual([[null], [""], [""], [""], ["PRC"]]);
    expect(values(field(pid, 3))[7]).toStrictEqual([
      [null],
      [""],
      [""],
      [""],
      ["NPI"],
      [""],
      [null],
      [""],
      [null, "", null],
      [null, null],
    ]);
    expect(values(field(pid, 5))).toStrictEqual([
      [["TEST|TEST"], ["TEST2"], [""], [""], ["SIG."], [null]],
    ]);
    const doc = parseHl7(corpusBytes("ORU_R01__simplehl7__1.hl7"));
    const obx = segment(doc, 4);
    expect(obx.name).toBe("OBX");
    expect(values(field(obx, 8))).toStrictEqual([[[null]]]);
    expect(values(field(obx, 9))).toStrictEqual([[[""]]]);
    expect(values(field(obx, 17))).toStrictEqual([[[""], [""], [""], [null]]]);
  });
});
