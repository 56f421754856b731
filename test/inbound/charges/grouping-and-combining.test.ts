import { describe, expect, it } from "vitest";
import {
  APPOINTMENT_PRIMARY,
  apply,
  chargePack,
  claim,
  decide,
  dft,
  newStore,
  PATIENT_ID,
  PRIMARY,
  seed,
  withAppointment,
  withClaim,
} from "./helpers.js";

/**
 * Charge Combining, then Charge Grouping (docs/pack-language.md §18), per
 * charge line: a charge for the same patient, procedure and service date
 * already on an unbilled claim is overridden, units included, not summed;
 * else a claim with the same grouping keys gets the line; else a new claim.
 * Both touch unbilled claims only. Free-standing claims unless a test says
 * otherwise: the line's claim fields are FT1.4, FT1.20 (105, supervised by
 * 101), FT1.16, and the patient's policies — the stored claim 1001 below.
 */

const STORED = claim({ id: "1001" });
const line = (procedure: string, pointers: number[], extra: object = {}) => ({
  procedure,
  modifiers: [],
  units: 1,
  diagnosisPointers: pointers,
  ...extra,
});

describe("Charge Combining: combining.mode override (the spec's), keys patient, procedure, service date, modifiers", () => {
  const pack = () => chargePack("charges-free-standing");

  it("a later message for the same service overrides the line: units replaced, not summed", async () => {
    const store = await newStore();
    await withClaim(store, STORED);
    const outcome = await apply(pack(), store, dft({ lines: [{ 10: "3" }] }));
    expect(outcome.actions).toEqual([
      {
        type: "charge.replace",
        claimId: "1001",
        lineIndex: 0,
        charge: line("99213", [1, 2], { units: 3 }),
      },
    ]);
    expect(await store.claimById("1001")).toEqual({
      ...STORED,
      lines: [line("99213", [1, 2], { units: 3 })],
    });
  });

  it("combining comes before grouping: the line is overridden on a claim whose department differs", async () => {
    const store = await newStore();
    await withClaim(store, { ...STORED, departmentId: "3" });
    const outcome = await decide(pack(), store, dft({ lines: [{ 10: "2" }] }));
    expect(outcome.actions).toEqual([
      {
        type: "charge.replace",
        claimId: "1001",
        lineIndex: 0,
        charge: line("99213", [1, 2], { units: 2 }),
      },
    ]);
  });

  it("another date, or another procedure, is not the same charge", async () => {
    const store = await newStore();
    await withClaim(store, STORED);
    const outcome = await decide(
      pack(),
      store,
      dft({ lines: [{ 4: "20260116" }, { 25: "20610" }] }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({ id: "1002", serviceDate: "2026-01-16" }),
      },
      { type: "charge.add", claimId: "1001", charge: line("20610", [1, 2]) },
    ]);
  });

  it("a billed claim is never touched: the charge goes on a new claim", async () => {
    const store = await newStore();
    await withClaim(store, { ...STORED, status: "billed" });
    const outcome = await decide(pack(), store, dft());
    expect(outcome.actions).toEqual([{ type: "claim.create", claim: claim({ id: "1002" }) }]);
  });

  it("the same service twice in one message: the first is created, the second replaces it by an action that says so", async () => {
    const outcome = await decide(
      pack(),
      await newStore(),
      dft({ lines: [{ 10: "1" }, { 10: "2" }] }),
    );
    expect(outcome.actions).toEqual([
      { type: "claim.create", claim: claim({ id: "1001" }) },
      {
        type: "charge.replace",
        claimId: "1001",
        lineIndex: 0,
        charge: line("99213", [1, 2], { units: 2 }),
      },
    ]);
    const combined = outcome.trace.filter((t) => t.rule === "charges.combining");
    expect(combined.map((t) => t.detail)).toEqual([
      "charge line 2: the same service as line 1 of this message's new claim 1001 (charge line 1): charge.replace, units 2",
    ]);
  });

  it("a stored line overridden twice by one message: two charge.replace, in the message's order", async () => {
    const store = await newStore();
    await withClaim(store, STORED);
    const outcome = await decide(pack(), store, dft({ lines: [{ 10: "4" }, { 10: "5" }] }));
    expect(outcome.actions).toEqual([
      {
        type: "charge.replace",
        claimId: "1001",
        lineIndex: 0,
        charge: line("99213", [1, 2], { units: 4 }),
      },
      {
        type: "charge.replace",
        claimId: "1001",
        lineIndex: 0,
        charge: line("99213", [1, 2], { units: 5 }),
      },
    ]);
  });

  it("a line added to a stored claim, then the same service again: charge.add, then charge.replace of the added line", async () => {
    const store = await newStore();
    await withClaim(store, STORED);
    const outcome = await apply(
      pack(),
      store,
      dft({ lines: [{ 25: "20610" }, { 25: "20610", 10: "2" }] }),
    );
    expect(outcome.actions).toEqual([
      { type: "charge.add", claimId: "1001", charge: line("20610", [1, 2]) },
      {
        type: "charge.replace",
        claimId: "1001",
        lineIndex: 1,
        charge: line("20610", [1, 2], { units: 2 }),
      },
    ]);
    expect((await store.claimById("1001"))?.lines).toEqual([
      line("99213", [1, 2]),
      line("20610", [1, 2], { units: 2 }),
    ]);
  });
});

