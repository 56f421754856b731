import { describe, expect, it } from "vitest";
import {
  apply,
  chargePack,
  claim,
  decide,
  dft,
  errorsOf,
  MASTER_DATA,
  newStore,
  visit,
  withAppointment,
} from "./helpers.js";

/**
 * Table 16 - Required HL7 fields to create a claim, and the codes a claim
 * holds: "Unknown provider, department or procedure" are billing errors
 * (CBOERROR on a charge); an unmapped foreign code where mapping is required
 * stays UNMAPPED_CODE (ERROR), per ARCHITECTURE.md's state table.
 */

describe("Table 16 - Required HL7 fields to create a claim", () => {
  const pack = () => chargePack("charges-free-standing");

  it("Procedure Code FT1.25, Modifier FT1.26[*], units FT1.10, Diagnosis Code FT1.19[*] go on the line", async () => {
    const outcome = await decide(
      pack(),
      await newStore(),
      dft({ lines: [{ 25: "73630^X-ray foot^CPT", 26: "RT~GA", 10: "2", 19: "S92.301A^^I10" }] }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({
          id: "1001",
          diagnoses: ["S92.301A"],
          lines: [
            { procedure: "73630", modifiers: ["RT", "GA"], units: 2, diagnosisPointers: [1] },
          ],
        }),
      },
    ]);
  });

  it("units default to 1 when FT1.10 is empty", async () => {
    const outcome = await decide(pack(), await newStore(), dft({ lines: [{ 10: "" }] }));
    expect(outcome.actions).toEqual([{ type: "claim.create", claim: claim({ id: "1001" }) }]);
  });

  it("diagnoses from DG1 (message-level) when the senders leave FT1.19 empty: every line gets them", async () => {
    const outcome = await decide(
      pack(),
      await newStore(),
      dft({
        lines: [{ 19: "" }, { 19: "", 25: "73630" }],
        dg1: [
          { 1: "1", 2: "I10", 3: "M17.11^Osteoarthritis right knee^I10" },
          { 1: "2", 2: "I10", 3: "E11.9^Type 2 diabetes^I10" },
        ],
      }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({
          id: "1001",
          diagnoses: ["M17.11", "E11.9"],
          lines: [
            { procedure: "99213", modifiers: [], units: 1, diagnosisPointers: [1, 2] },
            { procedure: "73630", modifiers: [], units: 1, diagnosisPointers: [1, 2] },
          ],
        }),
      },
    ]);
  });

  it("FT1.19 wins over DG1 when a line has both", async () => {
    const outcome = await decide(
      pack(),
      await newStore(),
      dft({ lines: [{ 19: "M25.561" }], dg1: [{ 1: "1", 3: "E11.9" }] }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({
          id: "1001",
          diagnoses: ["M25.561"],
          lines: [{ procedure: "99213", modifiers: [], units: 1, diagnosisPointers: [1] }],
        }),
      },
    ]);
  });

  it("no procedure and no diagnosis: REQUIRED_FIELD_MISSING for each, on the line that lacks it", async () => {
    const outcome = await decide(
      pack(),
      await newStore(),
      dft({ lines: [{}, { 25: "", 19: "" }] }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      { code: "REQUIRED_FIELD_MISSING", severity: "error", field: "FT1.25" },
      { code: "REQUIRED_FIELD_MISSING", severity: "error", field: "FT1.19[*] | DG1[*].3" },
    ]);
    expect(outcome.errors.map((e) => e.message)).toEqual([
      "charge line 2 (FT1): procedure code (FT1.25) is required to create a charge",
      "charge line 2 (FT1): diagnosis code (FT1.19[*] | DG1[*].3) is required to create a charge",
    ]);
  });

  it("Rendering Provider, Department and Service Date missing from a free-standing claim's DFT (the supervising provider, derived from the rendering, is not reported twice)", async () => {
    const outcome = await decide(
      pack(),
      await newStore(),
      dft({ lines: [{ 20: "", 16: "", 4: "" }] }),
    );
    expect(errorsOf(outcome)).toEqual([
      { code: "REQUIRED_FIELD_MISSING", severity: "error", field: "FT1.20" },
      { code: "REQUIRED_FIELD_MISSING", severity: "error", field: "FT1.16 | FT1.13" },
      { code: "REQUIRED_FIELD_MISSING", severity: "error", field: "FT1.4" },
    ]);
  });

  it("Service Date derived from the appointment: FT1.4 may be empty", async () => {
    const store = await newStore();
    await withAppointment(store);
    const outcome = await decide(
      chargePack("charges-base"),
      store,
      dft({ pv1: visit("2001"), lines: [{ 4: "" }] }),
    );
    expect(outcome.state).toBe("PROCESSED");
  });
});

