import { describe, expect, it } from "vitest";
import {
  APPOINTMENT_PRIMARY,
  chargePack,
  claim,
  decide,
  dft,
  errorsOf,
  newStore,
  PRIMARY,
  SECONDARY,
  seed,
  visit,
  withAppointment,
} from "./helpers.js";

/**
 * Table 18 - Data derived from the matching appointment
 * (docs/pack-language.md §18): every option, each provider choice, and the
 * fallback of "all from the appointment" when free-standing claims are
 * allowed. The appointment 2001 has provider 104 (supervised by 102),
 * department 2, date 2026-01-14 and policy 5120; the DFT line has FT1.20
 * 105 (supervised by 101), FT1.21 102, FT1.16 1, FT1.4 2026-01-15; the
 * patient's current policies are 4471 and 00312.
 */

const LINES = [{ procedure: "99213", modifiers: [], units: 1, diagnosisPointers: [1, 2] }];
const TO_4 = { type: "appointment.update", appointmentId: "2001", appointment: { status: "4" } };

/** The derived claim fields of the first claim.create. */
function derived(outcome: Awaited<ReturnType<typeof decide>>) {
  const create = outcome.actions.find((a) => a.type === "claim.create");
  if (create?.type !== "claim.create") return undefined;
  const c = create.claim;
  return {
    appointmentId: c.appointmentId,
    serviceDate: c.serviceDate,
    renderingProviderId: c.renderingProviderId,
    supervisingProviderId: c.supervisingProviderId,
    departmentId: c.departmentId,
    primaryPolicy: c.primaryPolicy?.packageId,
    secondaryPolicy: c.secondaryPolicy?.packageId,
  };
}

describe("Table 18: Derive all applicable data from the appointment when matched (mode fromAppointment)", () => {
  const pack = () => chargePack("charges-base");

  it("rendering, department, date and insurance from the appointment; supervising from the provider table", async () => {
    const store = await newStore();
    await withAppointment(store);
    const outcome = await decide(pack(), store, dft({ pv1: visit("2001") }));
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
          lines: LINES,
        }),
      },
      TO_4,
    ]);
    const chains = outcome.trace
      .filter((t) => t.rule === "charges.derivation")
      .map((t) => [t.ref, t.detail?.replace(/ \(.*$/, "")]);
    expect(chains).toEqual([
      ["appointment.providerId", "claim.renderingProviderId = appointment.providerId | FT1.20"],
      [
        "supervisorOf(appointment.providerId)",
        "claim.supervisingProviderId = supervisorOf(appointment.providerId) | supervisorOf(FT1.20)",
      ],
      [
        "appointment.departmentId",
        "claim.departmentId = appointment.departmentId | FT1.16 | FT1.13",
      ],
      ["appointment.start", "claim.serviceDate = appointment.start | FT1.4"],
    ]);
  });

  it("no relationship defined for the rendering provider: supervising defaults to the rendering", async () => {
    const store = await newStore();
    await withAppointment(store, { providerId: "101" });
    const outcome = await decide(pack(), store, dft({ pv1: visit("2001") }));
    expect(derived(outcome)).toMatchObject({
      renderingProviderId: "101",
      supervisingProviderId: "101",
    });
  });

  it("the DFT's own provider and department are not read: an unknown FT1.20 or FT1.16 is no error", async () => {
    const store = await newStore();
    await withAppointment(store);
    const outcome = await decide(
      pack(),
      store,
      dft({ pv1: visit("2001"), lines: [{ 20: "999", 21: "998", 16: "77", 4: "nonsense" }] }),
    );
    expect(errorsOf(outcome)).toEqual([]);
    expect(derived(outcome)).toMatchObject({ renderingProviderId: "104", departmentId: "2" });
  });

  it("an appointment without provider or department: those chains fall through to the DFT", async () => {
    const store = await newStore();
    await withAppointment(store, { providerId: null, departmentId: null });
    const outcome = await decide(pack(), store, dft({ pv1: visit("2001") }));
    expect(derived(outcome)).toEqual({
      appointmentId: "2001",
      serviceDate: "2026-01-14",
      renderingProviderId: "105",
      supervisingProviderId: "101",
      departmentId: "1",
      primaryPolicy: "5120",
      secondaryPolicy: undefined,
    });
  });

  it("the appointment's provider is no longer in master data: UNKNOWN_PROVIDER (CBOERROR)", async () => {
    const store = await newStore();
    await withAppointment(store, { providerId: "666", departmentId: "9" });
    const outcome = await decide(pack(), store, dft({ pv1: visit("2001") }));
    expect(outcome.state).toBe("CBOERROR");
    expect(errorsOf(outcome)).toEqual([
      {
        code: "UNKNOWN_PROVIDER",
        severity: "error",
        field: "appointment.providerId",
        value: "666",
      },
      {
        code: "UNKNOWN_DEPARTMENT",
        severity: "error",
        field: "appointment.departmentId",
        value: "9",
      },
    ]);
  });
});

