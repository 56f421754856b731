import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type Hl7Message, type Hl7Segment, parseHl7 } from "../../engine/hl7/index.js";
import { compileReference, type ReadContext, type ReadResult } from "../../engine/paths/index.js";

// The shared corpus, read in place: ../shared/corpus/hl7 from the repository root.
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CORPUS = join(ROOT, "..", "shared", "corpus", "hl7");

function load(file: string): Hl7Message {
  const message = parseHl7(readFileSync(join(CORPUS, file))).messages[0];
  if (message === undefined) throw new Error(`${file}: no message`);
  return message;
}

function reader(message: Hl7Message) {
  return (text: string, context: Partial<ReadContext> = {}): ReadResult => {
    const compiled = compileReference(text);
    if (!compiled.ok) throw new Error(`${text}: ${compiled.error.message}`);
    return compiled.reference.read({ message, ...context });
  };
}

/** The segments from `start` up to (not including) the next one named in `leaders`. */
function groupAt(message: Hl7Message, start: number, leaders: string[]): Hl7Segment[] {
  const segments = message.segments;
  let end = start + 1;
  while (end < segments.length && !leaders.includes(segments[end]?.name ?? "")) end++;
  return segments.slice(start, end);
}

const value = (v: string | string[], alternative: string): ReadResult => ({
  kind: "value",
  value: v,
  source: "hl7",
  alternative,
});

describe("corpus: DFT_P03 charges (mieweb)", () => {
  const read = reader(load("DFT_P03__mieweb__1.hl7"));

  it("reads the charge line, modifiers and diagnoses", () => {
    expect(read("MSH.9.2")).toEqual(value("P03", "MSH.9.2"));
    expect(read("FT1.25")).toEqual(value("73630", "FT1.25"));
    expect(read("FT1.26[*]")).toEqual(value(["RT", "GA"], "FT1.26[*]"));
    expect(read("DG1[*].3")).toEqual(value(["V76.12", "959.7"], "DG1[*].3"));
    expect(read("PID.3[*].1")).toEqual(value(["10476", "999999999"], "PID.3[*].1"));
    expect(read("PID.3[2].5")).toEqual(value("SS", "PID.3[2].5"));
  });

  it("falls through FT1.16 (component 1 empty) to a component that holds the location", () => {
    expect(read("FT1.16 | FT1.13")).toEqual({ kind: "absent" });
    expect(read("FT1.16 | FT1.16.5 | FT1.13")).toEqual(value("407", "FT1.16.5"));
  });

  it("reads FT1-19 diagnoses as a list (mieweb 2)", () => {
    expect(reader(load("DFT_P03__mieweb__2.hl7"))("FT1.19[*]")).toEqual(
      value(["440.0", "441.4"], "FT1.19[*]"),
    );
  });
});

describe("corpus: DFT_P03 with several FT1 and IN1 (nhapitools)", () => {
  const read = reader(load("DFT_P03__nhapitools__1.hl7"));

  it("lists every FT1's procedure and reads the nth IN1", () => {
    expect(read("FT1[*].25")).toEqual(value(["99261", "93742", "93621"], "FT1[*].25"));
    expect(read("FT1.19[*]")).toEqual(value(["780.4", "785.2", "272.0", "458.9"], "FT1.19[*]"));
    expect(read("IN1[2].4")).toEqual(value("Another Carrier", "IN1[2].4"));
    expect(read("IN1.3+IN1.4+IN1.5")).toEqual(value("999+Some Carrier+", "IN1.3+IN1.4+IN1.5"));
  });
});

describe("corpus: DFT_P03 FT1 groups with PR1 (msfhir)", () => {
  const message = load("DFT_P03__msfhir__1.hl7");
  const read = reader(message);
  const lines = message.segments.flatMap((s, i) => (s.name === "FT1" ? [i] : []));
  const line = (n: number) => groupAt(message, lines[n] ?? -1, ["FT1", "DG1", "IN1", "GT1"]);

  it("reads the insurance key and subcomponents", () => {
    expect(read("IN1.2+IN1.4+IN1.5")).toEqual(
      value("BAV+Blue Cross Blue Shield of Texas+1979 MILKY WAY", "IN1.2+IN1.4+IN1.5"),
    );
    expect(read("PID.5.1.5")).toEqual(value("Aniston", "PID.5.1.5"));
  });

  it("reads each line's own FT1 within its group", () => {
    expect(line(0).map((s) => s.name)).toEqual(["FT1", "PRT", "PR1", "PRT"]);
    expect(read("FT1.19[*]", { group: line(0) })).toEqual(
      value(["29857009", "68235000"], "FT1.19[*]"),
    );
    expect(read("FT1.19[*]", { group: line(1) })).toEqual(value(["29857009"], "FT1.19[*]"));
    expect(read("FT1.25", { group: line(1) })).toEqual(value("99011", "FT1.25"));
    expect(read("PR1.3", { group: line(0) })).toEqual(value("71045", "PR1.3"));
    expect(read("PR1.3", { group: line(1), groupMembers: ["FT1", "PR1"] })).toEqual({
      kind: "absent",
    });
  });
});

describe("corpus: ADT_A01 IN1/IN2 groups (python-hl7)", () => {
  const message = load("ADT_A01__pythonhl7__1.hl7");
  const read = reader(message);
  const starts = message.segments.flatMap((s, i) => (s.name === "IN1" ? [i] : []));
  const policy = (n: number) => groupAt(message, starts[n] ?? -1, ["IN1"]);
  const members = ["IN1", "IN2", "IN3"];

  it("keys each policy, a null part as the empty string", () => {
    expect(read("IN1[*].4")).toEqual(value(["HIP COMP MCAID", "MEDICAID", "SELF-PAY"], "IN1[*].4"));
    expect(read("IN1.2+IN1.4+IN1.5", { group: policy(0) })).toEqual(
      value("A10A+HIP COMP MCAID+PO BOX 223", "IN1.2+IN1.4+IN1.5"),
    );
    expect(read("IN1.2+IN1.4+IN1.5", { group: policy(1) })).toEqual(
      value("GMED+MEDICAID+", "IN1.2+IN1.4+IN1.5"),
    );
  });

  it("reads each policy's own IN2", () => {
    expect(read("IN2.25", { group: policy(0) })).toEqual(value("60094", "IN2.25"));
    expect(read("IN2.25", { group: policy(1) })).toEqual({ kind: "null", alternative: "IN2.25" });
    expect(read("IN2.25", { group: policy(2), groupMembers: members })).toEqual({
      kind: "absent",
    });
    expect(read("IN2.25")).toEqual(value("60094", "IN2.25"));
  });

  it("reads the HL7 null as null and moves past it", () => {
    expect(read("PV1.9")).toEqual({ kind: "null", alternative: "PV1.9" });
    expect(read("PV1.9 | PV1.7.2")).toEqual(value("FARP", "PV1.7.2"));
  });
});
