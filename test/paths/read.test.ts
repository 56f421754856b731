import { describe, expect, it } from "vitest";
import { type Hl7Message, type Hl7Segment, parseHl7 } from "../../engine/hl7/index.js";
import {
  type CompiledReference,
  compileReference,
  type ReadContext,
  type ReadResult,
} from "../../engine/paths/index.js";

/** A segment line from its non-empty fields: seg("IN1", { 1: "1", 4: "Plan" }) = "IN1|1|||Plan". */
function seg(name: string, fields: Record<number, string>): string {
  const last = Math.max(...Object.keys(fields).map(Number));
  const values = Array.from({ length: last }, (_, i) => fields[i + 1] ?? "");
  return [name, ...values].join("|");
}

function message(...lines: string[]): Hl7Message {
  const doc = parseHl7(`${lines.join("\r")}\r`);
  expect(doc.issues.filter((i) => i.severity === "error")).toEqual([]);
  const first = doc.messages[0];
  if (first === undefined) throw new Error("no message");
  return first;
}

const MSH = "MSH|^~\\&|SEND|FAC|RECV|FAC|20240101120000||DFT^P03^DFT_P03|CTRL1|P|2.5.1";

const DFT = message(
  MSH,
  seg("PID", {
    1: "1",
    3: '123^^^MR~456^^^SS~""~^^^XX',
    5: "DOE&VAN^JOHN^Q",
    7: "19700101",
    8: '""',
    11: "O\\T\\BRIEN\\F\\X^^Town",
    13: "~",
  }),
  seg("PV1", { 1: "1", 2: "O", 3: "CLINIC^^^MAIN", 7: "^SMITH^ANN" }),
  seg("FT1", {
    1: "1",
    13: "DEPT13",
    16: "^^^^DEPT16",
    19: 'E11.9~I10~""~^Text only',
    20: "1234^SMITH",
    21: "5678^JONES",
    25: "99213^Visit",
    26: "25~59",
  }),
  seg("PR1", { 1: "1", 3: "99213" }),
  seg("FT1", { 1: "2", 13: "DEPT13B", 19: '""', 25: "99214" }),
  seg("DG1", { 1: "1", 3: "E11.9" }),
  seg("DG1", { 1: "2", 3: "I10" }),
  seg("DG1", { 1: "3", 3: '""', 6: '""' }),
  seg("IN1", { 1: "1", 2: "HMP-100", 4: "Harbor Mutual PPO", 5: "100 Main St" }),
  seg("IN2", { 1: "1", 2: "111-22-3333" }),
  seg("IN1", { 1: "2", 2: '""', 4: "Other Plan" }),
  seg("IN1", { 1: "3", 2: "", 4: "", 5: '""' }),
  seg("IN2", { 1: "3", 2: "999-99-9999" }),
);

function compile(text: string): CompiledReference {
  const result = compileReference(text);
  if (!result.ok)
    throw new Error(`${text}: ${result.error.message} (column ${result.error.column})`);
  return result.reference;
}

function read(text: string, context: Partial<ReadContext> = {}): ReadResult {
  return compile(text).read({ message: DFT, ...context });
}

const hl7 = (value: string | string[], alternative: string): ReadResult => ({
  kind: "value",
  value,
  source: "hl7",
  alternative,
});
const derived = (value: string | string[], alternative: string): ReadResult => ({
  kind: "value",
  value,
  source: "derived",
  alternative,
});
const nul = (alternative: string): ReadResult => ({ kind: "null", alternative });
const ABSENT: ReadResult = { kind: "absent" };

