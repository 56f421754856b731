import { describe, expect, it } from "vitest";
import {
  apply,
  chargePack,
  claim,
  decide,
  dft,
  errorsOf,
  JANE_PID,
  newStore,
  PATIENT_ID,
  segment,
} from "./helpers.js";

/**
 * docs/pack-language.md §18 "Only charges" and §13 for charges: "athenaNet
 * processes charge data only from inbound P03 charge messages. athenaNet
 * discards all other data, including demographic updates."
 */

describe("Only charges: charges.transactionTypes (FT1.6)", () => {
  it("a CG line becomes a charge; a PY and a CD line are TRANSACTION_SKIPPED warnings with no line", async () => {
    const store = await newStore();
    const outcome = await apply(
      chargePack("charges-free-standing"),
      store,
      dft({ lines: [{ 6: "PY", 25: "99999" }, {}, { 6: "CD", 10: "-1" }] }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([{ type: "claim.create", claim: claim({ id: "1001" }) }]);
    expect(errorsOf(outcome)).toEqual([
      { code: "TRANSACTION_SKIPPED", severity: "warning", field: "FT1.6", value: "PY" },
      { code: "TRANSACTION_SKIPPED", severity: "warning", field: "FT1.6", value: "CD" },
    ]);
    expect(await store.claimById("1001")).toEqual(claim({ id: "1001" }));
  });

  it("a skipped line's own problems are not reported (no procedure, an unknown provider)", async () => {
    const outcome = await decide(
      chargePack("charges-free-standing"),
      await newStore(),
      dft({ lines: [{ 6: "AJ", 25: "", 20: "999" }] }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      { code: "TRANSACTION_SKIPPED", severity: "warning", field: "FT1.6", value: "AJ" },
    ]);
  });

  it("an FT1 without a transaction type is skipped too", async () => {
    const outcome = await decide(
      chargePack("charges-free-standing"),
      await newStore(),
      dft({ lines: [{ 6: "" }] }),
    );
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      { code: "TRANSACTION_SKIPPED", severity: "warning", field: "FT1.6" },
    ]);
  });

  it("transactionTypes [CG, AJ]: an adjustment line is a charge as well", async () => {
    const outcome = await decide(
      chargePack("charges-transaction-types"),
      await newStore(),
      dft({ lines: [{}, { 6: "AJ", 25: "99024", 19: "M17.11" }] }),
    );
    expect(errorsOf(outcome)).toEqual([]);
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({
          id: "1001",
          lines: [
            { procedure: "99213", modifiers: [], units: 1, diagnosisPointers: [1, 2] },
            { procedure: "99024", modifiers: [], units: 1, diagnosisPointers: [1] },
          ],
        }),
      },
    ]);
  });
});