describe("Table 18: fromAppointment when the charge matches no appointment and free-standing claims are allowed (the fallback)", () => {
  it("supervisingProvider providerTable: FT1.20, the provider table's supervisor of it, FT1.16, FT1.4, the patient's policies", async () => {
    const store = await newStore();
    await withAppointment(store);
    const outcome = await decide(
      chargePack("charges-fallback-table"),
      store,
      dft({ pv1: visit("9999") }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({ id: "1001", primaryPolicy: PRIMARY, secondaryPolicy: SECONDARY }),
      },
    ]);
    expect(derived(outcome)).toEqual({
      appointmentId: undefined,
      serviceDate: "2026-01-15",
      renderingProviderId: "105",
      supervisingProviderId: "101",
      departmentId: "1",
      primaryPolicy: "4471",
      secondaryPolicy: "00312",
    });
  });

  it("supervisingProvider message: the supervising provider is FT1.21", async () => {
    const outcome = await decide(
      chargePack("charges-fallback-message"),
      await newStore(),
      dft({ pv1: visit("9999") }),
    );
    expect(outcome.actions).toEqual([
      { type: "claim.create", claim: claim({ id: "1001", supervisingProviderId: "102" }) },
    ]);
  });

  it("supervisingProvider message, matched: the appointment still decides (supervisor of its provider)", async () => {
    const store = await newStore();
    await withAppointment(store);
    const outcome = await decide(
      chargePack("charges-fallback-message"),
      store,
      dft({ pv1: visit("2001") }),
    );
    expect(derived(outcome)).toMatchObject({
      renderingProviderId: "104",
      supervisingProviderId: "102",
    });
  });
});

describe("Table 18: Derive insurance from appointment and provider and department from the DFT (mode insuranceFromAppointment)", () => {
  it("Rendering Provider in FT1.20, Supervising Provider from the provider table; department from the field the pack names (FT1.13)", async () => {
    const store = await newStore();
    await withAppointment(store);
    const outcome = await decide(
      chargePack("charges-insurance-table"),
      store,
      dft({ pv1: visit("2001"), lines: [{ 20: "1375069832^Jones^Mary^^^^^^^^^^NPI", 13: "3" }] }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({
          id: "1001",
          appointmentId: "2001",
          renderingProviderId: "104",
          supervisingProviderId: "102",
          departmentId: "3",
          primaryPolicy: APPOINTMENT_PRIMARY,
          secondaryPolicy: undefined,
        }),
      },
      TO_4,
    ]);
  });

  it("the department field the pack names is FT1.13: FT1.16 alone is not read", async () => {
    const store = await newStore();
    await withAppointment(store);
    const outcome = await decide(
      chargePack("charges-insurance-table"),
      store,
      dft({ pv1: visit("2001") }),
    );
    expect(errorsOf(outcome)).toEqual([
      { code: "REQUIRED_FIELD_MISSING", severity: "error", field: "FT1.13" },
    ]);
  });

  it("Rendering Provider in FT1.20 and Supervising Provider in FT1.21", async () => {
    const store = await newStore();
    await withAppointment(store);
    const outcome = await decide(
      chargePack("charges-insurance-message"),
      store,
      dft({ pv1: visit("2001"), lines: [{ 21: "1482736505" }] }),
    );
    expect(derived(outcome)).toEqual({
      appointmentId: "2001",
      serviceDate: "2026-01-15",
      renderingProviderId: "105",
      supervisingProviderId: "101",
      departmentId: "1",
      primaryPolicy: "5120",
      secondaryPolicy: undefined,
    });
  });

  it("Supervising Provider in FT1.21, and FT1.21 is empty: REQUIRED_FIELD_MISSING (FT1.21)", async () => {
    const store = await newStore();
    await withAppointment(store);
    const outcome = await decide(
      chargePack("charges-insurance-message"),
      store,
      dft({ pv1: visit("2001"), lines: [{ 21: "" }] }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(errorsOf(outcome)).toEqual([
      { code: "REQUIRED_FIELD_MISSING", severity: "error", field: "FT1.21" },
    ]);
  });
});

describe("Table 18: N/A – free-standing claims, all from the DFT (mode freeStanding)", () => {
  it("Rendering Provider in FT1.20 and Supervising Provider from the provider table; the patient's policies", async () => {
    const outcome = await decide(
      chargePack("charges-free-standing"),
      await newStore(),
      dft({ lines: [{ 20: "104" }] }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({ id: "1001", renderingProviderId: "104", supervisingProviderId: "102" }),
      },
    ]);
  });

  it("the provider table's supervisor is taken even when FT1.21 names another", async () => {
    const outcome = await decide(
      chargePack("charges-free-standing"),
      await newStore(),
      dft({ lines: [{ 20: "101", 21: "102" }] }),
    );
    expect(derived(outcome)).toMatchObject({
      renderingProviderId: "101",
      supervisingProviderId: "101",
    });
  });

  it("Rendering Provider in FT1.20 and Supervising Provider in FT1.21", async () => {
    const outcome = await decide(
      chargePack("charges-free-standing-message"),
      await newStore(),
      dft({ lines: [{ 20: "104", 21: "101" }] }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({ id: "1001", renderingProviderId: "104", supervisingProviderId: "101" }),
      },
    ]);
  });

  it("a self-pay patient (no policies): a claim without insurance", async () => {
    const store = await newStore();
    await seed(store, [{ type: "insurance.selfPay", patientId: "1002" }]);
    const outcome = await decide(
      chargePack("charges-free-standing"),
      store,
      dft({ pid: { 1: "1", 2: "1002", 5: "Roe^Rita", 7: "19750630" } }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({
          id: "1001",
          patientId: "1002",
          primaryPolicy: undefined,
          secondaryPolicy: undefined,
        }),
      },
    ]);
  });
});