describe("segment.field.component.subcomponent, numbered from 1", () => {
  it("reads a component and a subcomponent", () => {
    expect(read("PID.5.2")).toEqual(hl7("JOHN", "PID.5.2"));
    expect(read("PID.5.3")).toEqual(hl7("Q", "PID.5.3"));
    expect(read("PID.5.1.2")).toEqual(hl7("VAN", "PID.5.1.2"));
  });

  it("reads subcomponent 1 of a component that has subcomponents", () => {
    expect(read("PID.5.1")).toEqual(hl7("DOE", "PID.5.1"));
    expect(read("PID.5.1.1")).toEqual(hl7("DOE", "PID.5.1.1"));
  });

  it("is absent past the last field, component or subcomponent, or without the segment", () => {
    expect(read("PID.5.4")).toEqual(ABSENT);
    expect(read("PID.5.2.2")).toEqual(ABSENT);
    expect(read("PID.99")).toEqual(ABSENT);
    expect(read("ZPD.1")).toEqual(ABSENT);
  });
});

describe("a bare field is component 1 of its first repetition", () => {
  it("reads component 1 of repetition 1", () => {
    expect(read("PID.7")).toEqual(hl7("19700101", "PID.7"));
    expect(read("PID.3")).toEqual(hl7("123", "PID.3"));
    expect(read("PV1.3")).toEqual(hl7("CLINIC", "PV1.3"));
    expect(read("PID.5")).toEqual(hl7("DOE", "PID.5"));
  });

  it("is absent when component 1 is empty, whatever the other components hold", () => {
    expect(read("PV1.7")).toEqual(ABSENT);
    expect(read("PV1.7.2")).toEqual(hl7("SMITH", "PV1.7.2"));
    expect(read("FT1.16")).toEqual(ABSENT);
  });
});

describe("MSH numbering: MSH-1 is the field separator, MSH-2 the encoding characters", () => {
  it("reads MSH fields by their standard numbers", () => {
    expect(read("MSH.1")).toEqual(hl7("|", "MSH.1"));
    expect(read("MSH.2")).toEqual(hl7("^~\\&", "MSH.2"));
    expect(read("MSH.3")).toEqual(hl7("SEND", "MSH.3"));
    expect(read("MSH.9")).toEqual(hl7("DFT", "MSH.9"));
    expect(read("MSH.9.2")).toEqual(hl7("P03", "MSH.9.2"));
    expect(read("MSH.10")).toEqual(hl7("CTRL1", "MSH.10"));
  });
});

describe("[n] picks repetition n, counting from 1", () => {
  it("reads the nth repetition", () => {
    expect(read("PID.3[2].1")).toEqual(hl7("456", "PID.3[2].1"));
    expect(read("PID.3[2]")).toEqual(hl7("456", "PID.3[2]"));
    expect(read("PID.3[2].4")).toEqual(hl7("SS", "PID.3[2].4"));
    expect(read("PID.3[1].1")).toEqual(hl7("123", "PID.3[1].1"));
  });

  it("gives null for an HL7-null repetition and absent past the last", () => {
    expect(read("PID.3[3]")).toEqual(nul("PID.3[3]"));
    expect(read("PID.3[4]")).toEqual(ABSENT);
    expect(read("PID.3[4].4")).toEqual(hl7("XX", "PID.3[4].4"));
    expect(read("PID.3[9].1")).toEqual(ABSENT);
  });
});

describe("[*] reads every repetition as a list", () => {
  it("lists component 1 of each repetition, or the named component", () => {
    expect(read("FT1.26[*]")).toEqual(hl7(["25", "59"], "FT1.26[*]"));
    expect(read("PID.3[*].4")).toEqual(hl7(["MR", "SS", "XX"], "PID.3[*].4"));
  });

  it("drops absent and null repetitions", () => {
    expect(read("FT1.19[*]")).toEqual(hl7(["E11.9", "I10"], "FT1.19[*]"));
    expect(read("PID.3[*].1")).toEqual(hl7(["123", "456"], "PID.3[*].1"));
    expect(read("FT1.19[*].2")).toEqual(hl7(["Text only"], "FT1.19[*].2"));
  });

  it("is a one-item list for a field that does not repeat", () => {
    expect(read("FT1.25[*]")).toEqual(hl7(["99213"], "FT1.25[*]"));
  });

  it("is null when no repetition has a value and one is null, else absent", () => {
    expect(read("FT1[2].19[*]")).toEqual(nul("FT1[2].19[*]"));
    expect(read("PID.13[*]")).toEqual(ABSENT);
    expect(read("PID.99[*]")).toEqual(ABSENT);
    expect(read("ZPD.1[*]")).toEqual(ABSENT);
  });
});

