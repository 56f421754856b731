import { describe, expect, it } from "vitest";
import { chargePack, claim, decide, dft, newStore, visit, withAppointment } from "./helpers.js";

/**
 * What a charge must never do quietly (issue "No silent change to a
 * patient's data"): take the UTC day of a service timestamp for the
 * practice's, or decide the diagnosis limit without saying how it counted.
 * The practice is in America/Chicago.
 */

describe("the claim's service date is the practice's calendar day", () => {
  it("FT1.4 with an offset: 2026-03-11 03:00 UTC is 2026-03-10 in Chicago", async () => {
    const outcome = await decide(
      chargePack("charges-free-standing"),
      await newStore(),
      dft({ lines: [{ 4: "202603110300+0000" }] }),
    );
    expect(outcome.actions).toEqual([
      { type: "claim.create", claim: claim({ id: "1001", serviceDate: "2026-03-10" }) },
    ]);
  });

  it("FT1.4 without an offset is the practice's wall time: its own date", async () => {
    const outcome = await decide(
      chargePack("charges-free-standing"),
      await newStore(),
      dft({ lines: [{ 4: "202603102300" }] }),
    );
    expect(outcome.actions).toEqual([
      { type: "claim.create", claim: claim({ id: "1001", serviceDate: "2026-03-10" }) },
    ]);
  });

  it("an appointment's start recorded in UTC gives its day in the practice's zone", async () => {
    const store = await newStore();
    await withAppointment(store, { start: "2026-01-15T03:00:00+00:00" });
    const outcome = await decide(chargePack("charges-base"), store, dft({ pv1: visit("2001") }));
    const create = outcome.actions.find((a) => a.type === "claim.create");
    expect(create?.type === "claim.create" && create.claim.serviceDate).toBe("2026-01-14");
  });
});

describe("--explain: the diagnosis limit says how it counted", () => {
  const limits = (outcome: Awaited<ReturnType<typeof decide>>) =>
    outcome.trace.filter((t) => t.rule === "charges.diagnoses").map((t) => t.detail);

  it("within the limit: the claim's codes, those pointed at, those without a pointer, against 4 and 12", async () => {
    const outcome = await decide(
      chargePack("charges-free-standing"),
      await newStore(),
      dft({ lines: [{ 19: "A01~A02~A03~A04~A05~A06" }] }),
    );
    expect(limits(outcome)).toEqual([
      "new claim 1001: 6 diagnosis codes, 4 pointed at by its lines (up to 4 per line), 2 without a pointer (at most 12): within the limit",
    ]);
  });

  it("beyond it: the same count, and the decision TOO_MANY_DIAGNOSES", async () => {
    const seventeen = Array.from({ length: 17 }, (_, i) => `A${String(i + 1).padStart(2, "0")}`);
    const outcome = await decide(
      chargePack("charges-free-standing"),
      await newStore(),
      dft({ lines: [{ 19: seventeen.join("~") }] }),
    );
    expect(limits(outcome)).toEqual([
      "new claim 1001: 17 diagnosis codes, 4 pointed at by its lines (up to 4 per line), 13 without a pointer (at most 12): TOO_MANY_DIAGNOSES (onTooMany: error)",
    ]);
  });
});
