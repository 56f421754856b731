import { describe, expect, it } from "vitest";
import {
  apply,
  chargePack,
  claim,
  decide,
  dft,
  errorsOf,
  newStore,
  OTHER_PATIENT_ID,
  seed,
} from "./helpers.js";

/**
 * "Your organization can't schedule appointments or complete charge entry
 * for patients without insurance" (docs/pack-language.md §18): a DFT for a
 * patient with no policy and not self-pay is NO_INSURANCE unless
 * `charges.requireInsurance` is false. Rita (1002) holds no policy.
 */

const RITA_PID = { 1: "1", 2: OTHER_PATIENT_ID, 5: "Roe^Rita", 7: "19750630" };

describe("charges.requireInsurance (default true): no insurance, no charge", () => {
  it("a DFT for a patient with no policy at all (not even self-pay) is NO_INSURANCE, ERROR, nothing applied", async () => {
    const store = await newStore();
    const outcome = await apply(chargePack("charges-free-standing"), store, dft({ pid: RITA_PID }));
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      { code: "NO_INSURANCE", severity: "error", value: OTHER_PATIENT_ID },
    ]);
    expect(outcome.errors[0]?.message).toContain("charges.requireInsurance");
  });

  it("a self-pay patient is insured enough: the claim is created without a policy", async () => {
    const store = await newStore();
    await seed(store, [{ type: "insurance.selfPay", patientId: OTHER_PATIENT_ID }]);
    const outcome = await decide(
      chargePack("charges-free-standing"),
      store,
      dft({ pid: RITA_PID }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({
          id: "1001",
          patientId: OTHER_PATIENT_ID,
          primaryPolicy: undefined,
          secondaryPolicy: undefined,
        }),
      },
    ]);
  });

  it("requireInsurance: false creates the claim without a policy", async () => {
    const outcome = await decide(
      chargePack("charges-insurance-optional"),
      await newStore(),
      dft({ pid: RITA_PID }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions.map((a) => a.type)).toEqual(["claim.create"]);
  });
});