describe("[c=value] picks the first repetition whose component c is value", () => {
  const IDS = message(
    MSH,
    seg("PID", {
      1: "1",
      3: [
        "123^^^HOSP^MR",
        "456^^^2.16.840.1^SS",
        "789^^^LAB^MR",
        "^^^X^PI",
        "777^^^X2^PI",
        '""^^^Y^NL',
        "321^^^Z^DL&sub",
        "AB1^^^W^A\\T\\B",
        "555^^^V^mr",
      ].join("~"),
      7: "19700101",
      13: "5551234^PRN^PH~5559999^ORN^CP~^NET^Internet^a@b.example",
    }),
    seg("NK1", { 1: "1", 5: "5550001^PRN^PH~5550002^WPN^PH" }),
    seg("NK1", { 1: "2", 5: "5550003^PRN^PH" }),
    seg("NK1", { 1: "3", 5: "5550004^WPN^PH" }),
  );
  const readIds = (text: string, context: Partial<ReadContext> = {}) =>
    compile(text).read({ message: IDS, ...context });

  it("reads the named component of the first matching repetition", () => {
    expect(readIds("PID.3[5=MR].1")).toEqual(hl7("123", "PID.3[5=MR].1"));
    expect(readIds("PID.3[5=MR]")).toEqual(hl7("123", "PID.3[5=MR]"));
    expect(readIds("PID.3[5=SS].1")).toEqual(hl7("456", "PID.3[5=SS].1"));
    expect(readIds("PID.3[5=MR].4")).toEqual(hl7("HOSP", "PID.3[5=MR].4"));
    expect(readIds("PID.13[2=PRN].1")).toEqual(hl7("5551234", "PID.13[2=PRN].1"));
    expect(readIds("PID.13[3=CP].1")).toEqual(hl7("5559999", "PID.13[3=CP].1"));
    expect(readIds("PID.13[2=NET].4")).toEqual(hl7("a@b.example", "PID.13[2=NET].4"));
    expect(readIds("PID.7[1=19700101]")).toEqual(hl7("19700101", "PID.7[1=19700101]"));
  });

  it("compares a quoted value exactly", () => {
    expect(readIds('PID.3[4="2.16.840.1"].5')).toEqual(hl7("SS", 'PID.3[4="2.16.840.1"].5'));
    expect(readIds('PID.3[5="MR"].1')).toEqual(hl7("123", 'PID.3[5="MR"].1'));
  });

  it("compares subcomponent 1 of the component, decoded, case-sensitively", () => {
    expect(readIds("PID.3[5=DL].1")).toEqual(hl7("321", "PID.3[5=DL].1"));
    expect(readIds('PID.3[5="DL&sub"].1')).toEqual(ABSENT);
    expect(readIds('PID.3[5="A&B"].1')).toEqual(hl7("AB1", 'PID.3[5="A&B"].1'));
    expect(readIds('PID.3[5="A\\\\T\\\\B"].1')).toEqual(ABSENT);
    expect(readIds("PID.3[5=mr].1")).toEqual(hl7("555", "PID.3[5=mr].1"));
    expect(readIds("PID.3[5=Mr].1")).toEqual(ABSENT);
  });

  it("takes the first match even when what it reads is empty or null (no search further on)", () => {
    expect(readIds("PID.3[5=PI].1")).toEqual(ABSENT);
    expect(readIds("PID.3[5=PI].4")).toEqual(hl7("X", "PID.3[5=PI].4"));
    expect(readIds("PID.3[5=NL].1")).toEqual(nul("PID.3[5=NL].1"));
  });

  it("is absent when no repetition matches, or without the field or segment", () => {
    expect(readIds("PID.3[5=XX].1")).toEqual(ABSENT);
    expect(readIds("PID.3[9=MR].1")).toEqual(ABSENT);
    expect(readIds("PID.13[2=WPN].1")).toEqual(ABSENT);
    expect(readIds("PID.7[1=19700102]")).toEqual(ABSENT);
    expect(readIds("PID.99[1=x]")).toEqual(ABSENT);
    expect(readIds("ZPD.1[1=x]")).toEqual(ABSENT);
  });

  it("filters within the nth segment, or within each segment under [*] (a list)", () => {
    expect(readIds("NK1[3].5[2=WPN]")).toEqual(hl7("5550004", "NK1[3].5[2=WPN]"));
    expect(readIds("NK1[2].5[2=WPN]")).toEqual(ABSENT);
    expect(readIds("NK1[*].5[2=WPN]")).toEqual(hl7(["5550002", "5550004"], "NK1[*].5[2=WPN]"));
    expect(readIds("NK1[*].5[2=XX]")).toEqual(ABSENT);
    expect(compile("NK1[*].5[2=WPN]").yieldsList).toBe(true);
    expect(compile("PID.3[5=MR].1").yieldsList).toBe(false);
  });

  it("reads within the group, like [n]", () => {
    const s = IDS.segments;
    const group = (i: number) => ({ group: [s[i]] as Hl7Segment[], groupMembers: ["NK1"] });
    expect(readIds("NK1.5[2=WPN]", group(2))).toEqual(hl7("5550002", "NK1.5[2=WPN]"));
    expect(readIds("NK1.5[2=WPN]", group(3))).toEqual(ABSENT);
    expect(readIds("NK1.5[2=WPN]", group(4))).toEqual(hl7("5550004", "NK1.5[2=WPN]"));
    expect(readIds("PID.3[5=MR].1", group(3))).toEqual(hl7("123", "PID.3[5=MR].1"));
  });

  it("works as a composite key part and as an alternative", () => {
    expect(readIds("PID.3[5=MR].1+PID.3[5=SS].1")).toEqual(
      hl7("123+456", "PID.3[5=MR].1+PID.3[5=SS].1"),
    );
    expect(readIds("PID.3[5=MR].1+PID.3[5=XX].1")).toEqual(
      hl7("123+", "PID.3[5=MR].1+PID.3[5=XX].1"),
    );
    expect(readIds("PID.3[5=XX].1+PID.3[5=YY].1")).toEqual(ABSENT);
    expect(readIds("PID.3[5=NL].1+PID.3[5=XX].1")).toEqual(nul("PID.3[5=NL].1+PID.3[5=XX].1"));
    expect(readIds("PID.3[5=XX].1 | PID.3[5=SS].1")).toEqual(hl7("456", "PID.3[5=SS].1"));
    expect(readIds("PID.3[5=NL].1 | PID.3[5=PI].1")).toEqual(nul("PID.3[5=NL].1"));
  });
});