describe("Charge Combining: combining.mode none", () => {
  it("the same procedure and date again is another line (charge.add); units are never summed", async () => {
    const store = await newStore();
    await withClaim(store, STORED);
    const outcome = await decide(
      chargePack("charges-no-combining"),
      store,
      dft({ lines: [{ 10: "2" }] }),
    );
    expect(outcome.actions).toEqual([
      { type: "charge.add", claimId: "1001", charge: line("99213", [1, 2], { units: 2 }) },
    ]);
  });
});

describe("Charge Combining: combining.keys with modifiers", () => {
  const pack = () => chargePack("charges-modifiers");

  it("RT and LT of one procedure and date stay two lines", async () => {
    const store = await newStore();
    await withClaim(
      store,
      claim({ id: "1001", lines: [line("73630", [1, 2], { modifiers: ["RT"] })] }),
    );
    const outcome = await decide(pack(), store, dft({ lines: [{ 25: "73630", 26: "LT" }] }));
    expect(outcome.actions).toEqual([
      {
        type: "charge.add",
        claimId: "1001",
        charge: line("73630", [1, 2], { modifiers: ["LT"] }),
      },
    ]);
  });

  it("the same modifiers, in any order, are the same charge", async () => {
    const store = await newStore();
    await withClaim(
      store,
      claim({ id: "1001", lines: [line("73630", [1, 2], { modifiers: ["RT", "GA"] })] }),
    );
    const outcome = await decide(pack(), store, dft({ lines: [{ 25: "73630", 26: "GA~RT" }] }));
    expect(outcome.actions).toEqual([
      {
        type: "charge.replace",
        claimId: "1001",
        lineIndex: 0,
        charge: line("73630", [1, 2], { modifiers: ["GA", "RT"] }),
      },
    ]);
  });
});

describe("Charge Grouping: grouping.enabled, keys the spec's seven", () => {
  const pack = () => chargePack("charges-free-standing");

  it("a later message with the same patient, date, providers, department and insurance joins the unbilled claim (charge.add)", async () => {
    const store = await newStore();
    await withClaim(store, STORED);
    const outcome = await apply(
      pack(),
      store,
      dft({ lines: [{ 25: "20610", 19: "M17.11~Z79.899" }] }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "charge.add",
        claimId: "1001",
        charge: line("20610", [1, 3]),
        diagnoses: ["Z79.899"],
      },
    ]);
    expect(await store.claimById("1001")).toEqual({
      ...STORED,
      diagnoses: ["M17.11", "M25.561", "Z79.899"],
      lines: [line("99213", [1, 2]), line("20610", [1, 3])],
    });
  });

  const differ: readonly [string, object][] = [
    ["rendering provider", { renderingProviderId: "104", supervisingProviderId: "101" }],
    ["supervising provider", { supervisingProviderId: "102" }],
    ["department", { departmentId: "3" }],
    ["primary insurance", { primaryPolicy: APPOINTMENT_PRIMARY }],
    ["secondary insurance", { secondaryPolicy: undefined }],
  ];
  for (const [key, change] of differ) {
    it(`a claim with another ${key} is not joined: a new claim`, async () => {
      const store = await newStore();
      await withClaim(store, {
        ...claim({ id: "1001", lines: [line("20610", [1, 2])] }),
        ...change,
      });
      const outcome = await decide(pack(), store, dft());
      expect(outcome.actions).toEqual([{ type: "claim.create", claim: claim({ id: "1002" }) }]);
    });
  }

  it("another patient's claim, or another date's, is never looked at", async () => {
    const store = await newStore();
    await withClaim(
      store,
      claim({ id: "1001", patientId: "1002", lines: [line("20610", [1, 2])] }),
    );
    await withClaim(
      store,
      claim({ id: "1002", serviceDate: "2026-01-14", lines: [line("20610", [1, 2])] }),
    );
    const outcome = await decide(pack(), store, dft());
    expect(outcome.actions).toEqual([{ type: "claim.create", claim: claim({ id: "1003" }) }]);
  });

  it("a billed claim is never joined", async () => {
    const store = await newStore();
    await withClaim(store, {
      ...claim({ id: "1001", lines: [line("20610", [1, 2])] }),
      status: "billed",
    });
    const outcome = await decide(pack(), store, dft());
    expect(outcome.actions).toEqual([{ type: "claim.create", claim: claim({ id: "1002" }) }]);
  });

  it("the patient's policies changed since the claim: its insurance differs, a new claim", async () => {
    const store = await newStore();
    await withClaim(store, claim({ id: "1001", lines: [line("20610", [1, 2])] }));
    await seed(store, [
      {
        type: "insurance.replace",
        patientId: PATIENT_ID,
        policy: { ...PRIMARY, packageId: "5120", policyNumber: "MVP-1" },
        replacedPackageId: "4471",
      },
    ]);
    const outcome = await decide(pack(), store, dft());
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({
          id: "1002",
          primaryPolicy: { ...PRIMARY, packageId: "5120", policyNumber: "MVP-1" },
        }),
      },
    ]);
  });

  it("lines of one message: equal keys share a claim, different departments make two claims", async () => {
    const outcome = await decide(
      pack(),
      await newStore(),
      dft({ lines: [{}, { 25: "20610", 16: "3" }, { 25: "73630" }] }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({ id: "1001", lines: [line("99213", [1, 2]), line("73630", [1, 2])] }),
      },
      {
        type: "claim.create",
        claim: claim({ id: "1002", departmentId: "3", lines: [line("20610", [1, 2])] }),
      },
    ]);
  });

  it("lines of one message join a stored claim together", async () => {
    const store = await newStore();
    await withClaim(store, STORED);
    const outcome = await decide(
      pack(),
      store,
      dft({ lines: [{ 25: "20610" }, { 25: "73630", 19: "S92.301A" }] }),
    );
    expect(outcome.actions).toEqual([
      { type: "charge.add", claimId: "1001", charge: line("20610", [1, 2]) },
      { type: "charge.add", claimId: "1001", charge: line("73630", [3]), diagnoses: ["S92.301A"] },
    ]);
  });
});