describe("Patient Matching for Charge Messages: matching.order.charge", () => {
  it("the patient is matched by the practice patient ID (PID.2); the claim is hers", async () => {
    const outcome = await decide(chargePack("charges-free-standing"), await newStore(), dft());
    expect(outcome.actions).toEqual([{ type: "claim.create", claim: claim({ id: "1001" }) }]);
  });

  it("demographics in a P03 are ignored: no patient.update, no insurance, no guarantor", async () => {
    const store = await newStore();
    const hl7 = dft({
      pid: { ...JANE_PID, 5: "Smith^Janet", 11: "9 New Rd^^Peoria^IL^61602", 19: "999-88-7777" },
      more: [
        segment("GT1", { 1: "1", 3: "Doe^John", 11: "SPO" }),
        segment("IN1", { 1: "1", 2: "HMP-100", 4: "Harbor Mutual PPO", 5: "100 Main St", 36: "X" }),
      ],
    });
    const outcome = await apply(chargePack("charges-free-standing"), store, hl7);
    expect(outcome.actions.map((a) => a.type)).toEqual(["claim.create"]);
    expect(store.patientById(PATIENT_ID)).toMatchObject({ lastName: "Doe", firstName: "Jane" });
    expect(store.patientById(PATIENT_ID)?.address).toBeUndefined();
  });

  it("by demographics when there is no patient ID: a match takes the claim", async () => {
    const pid = { 1: "1", 5: "Doe^Jane", 7: "19800214", 8: "F" };
    const outcome = await decide(
      chargePack("charges-free-standing"),
      await newStore(),
      dft({ pid }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([{ type: "claim.create", claim: claim({ id: "1001" }) }]);
  });

  it("no match: PATIENT_NOT_FOUND (ERROR); a charge never creates a patient", async () => {
    const store = await newStore();
    const pid = { 1: "1", 5: "Nobody^Nemo", 7: "19990101", 8: "M" };
    const outcome = await apply(chargePack("charges-free-standing"), store, dft({ pid }));
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([{ code: "PATIENT_NOT_FOUND", severity: "error" }]);
    expect(store.patientById("7777")).toBeUndefined();
    expect(store.nextId("patient")).toBe("1003");
  });

  it("matching.patientId.unknown: error (the base): a PID.2 7777 nobody holds is PATIENT_NOT_FOUND naming it, though Jane's demographics would match", async () => {
    const store = await newStore();
    const outcome = await apply(
      chargePack("charges-free-standing"),
      store,
      dft({ pid: { ...JANE_PID, 2: "7777" } }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      { code: "PATIENT_NOT_FOUND", severity: "error", field: "PID.2", value: "7777" },
    ]);
    expect(outcome.errors[0]?.message).toBe(
      "the practice patient ID '7777' (PID.2) belongs to no patient; a present patient ID is not matched on demographics (matching.patientId.unknown: error)",
    );
  });

  it("a match in the review band: PATIENT_NOT_FOUND, with nothing for review (a review could not apply a charge)", async () => {
    // Last name and date of birth agree, the first name is missing: above review, below match.
    const pid = { 1: "1", 5: "Doe", 7: "19800214" };
    const outcome = await decide(
      chargePack("charges-free-standing"),
      await newStore(),
      dft({ pid }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(errorsOf(outcome)).toEqual([{ code: "PATIENT_NOT_FOUND", severity: "error" }]);
    expect(outcome.errors[0]?.message).toMatch(/1001 in the review band/);
    expect(outcome.review).toEqual([]);
  });

  it("a demographic field that fails to extract is left out of the comparison, not reported", async () => {
    // Sex "Q" is no standard code (INVALID_VALUE in an ADT); here the match still holds.
    const pid = { ...JANE_PID, 8: "Q" };
    const outcome = await decide(
      chargePack("charges-free-standing"),
      await newStore(),
      dft({ pid }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(errorsOf(outcome)).toEqual([]);
  });

  it("order.charge [patientId]: without PID.2 the demographics are not tried", async () => {
    const pid = { 1: "1", 5: "Doe^Jane", 7: "19800214", 8: "F" };
    const outcome = await decide(
      chargePack("charges-order-patient-id"),
      await newStore(),
      dft({ pid }),
    );
    expect(errorsOf(outcome)).toEqual([{ code: "PATIENT_NOT_FOUND", severity: "error" }]);
    expect(outcome.errors[0]?.message).toMatch(/tried patientId\)/);
  });
});

describe("Table 4 - Interface Enablement: charge", () => {
  it("a pack that does not enable charges inbound: EVENT_NOT_ENABLED", async () => {
    const outcome = await decide(chargePack("charges-not-enabled"), await newStore(), dft());
    expect(outcome.state).toBe("ERROR");
    expect(errorsOf(outcome)).toEqual([{ code: "EVENT_NOT_ENABLED", severity: "error" }]);
  });

  it("only P03 is a charge message: DFT^P11 is MESSAGE_TYPE_NOT_SUPPORTED", async () => {
    const outcome = await decide(
      chargePack("charges-base"),
      await newStore(),
      dft().replace("DFT^P03", "DFT^P11"),
    );
    expect(errorsOf(outcome)).toEqual([
      { code: "MESSAGE_TYPE_NOT_SUPPORTED", severity: "error", field: "MSH.9" },
    ]);
  });
});