describe("segment occurrence: IN1[2] is the second IN1, DG1[*] every DG1", () => {
  it("reads the nth segment of that name", () => {
    expect(read("IN1[2].4")).toEqual(hl7("Other Plan", "IN1[2].4"));
    expect(read("IN1[1].4")).toEqual(hl7("Harbor Mutual PPO", "IN1[1].4"));
    expect(read("FT1[2].13")).toEqual(hl7("DEPT13B", "FT1[2].13"));
    expect(read("IN1[4].4")).toEqual(ABSENT);
  });

  it("lists a field of every such segment, dropping absent and null ones", () => {
    expect(read("DG1[*].3")).toEqual(hl7(["E11.9", "I10"], "DG1[*].3"));
    expect(read("FT1[*].25")).toEqual(hl7(["99213", "99214"], "FT1[*].25"));
    expect(read("IN1[*].2")).toEqual(hl7(["HMP-100"], "IN1[*].2"));
  });

  it("is null when no segment has a value and one is null, else absent", () => {
    expect(read("DG1[*].6")).toEqual(nul("DG1[*].6"));
    expect(read("DG1[*].99")).toEqual(ABSENT);
    expect(read("ZPD[*].1")).toEqual(ABSENT);
  });
});

describe("HAPI-style PID-5-1 means the same as PID.5.1", () => {
  it.each([
    ["PID-5", "PID.5"],
    ["PID-5-2", "PID.5.2"],
    ["PID-5-1-2", "PID.5.1.2"],
    ["MSH-9-2", "MSH.9.2"],
    ["PID-8", "PID.8"],
    ["PID-99", "PID.99"],
  ])("%s = %s, named as written", (hapi, dotted) => {
    const a = read(hapi);
    const b = read(dotted);
    expect(a.kind).toBe(b.kind);
    if (a.kind === "value" && b.kind === "value") expect(a.value).toEqual(b.value);
    if (a.kind !== "absent") expect(a.alternative).toBe(hapi);
  });
});

