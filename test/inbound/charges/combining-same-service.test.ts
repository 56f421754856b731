import { describe, expect, it } from "vitest";
import { chargePack, claim, decide, dft, newStore, withClaim } from "./helpers.js";

/**
 * Charge Combining overrides only the same service (docs/pack-language.md
 * §18, issue "No silent change to a patient's data"): the same patient,
 * procedure, modifiers (as a set), service date, pointed diagnoses (in
 * order) and rendering provider. Lines that differ in any of them are
 * different services and all stay; a line that is overridden is named by a
 * `charge.replace`, never dropped. Free-standing claims: the line's claim
 * fields are FT1.4, FT1.20 (105, supervised by 101), FT1.16 and the
 * patient's policies.
 */

const line = (procedure: string, pointers: number[], extra: object = {}) => ({
  procedure,
  modifiers: [],
  units: 1,
  diagnosisPointers: pointers,
  ...extra,
});

describe("Charge Combining: what makes two charges the same service", () => {
  const pack = () => chargePack("charges-free-standing");

  it("one DFT with RT and LT x-rays of one day: two lines, each with its diagnosis", async () => {
    const outcome = await decide(
      pack(),
      await newStore(),
      dft({
        lines: [
          { 25: "73610", 26: "RT", 19: "M25.571" },
          { 25: "73610", 26: "LT", 19: "M25.572" },
        ],
      }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({
          id: "1001",
          diagnoses: ["M25.571", "M25.572"],
          lines: [
            line("73610", [1], { modifiers: ["RT"] }),
            line("73610", [2], { modifiers: ["LT"] }),
          ],
        }),
      },
    ]);
  });

  it("a later message with the other side's modifier is added, not put in the stored line's place", async () => {
    const store = await newStore();
    await withClaim(
      store,
      claim({
        id: "1001",
        diagnoses: ["M25.571"],
        lines: [line("73610", [1], { modifiers: ["RT"] })],
      }),
    );
    const outcome = await decide(
      pack(),
      store,
      dft({ lines: [{ 25: "73610", 26: "LT", 19: "M25.571" }] }),
    );
    expect(outcome.actions).toEqual([
      { type: "charge.add", claimId: "1001", charge: line("73610", [1], { modifiers: ["LT"] }) },
    ]);
  });

  it("modifiers without a side (25) are compared too: 99213-25 is not 99213", async () => {
    const store = await newStore();
    await withClaim(store, claim({ id: "1001" }));
    const outcome = await decide(pack(), store, dft({ lines: [{ 26: "25" }] }));
    expect(outcome.actions).toEqual([
      { type: "charge.add", claimId: "1001", charge: line("99213", [1, 2], { modifiers: ["25"] }) },
    ]);
  });

  it("one procedure for two other diagnoses in one message: two lines", async () => {
    const outcome = await decide(
      pack(),
      await newStore(),
      dft({
        lines: [
          { 25: "20610", 19: "M17.11" },
          { 25: "20610", 19: "M17.12" },
        ],
      }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({
          id: "1001",
          diagnoses: ["M17.11", "M17.12"],
          lines: [line("20610", [1]), line("20610", [2])],
        }),
      },
    ]);
  });

  it("the diagnoses' order is their meaning: the same codes in another order are another service", async () => {
    const store = await newStore();
    await withClaim(store, claim({ id: "1001" }));
    const outcome = await decide(pack(), store, dft({ lines: [{ 19: "M25.561~M17.11" }] }));
    expect(outcome.actions).toEqual([
      { type: "charge.add", claimId: "1001", charge: line("99213", [2, 1]) },
    ]);
  });

  it("another rendering provider is another service: a stored line of provider 101 is not overridden", async () => {
    const store = await newStore();
    await withClaim(
      store,
      claim({ id: "1001", renderingProviderId: "101", supervisingProviderId: "101" }),
    );
    const outcome = await decide(pack(), store, dft());
    expect(outcome.actions).toEqual([{ type: "claim.create", claim: claim({ id: "1002" }) }]);
  });
});