describe("Charge Grouping: grouping.enabled false", () => {
  it("a stored claim with the same keys is not joined; the message's own lines still share a claim", async () => {
    const store = await newStore();
    await withClaim(store, STORED);
    const outcome = await decide(
      chargePack("charges-no-grouping"),
      store,
      dft({ lines: [{ 25: "20610" }, { 25: "73630" }] }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({ id: "1002", lines: [line("20610", [1, 2]), line("73630", [1, 2])] }),
      },
    ]);
  });

  it("combining still overrides a stored line", async () => {
    const store = await newStore();
    await withClaim(store, STORED);
    const outcome = await decide(chargePack("charges-no-grouping"), store, dft());
    expect(outcome.actions).toEqual([
      { type: "charge.replace", claimId: "1001", lineIndex: 0, charge: line("99213", [1, 2]) },
    ]);
  });
});

describe("Charge Grouping: grouping.keys with appointment", () => {
  it("two appointments' charges with every other key equal stay on two claims", async () => {
    const store = await newStore();
    await withAppointment(store);
    await withAppointment(store, { id: "2002" });
    const outcome = await decide(
      chargePack("charges-group-by-appointment"),
      store,
      dft({ lines: [{ 23: "2001" }, { 23: "2002", 25: "20610" }] }),
    );
    const claimOf = (id: string, appointmentId: string, procedure: string) =>
      claim({
        id,
        appointmentId,
        primaryPolicy: APPOINTMENT_PRIMARY,
        secondaryPolicy: undefined,
        lines: [line(procedure, [1, 2])],
      });
    expect(outcome.actions).toEqual([
      { type: "claim.create", claim: claimOf("1001", "2001", "99213") },
      { type: "claim.create", claim: claimOf("1002", "2002", "20610") },
      { type: "appointment.update", appointmentId: "2001", appointment: { status: "4" } },
      { type: "appointment.update", appointmentId: "2002", appointment: { status: "4" } },
    ]);
  });

  it("without the appointment key (the default) those charges share one claim, the first line's appointment", async () => {
    // Per-line external IDs (FT1.23), all from the appointment: the two appointments agree on every key.
    const store = await newStore();
    await withAppointment(store, { externalIds: { visit: "77" } });
    await withAppointment(store, { id: "2002", externalIds: { visit: "78" } });
    const outcome = await decide(
      chargePack("charges-external-id"),
      store,
      dft({ lines: [{ 23: "77" }, { 23: "78", 25: "20610" }] }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({
          id: "1001",
          appointmentId: "2001",
          serviceDate: "2026-01-14",
          renderingProviderId: "104",
          supervisingProviderId: "102",
          departmentId: "2",
          primaryPolicy: APPOINTMENT_PRIMARY,
          secondaryPolicy: undefined,
          lines: [line("99213", [1, 2]), line("20610", [1, 2])],
        }),
      },
      { type: "appointment.update", appointmentId: "2001", appointment: { status: "4" } },
      { type: "appointment.update", appointmentId: "2002", appointment: { status: "4" } },
    ]);
  });
});