describe("A+B+C is a composite key: the parts joined with +", () => {
  it("joins the values", () => {
    expect(read("IN1.2+IN1.4+IN1.5")).toEqual(
      hl7("HMP-100+Harbor Mutual PPO+100 Main St", "IN1.2+IN1.4+IN1.5"),
    );
  });

  it("writes an absent part as the empty string", () => {
    const policy = [DFT.segments[9], DFT.segments[10]] as Hl7Segment[];
    const trimmed = message(MSH, seg("IN1", { 1: "1", 2: "HMP-100", 4: "Harbor Mutual PPO" }));
    expect(compile("IN1.2+IN1.4+IN1.5").read({ message: trimmed })).toEqual(
      hl7("HMP-100+Harbor Mutual PPO+", "IN1.2+IN1.4+IN1.5"),
    );
    expect(read("IN1.5+IN1.2", { group: policy })).toEqual(
      hl7("100 Main St+HMP-100", "IN1.5+IN1.2"),
    );
  });

  it("writes a null part as the empty string when another part has a value", () => {
    expect(read("IN1[2].2+IN1[2].4+IN1[2].5")).toEqual(
      hl7("+Other Plan+", "IN1[2].2+IN1[2].4+IN1[2].5"),
    );
  });

  it("is absent when every part is absent", () => {
    expect(read("IN1[3].2+IN1[3].4")).toEqual(ABSENT);
  });

  it("is null when no part has a value and one is null", () => {
    expect(read("IN1[3].2+IN1[3].5")).toEqual(nul("IN1[3].2+IN1[3].5"));
    expect(read("IN1[2].2+IN1[3].2")).toEqual(nul("IN1[2].2+IN1[3].2"));
  });

  it("names the key as written, spaces included", () => {
    expect(read("IN1.2 + IN1.4")).toEqual(hl7("HMP-100+Harbor Mutual PPO", "IN1.2 + IN1.4"));
  });
});

describe("A | B: the first value wins", () => {
  it("takes the first alternative with a value and names it", () => {
    expect(read("FT1.16.5 | FT1.13")).toEqual(hl7("DEPT16", "FT1.16.5"));
    expect(read("FT1.16 | FT1.13")).toEqual(hl7("DEPT13", "FT1.13"));
  });

  it("moves past null alternatives", () => {
    expect(read("PID.8 | PID.7")).toEqual(hl7("19700101", "PID.7"));
  });

  it("counts a list when it is not empty", () => {
    expect(read("DG1[*].99 | DG1[*].3 | PID.7")).toEqual(hl7(["E11.9", "I10"], "DG1[*].3"));
    expect(read("FT1[2].19[*] | FT1.19[*]")).toEqual(hl7(["E11.9", "I10"], "FT1.19[*]"));
  });

  it("is null, naming the first null alternative, when none has a value and one is null", () => {
    expect(read("PID.99 | PID.8 | PID.3[3]")).toEqual(nul("PID.8"));
    expect(read("FT1[2].19[*] | ZPD.1")).toEqual(nul("FT1[2].19[*]"));
  });

  it("is absent when every alternative is absent", () => {
    expect(read("PID.99 | ZPD.1 | appointment.departmentId")).toEqual(ABSENT);
  });

  it("reads a composite key as one alternative (+ binds tighter than |)", () => {
    expect(read("IN1[3].2+IN1[3].4 | IN1.2+IN1.4")).toEqual(
      hl7("HMP-100+Harbor Mutual PPO", "IN1.2+IN1.4"),
    );
  });
});

