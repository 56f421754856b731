import { describe, expect, it } from "vitest";
import { errorsOf, type Fields, fixturePack, JANE, message, newStore, receive } from "./helpers.js";

/**
 * Phones in both XTN layouts (docs/pack-language.md §8): XTN-1; if empty,
 * XTN-5..8 (country code, area code, local number, extension); if those
 * are empty, XTN-12 (unformatted); email from XTN-4. A repetition whose
 * data no rule reads is a DATA_NOT_READ warning, not nothing.
 */

const basic = () => fixturePack("inbound-basic");

async function created(pid13: string, pid14?: string) {
  const pid: Fields =
    pid14 === undefined ? { ...JANE, 13: pid13 } : { ...JANE, 13: pid13, 14: pid14 };
  const outcome = await receive(basic(), await newStore(), message({ type: "ADT^A04", pid }));
  const create = outcome.actions[0];
  if (create?.type !== "patient.create") throw new Error(`no patient.create: ${outcome.state}`);
  return { outcome, patient: create.patient };
}

describe("patient.phones.*: XTN-1, else XTN-5..8, else XTN-12", () => {
  it("the 2.3 layout: XTN-1 as sent", async () => {
    const { patient } = await created("(217)555-0101^PRN^PH");
    expect(patient.phones).toEqual({ home: "(217)555-0101" });
  });

  it("the 2.5 layout ^PRN^PH^^^302^5550163: the area code and local number (no longer dropped)", async () => {
    const { outcome, patient } = await created("^PRN^PH^^^302^5550163");
    expect(patient.phones).toEqual({ home: "(302)555-0163" });
    expect(errorsOf(outcome)).toEqual([]);
  });

  it("country code and extension, a mobile (CP) and a work number (PID-14) in the 2.5 layout", async () => {
    const { patient } = await created(
      "^PRN^PH^^1^302^5550163^12~^PRN^CP^^^302^5550199",
      "^WPN^PH^^^302^5550111",
    );
    expect(patient.phones).toEqual({
      home: "+1 (302)555-0163 x12",
      mobile: "(302)555-0199",
      work: "(302)555-0111",
    });
  });

  it("only XTN-12 (unformatted)", async () => {
    const { patient } = await created("^PRN^PH^^^^^^^^^3025550163");
    expect(patient.phones).toEqual({ home: "3025550163" });
  });
});

describe("patient.email: XTN-4", () => {
  it("the Internet repetition's XTN-4", async () => {
    const { outcome, patient } = await created(
      "(217)555-0101^PRN^PH~^NET^Internet^jane@example.org",
    );
    expect(patient.email).toBe("jane@example.org");
    expect(errorsOf(outcome)).toEqual([]);
  });
});

describe("DATA_NOT_READ: a phone field's data in components no rule reads", () => {
  it("data only in XTN-9 (any text) is a warning naming the field and components; still PROCESSED", async () => {
    const { outcome, patient } = await created("^PRN^PH^^^^^^call the daughter");
    expect(patient.phones).toBeUndefined();
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.errors).toEqual([
      {
        code: "DATA_NOT_READ",
        severity: "warning",
        message:
          "PID.13 repetition 1 holds data in component(s) 9 that no field rule read into the patient's phones or email",
        field: "PID.13",
      },
    ]);
  });

  it("a third repetition no rule picks (ORN) is a warning too", async () => {
    const { outcome } = await created("(217)555-0101^PRN^PH~(217)555-0199^ORN^PH");
    expect(errorsOf(outcome)).toEqual([
      { code: "DATA_NOT_READ", severity: "warning", field: "PID.13" },
    ]);
  });
});