describe("Unknown provider, department or procedure: billing errors, CBOERROR", () => {
  const pack = () => chargePack("charges-free-standing-message");

  it("FT1.20 and FT1.21 not in the provider table: UNKNOWN_PROVIDER, CBOERROR, nothing applied", async () => {
    const store = await newStore();
    const outcome = await apply(pack(), store, dft({ lines: [{ 20: "999", 21: "0000000000" }] }));
    expect(outcome.state).toBe("CBOERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      {
        code: "UNKNOWN_PROVIDER",
        severity: "error",
        field: "FT1.20",
        table: "provider",
        value: "999",
      },
      {
        code: "UNKNOWN_PROVIDER",
        severity: "error",
        field: "FT1.21",
        table: "provider",
        value: "0000000000",
      },
    ]);
    expect(await store.claimById("1001")).toBeUndefined();
  });

  it("FT1.16 not a department: UNKNOWN_DEPARTMENT, CBOERROR", async () => {
    const outcome = await decide(pack(), await newStore(), dft({ lines: [{ 16: "42" }] }));
    expect(outcome.state).toBe("CBOERROR");
    expect(errorsOf(outcome)).toEqual([
      {
        code: "UNKNOWN_DEPARTMENT",
        severity: "error",
        field: "FT1.16",
        table: "department",
        value: "42",
      },
    ]);
  });

  it("a practice that lists its procedures: any other code is UNKNOWN_PROCEDURE, CBOERROR", async () => {
    const store = await newStore({
      ...MASTER_DATA,
      procedures: [{ code: "99213" }, { code: "20610" }],
    });
    const outcome = await decide(pack(), store, dft({ lines: [{}, { 25: "99214" }] }));
    expect(outcome.state).toBe("CBOERROR");
    expect(errorsOf(outcome)).toEqual([
      { code: "UNKNOWN_PROCEDURE", severity: "error", field: "FT1.25", value: "99214" },
    ]);
    expect(outcome.errors[0]?.message).toBe(
      "charge line 2 (FT1): procedure '99214' (FT1.25) is not in the practice's procedure list (master data)",
    );
  });

  it("no procedure list: only the form is checked (CPT, Category II/III, PLA, HCPCS pass)", async () => {
    const codes = ["99213", "3074F", "0042T", "0001U", "J1030", "L1820"];
    const outcome = await decide(
      pack(),
      await newStore(),
      dft({ lines: codes.map((code) => ({ 25: code })) }),
    );
    expect(outcome.state).toBe("PROCESSED");
    const create = outcome.actions[0];
    expect(create?.type === "claim.create" && create.claim.lines.map((l) => l.procedure)).toEqual(
      codes,
    );
  });

  it("no procedure list, a code of another form: UNKNOWN_PROCEDURE, CBOERROR", async () => {
    const outcome = await decide(
      pack(),
      await newStore(),
      dft({ lines: [{ 25: "626.2" }, { 25: "XRAY" }] }),
    );
    expect(outcome.state).toBe("CBOERROR");
    expect(errorsOf(outcome)).toEqual([
      { code: "UNKNOWN_PROCEDURE", severity: "error", field: "FT1.25", value: "626.2" },
      { code: "UNKNOWN_PROCEDURE", severity: "error", field: "FT1.25", value: "XRAY" },
    ]);
  });

  it("every problem of every line is reported at once; a billing error beside another error is ERROR", async () => {
    const outcome = await decide(
      pack(),
      await newStore(),
      dft({ lines: [{ 25: "XRAY", 20: "999" }, { 4: "" }] }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(errorsOf(outcome).map((e) => (e as { code: string }).code)).toEqual([
      "UNKNOWN_PROCEDURE",
      "UNKNOWN_PROVIDER",
      "REQUIRED_FIELD_MISSING",
    ]);
  });
});

describe("Table 19 - Custom mapping: providers and departments mapped (mappingRequired)", () => {
  const pack = () => chargePack("charges-mapped");

  it("mapped codes: the practice's provider and department IDs", async () => {
    const outcome = await decide(
      pack(),
      await newStore(),
      dft({ lines: [{ 20: "DR-JONES", 21: "DR-ADAMS", 16: "EAST-CLINIC" }] }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({
          id: "1001",
          renderingProviderId: "104",
          supervisingProviderId: "102",
          departmentId: "2",
        }),
      },
    ]);
  });

  it("an unmapped foreign code stays UNMAPPED_CODE (ERROR), not a billing error", async () => {
    const outcome = await decide(
      pack(),
      await newStore(),
      dft({ lines: [{ 20: "DR-WHO", 21: "DR-ADAMS", 16: "EAST-CLINIC" }] }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(errorsOf(outcome)).toEqual([
      {
        code: "UNMAPPED_CODE",
        severity: "error",
        field: "FT1.20",
        table: "provider",
        value: "DR-WHO",
      },
    ]);
  });

  it("a row that maps to a provider master data lacks: UNKNOWN_PROVIDER (CBOERROR)", async () => {
    const outcome = await decide(
      pack(),
      await newStore(),
      dft({ lines: [{ 20: "DR-GONE", 21: "DR-ADAMS", 16: "EAST-CLINIC" }] }),
    );
    expect(outcome.state).toBe("CBOERROR");
    expect(errorsOf(outcome)).toEqual([
      {
        code: "UNKNOWN_PROVIDER",
        severity: "error",
        field: "FT1.20",
        table: "provider",
        value: "999",
      },
    ]);
  });
});