describe("derived sources: appointment.<field> and patient.<field>", () => {
  const context = {
    derived: {
      appointment: {
        departmentId: "21",
        providerId: "7",
        cleared: null,
        undefinedKey: undefined,
        empty: "",
        number: 42,
        flag: true,
        list: ["a", "", null, 3],
        nullList: [null],
        emptyList: [],
        nested: { a: "b" },
      },
      patient: { primaryProviderId: "9" },
    },
  } satisfies Partial<ReadContext>;

  it("reads a practice value, source derived", () => {
    expect(read("appointment.departmentId", context)).toEqual(
      derived("21", "appointment.departmentId"),
    );
    expect(read("patient.primaryProviderId", context)).toEqual(
      derived("9", "patient.primaryProviderId"),
    );
  });

  it("wins over HL7 alternatives when first, and gives way when absent", () => {
    const chain = "appointment.departmentId | FT1.16 | FT1.13";
    expect(read(chain, context)).toEqual(derived("21", "appointment.departmentId"));
    expect(read(chain)).toEqual(hl7("DEPT13", "FT1.13"));
    expect(read(chain, { derived: { appointment: {} } })).toEqual(hl7("DEPT13", "FT1.13"));
  });

  it("is absent for a missing record, a missing or undefined key, an empty string or an object", () => {
    expect(read("appointment.departmentId")).toEqual(ABSENT);
    expect(read("appointment.departmentId", { derived: {} })).toEqual(ABSENT);
    expect(read("appointment.nope", context)).toEqual(ABSENT);
    expect(read("appointment.undefinedKey", context)).toEqual(ABSENT);
    expect(read("appointment.empty", context)).toEqual(ABSENT);
    expect(read("appointment.nested", context)).toEqual(ABSENT);
    expect(read("appointment.emptyList", context)).toEqual(ABSENT);
  });

  it("never reads inherited properties", () => {
    expect(read("appointment.constructor", context)).toEqual(ABSENT);
    expect(read("patient.toString", context)).toEqual(ABSENT);
    expect(read("patient.__proto__", context)).toEqual(ABSENT);
  });

  it("is null for a null", () => {
    expect(read("appointment.cleared", context)).toEqual(nul("appointment.cleared"));
    expect(read("appointment.nullList", context)).toEqual(nul("appointment.nullList"));
  });

  it("writes numbers and booleans as text, and reads an array as a list", () => {
    expect(read("appointment.number", context)).toEqual(derived("42", "appointment.number"));
    expect(read("appointment.flag", context)).toEqual(derived("true", "appointment.flag"));
    expect(read("appointment.list", context)).toEqual(derived(["a", "3"], "appointment.list"));
  });
});

describe("supervisorOf(X): the provider table's supervising provider of X's value", () => {
  const calls: [string, string][] = [];
  const supervisors: Record<string, string> = { "7": "70", "1234": "SUP-1234" };
  const supervisorOf = (id: string, source: string) => {
    calls.push([id, source]);
    return supervisors[id];
  };

  it("applies to a derived value, source derived", () => {
    calls.length = 0;
    const context = { supervisorOf, derived: { appointment: { providerId: "7" } } };
    expect(read("supervisorOf(appointment.providerId)", context)).toEqual(
      derived("70", "supervisorOf(appointment.providerId)"),
    );
    expect(calls).toEqual([["7", "derived"]]);
  });

  it("applies to an HL7 value, telling the function it is a foreign code", () => {
    calls.length = 0;
    expect(read("supervisorOf(FT1.20)", { supervisorOf })).toEqual(
      derived("SUP-1234", "supervisorOf(FT1.20)"),
    );
    expect(calls).toEqual([["1234", "hl7"]]);
  });

  it("takes an alternative chain inside, and is itself an alternative", () => {
    const chain = "supervisorOf(appointment.providerId | FT1.20) | FT1.21";
    expect(read(chain, { supervisorOf })).toEqual(
      derived("SUP-1234", chain.split(" | FT1.21")[0] as string),
    );
    expect(read(chain, { supervisorOf: () => undefined })).toEqual(hl7("5678", "FT1.21"));
  });

  it("is absent when there is no supervisor, no inner value, or no provider table", () => {
    expect(read("supervisorOf(FT1.21)", { supervisorOf })).toEqual(ABSENT);
    expect(read("supervisorOf(ZPD.1)", { supervisorOf })).toEqual(ABSENT);
    expect(read("supervisorOf(FT1.20)")).toEqual(ABSENT);
    expect(read("supervisorOf(FT1.20)", { supervisorOf: () => "" })).toEqual(ABSENT);
  });

  it("is null when the inner value is null", () => {
    expect(read("supervisorOf(PID.8)", { supervisorOf })).toEqual(nul("supervisorOf(PID.8)"));
  });

  it("maps each item of a list, dropping those without a supervisor", () => {
    const context = { supervisorOf, derived: { appointment: { providers: ["7", "8", "1234"] } } };
    expect(read("supervisorOf(appointment.providers)", context)).toEqual(
      derived(["70", "SUP-1234"], "supervisorOf(appointment.providers)"),
    );
    expect(read("supervisorOf(DG1[*].3)", context)).toEqual(ABSENT);
  });
});

describe("groups: a per-group rule reads its group's segments, anything else the message", () => {
  const s = DFT.segments;
  const policy1 = [s[9], s[10]] as Hl7Segment[];
  const policy2 = [s[11]] as Hl7Segment[];
  const policy3 = [s[12], s[13]] as Hl7Segment[];
  const line1 = [s[3], s[4]] as Hl7Segment[];
  const line2 = [s[5]] as Hl7Segment[];

  it("reads the group's IN1 and IN2", () => {
    expect(read("IN1.4", { group: policy2 })).toEqual(hl7("Other Plan", "IN1.4"));
    expect(read("IN2.2", { group: policy1 })).toEqual(hl7("111-22-3333", "IN2.2"));
    expect(read("IN2.2", { group: policy3 })).toEqual(hl7("999-99-9999", "IN2.2"));
    expect(read("FT1.13 | PR1.3", { group: line2 })).toEqual(hl7("DEPT13B", "FT1.13"));
  });

  it("reads the message for a segment the group does not hold", () => {
    expect(read("PID.5.2", { group: policy1 })).toEqual(hl7("JOHN", "PID.5.2"));
    expect(read("DG1[*].3", { group: line1 })).toEqual(hl7(["E11.9", "I10"], "DG1[*].3"));
    // policy 2 has no IN2: without groupMembers the message's first IN2 is read
    expect(read("IN2.2", { group: policy2 })).toEqual(hl7("111-22-3333", "IN2.2"));
  });

  it("with groupMembers, reads a member segment in the group only, absent when missing", () => {
    const members = ["IN1", "IN2", "IN3"];
    expect(read("IN2.2", { group: policy2, groupMembers: members })).toEqual(ABSENT);
    expect(read("IN2.2", { group: policy3, groupMembers: members })).toEqual(
      hl7("999-99-9999", "IN2.2"),
    );
    expect(read("PID.5.2", { group: policy2, groupMembers: members })).toEqual(
      hl7("JOHN", "PID.5.2"),
    );
  });

  it("counts [n] and [*] within the group", () => {
    expect(read("IN1[2].4", { group: policy1 })).toEqual(ABSENT);
    expect(read("IN1[*].4", { group: policy2 })).toEqual(hl7(["Other Plan"], "IN1[*].4"));
    expect(read("IN1[2].4")).toEqual(hl7("Other Plan", "IN1[2].4"));
  });

  it("keys a composite within the group", () => {
    expect(read("IN1.2+IN1.4+IN1.5", { group: policy2 })).toEqual(
      hl7("+Other Plan+", "IN1.2+IN1.4+IN1.5"),
    );
  });
});

describe("values are the decoded leaves; empty is absent, the HL7 null is null", () => {
  it("decodes escape sequences", () => {
    expect(read("PID.11.1")).toEqual(hl7("O&BRIEN|X", "PID.11.1"));
  });

  it("gives null for the HL7 null and absent for an empty or missing value", () => {
    expect(read("PID.8")).toEqual(nul("PID.8"));
    expect(read("PID.2")).toEqual(ABSENT);
    expect(read("PID.11.2")).toEqual(ABSENT);
    expect(read("PID.13")).toEqual(ABSENT);
  });
});

describe("whitespace is allowed around | and +", () => {
  it("reads the same with or without it", () => {
    expect(read("  FT1.16|FT1.13  ")).toEqual(read("FT1.16 | FT1.13"));
    expect(read("IN1.2\t+ IN1.4").kind).toBe("value");
  });
});

describe("what a compiled reference declares: source, segments, derived, yieldsList", () => {
  it("lists segments and derived sources once each, in order", () => {
    const ref = compile(
      "appointment.departmentId | FT1.16 | FT1.13 | supervisorOf(PV1.7 | patient.x)",
    );
    expect(ref.source).toBe(
      "appointment.departmentId | FT1.16 | FT1.13 | supervisorOf(PV1.7 | patient.x)",
    );
    expect(ref.segments).toEqual(["FT1", "PV1"]);
    expect(ref.derived).toEqual(["appointment.departmentId", "supervisorOf", "patient.x"]);
    expect(ref.yieldsList).toBe(false);
  });

  it("yields a list when some alternative reads [*]", () => {
    expect(compile("FT1.19[*]").yieldsList).toBe(true);
    expect(compile("PID.7 | DG1[*].3").yieldsList).toBe(true);
    expect(compile("supervisorOf(FT1.20[*])").yieldsList).toBe(true);
    expect(compile("IN1.2+IN2.4").segments).toEqual(["IN1", "IN2"]);
  });

  it("reuses one frozen result for absent and one per alternative for null (no allocation)", () => {
    const ref = compile("PID.99 | PID.8");
    expect(ref.read({ message: DFT })).toBe(ref.read({ message: DFT }));
    expect(Object.isFrozen(ref.read({ message: DFT }))).toBe(true);
    const absent = compile("ZPD.1");
    expect(absent.read({ message: DFT })).toBe(compile("PID.99").read({ message: DFT }));
  });

  it("is frozen", () => {
    const ref = compile("PID.5.1");
    expect(Object.isFrozen(ref)).toBe(true);
    expect(Object.isFrozen(ref.segments)).toBe(true);
  });
});

describe("HL7 null of a whole field clears every component", () => {
  const msg = parseHl7(
    'MSH|^~\\&|A|B|C|D|20260101||ADT^A08|1|P|2.5\rPID|1||123||DOE^JANE||||||""|\r',
  ).messages[0] as Hl7Message;
  it.each(["PID.11", "PID.11.1", "PID.11.3", "PID.11.5.2", "PID.11[*].4"])(
    "%s reads null",
    (text) => {
      const compiled = compileReference(text);
      if (!compiled.ok) throw new Error(compiled.error.message);
      expect(compiled.reference.read({ message: msg })).toEqual({
        kind: "null",
        alternative: text,
      });
    },
  );
  it("a component-level null clears only that component", () => {
    const other = parseHl7(
      'MSH|^~\\&|A|B|C|D|20260101||ADT^A08|1|P|2.5\rPID|1||123||DOE^JANE||||||""^^CITY|\r',
    ).messages[0] as Hl7Message;
    const city = compileReference("PID.11.3");
    const line1 = compileReference("PID.11.1");
    if (!city.ok || !line1.ok) throw new Error("compile");
    expect(city.reference.read({ message: other })).toEqual({
      kind: "value",
      value: "CITY",
      source: "hl7",
      alternative: "PID.11.3",
    });
    expect(line1.reference.read({ message: other })).toEqual({
      kind: "null",
      alternative: "PID.11.1",
    });
  });
});
