import { describe, expect, it } from "vitest";
import {
  APPOINTMENT,
  APPOINTMENT_PRIMARY,
  apply,
  chargePack,
  claim,
  decide,
  dft,
  errorsOf,
  newStore,
  OTHER_PATIENT_ID,
  PRIMARY,
  SECONDARY,
  visit,
  withAppointment,
} from "./helpers.js";

/**
 * Table 17 - Matching charge messages to appointments options and Charges
 * with Unmatched Appointments (docs/pack-language.md §18). The appointment
 * (2001, provider 104, department 2, 2026-01-14) differs from the DFT's line
 * (provider 105, department 1, 2026-01-15), so each claim shows its source.
 */

/** The claim of a charge matched to appointment 2001 under fromAppointment. */
const FROM_APPOINTMENT = claim({
  id: "1001",
  appointmentId: "2001",
  serviceDate: "2026-01-14",
  renderingProviderId: "104",
  supervisingProviderId: "102",
  departmentId: "2",
  primaryPolicy: APPOINTMENT_PRIMARY,
  secondaryPolicy: undefined,
});
const { secondaryPolicy: _none, ...MATCHED } = FROM_APPOINTMENT;

const TO_4 = { type: "appointment.update", appointmentId: "2001", appointment: { status: "4" } };

describe("Table 17: athenaNet appointment ID (appointmentMatching.by practiceId, from PV1.19)", () => {
  it("matched in status 2 (checked in): the claim is the appointment's, and it moves to 4", async () => {
    const store = await newStore();
    await withAppointment(store);
    const outcome = await apply(chargePack("charges-base"), store, dft({ pv1: visit("2001") }));
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([{ type: "claim.create", claim: MATCHED }, TO_4]);
    expect(store.appointmentById("2001")?.status).toBe("4");
    expect(await store.claimById("1001")).toEqual(MATCHED);
  });

  for (const status of ["3", "f"] as const) {
    it(`matched in status ${status}: moves to 4`, async () => {
      const store = await newStore();
      await withAppointment(store, { status });
      const outcome = await decide(chargePack("charges-base"), store, dft({ pv1: visit("2001") }));
      expect(outcome.actions).toEqual([{ type: "claim.create", claim: MATCHED }, TO_4]);
    });
  }

  it("matched in status 4 (charges already entered): the claim, no appointment.update", async () => {
    const store = await newStore();
    await withAppointment(store, { status: "4" });
    const outcome = await decide(chargePack("charges-base"), store, dft({ pv1: visit("2001") }));
    expect(outcome.actions).toEqual([{ type: "claim.create", claim: MATCHED }]);
  });

  it("several lines of one appointment: one appointment.update, after the claim", async () => {
    const store = await newStore();
    await withAppointment(store);
    const outcome = await decide(
      chargePack("charges-base"),
      store,
      dft({ pv1: visit("2001"), lines: [{}, { 25: "20610" }] }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: {
          ...MATCHED,
          lines: [
            { procedure: "99213", modifiers: [], units: 1, diagnosisPointers: [1, 2] },
            { procedure: "20610", modifiers: [], units: 1, diagnosisPointers: [1, 2] },
          ],
        },
      },
      TO_4,
    ]);
  });

  it("the ID names the appointment: PV1.19 2002 gives appointment 2002's provider and department", async () => {
    const store = await newStore();
    await withAppointment(store);
    await withAppointment(store, { id: "2002", providerId: "101", departmentId: "3" });
    const outcome = await decide(chargePack("charges-base"), store, dft({ pv1: visit("2002") }));
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: {
          ...MATCHED,
          appointmentId: "2002",
          renderingProviderId: "101",
          supervisingProviderId: "101",
          departmentId: "3",
        },
      },
      { ...TO_4, appointmentId: "2002" },
    ]);
  });
});

describe("Table 17: external appointment ID (appointmentMatching.by externalId, from FT1.23)", () => {
  const pack = () => chargePack("charges-external-id");

  it("matched by the visit external ID, leading zeros stripped as Table 6's entry says", async () => {
    const store = await newStore();
    await withAppointment(store, { externalIds: { visit: "77" } });
    const outcome = await decide(pack(), store, dft({ lines: [{ 23: "00077" }] }));
    expect(outcome.actions).toEqual([{ type: "claim.create", claim: MATCHED }, TO_4]);
  });

  it("each line finds its own appointment: two appointments, two claims, both move to 4", async () => {
    const store = await newStore();
    await withAppointment(store, { externalIds: { visit: "77" } });
    await withAppointment(store, {
      id: "2002",
      externalIds: { visit: "78" },
      providerId: "101",
      start: "2026-01-15T08:00:00-06:00",
    });
    const outcome = await decide(pack(), store, dft({ lines: [{ 23: "77" }, { 23: "78" }] }));
    expect(outcome.actions).toEqual([
      { type: "claim.create", claim: MATCHED },
      {
        type: "claim.create",
        claim: {
          ...MATCHED,
          id: "1002",
          appointmentId: "2002",
          serviceDate: "2026-01-15",
          renderingProviderId: "101",
          supervisingProviderId: "101",
        },
      },
      TO_4,
      { ...TO_4, appointmentId: "2002" },
    ]);
  });

  it("an external ID held by two appointments is not guessed: APPOINTMENT_NOT_MATCHED", async () => {
    const store = await newStore();
    await withAppointment(store, { externalIds: { visit: "77" } });
    await withAppointment(store, { id: "2002", externalIds: { visit: "77" } });
    const outcome = await decide(pack(), store, dft({ lines: [{ 23: "77" }] }));
    expect(outcome.state).toBe("ERROR");
    expect(errorsOf(outcome)).toEqual([
      { code: "APPOINTMENT_NOT_MATCHED", severity: "error", field: "FT1.23", value: "77" },
    ]);
    expect(outcome.errors[0]?.message).toMatch(/held by 2 appointments/);
  });

  it("the practice appointment ID is not an external ID: PV1.19 2001 matches nothing here", async () => {
    const store = await newStore();
    await withAppointment(store);
    const outcome = await decide(
      pack(),
      store,
      dft({ pv1: visit("2001"), lines: [{ 23: "2001" }] }),
    );
    expect(errorsOf(outcome)).toEqual([
      { code: "APPOINTMENT_NOT_MATCHED", severity: "error", field: "FT1.23", value: "2001" },
    ]);
  });
});

describe("Table 17: N/A - free-standing claims, no matching (appointmentMatching.by none)", () => {
  it("an appointment ID in the message is not looked at: a free-standing claim, the appointment untouched", async () => {
    const store = await newStore();
    await withAppointment(store);
    const outcome = await apply(
      chargePack("charges-free-standing"),
      store,
      dft({ pv1: visit("2001") }),
    );
    expect(outcome.actions).toEqual([{ type: "claim.create", claim: claim({ id: "1001" }) }]);
    expect(store.appointmentById("2001")?.status).toBe("2");
  });
});

describe("Charges with Unmatched Appointments: unmatched error (the spec's recommendation, base.yaml)", () => {
  const pack = () => chargePack("charges-base");

  it("no such appointment: APPOINTMENT_NOT_MATCHED (ERROR) with the field and ID; nothing applied", async () => {
    const store = await newStore();
    await withAppointment(store);
    const outcome = await apply(pack(), store, dft({ pv1: visit("9999") }));
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      { code: "APPOINTMENT_NOT_MATCHED", severity: "error", field: "PV1.19", value: "9999" },
    ]);
    expect(await store.claimById("1001")).toBeUndefined();
    expect(store.appointmentById("2001")?.status).toBe("2");
  });

  it("no appointment ID at all (no PV1): one APPOINTMENT_NOT_MATCHED for the message, without a value", async () => {
    const outcome = await decide(pack(), await newStore(), dft({ lines: [{}, { 25: "20610" }] }));
    expect(errorsOf(outcome)).toEqual([
      { code: "APPOINTMENT_NOT_MATCHED", severity: "error", field: "PV1.19" },
    ]);
    expect(outcome.errors[0]?.message).toMatch(/no appointment ID in PV1.19/);
  });

  it("a cancelled (x) appointment counts as unmatched", async () => {
    const store = await newStore();
    await withAppointment(store, { status: "x" });
    const outcome = await decide(pack(), store, dft({ pv1: visit("2001") }));
    expect(errorsOf(outcome)).toEqual([
      { code: "APPOINTMENT_NOT_MATCHED", severity: "error", field: "PV1.19", value: "2001" },
    ]);
    expect(outcome.errors[0]?.message).toMatch(/is cancelled/);
  });

  it("another patient's appointment counts as unmatched", async () => {
    const store = await newStore();
    await withAppointment(store, { patientId: OTHER_PATIENT_ID });
    const outcome = await decide(pack(), store, dft({ pv1: visit("2001") }));
    expect(errorsOf(outcome)).toEqual([
      { code: "APPOINTMENT_NOT_MATCHED", severity: "error", field: "PV1.19", value: "2001" },
    ]);
    expect(outcome.errors[0]?.message).toMatch(/belongs to another patient/);
  });
});

describe("Charges with Unmatched Appointments: unmatched freeStandingClaim", () => {
  it("no matching appointment: a claim without appointmentId, the patient's current policies, the appointment left as it was", async () => {
    const store = await newStore();
    await withAppointment(store);
    const outcome = await apply(
      chargePack("charges-fallback-table"),
      store,
      dft({ pv1: visit("9999") }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({ id: "1001", primaryPolicy: PRIMARY, secondaryPolicy: SECONDARY }),
      },
    ]);
    expect((await store.claimById("1001"))?.appointmentId).toBeUndefined();
    expect(store.appointmentById("2001")).toEqual(APPOINTMENT);
  });

  it("a matched line and an unmatched one in one message: the matched one is the appointment's", async () => {
    // Each line names its appointment in FT1.23; insurance from the appointment, the rest from the DFT.
    const store = await newStore();
    await withAppointment(store);
    const outcome = await decide(
      chargePack("charges-group-by-appointment"),
      store,
      dft({ lines: [{ 23: "2001" }, { 25: "20610" }] }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({
          id: "1001",
          appointmentId: "2001",
          primaryPolicy: APPOINTMENT_PRIMARY,
          secondaryPolicy: undefined,
        }),
      },
      {
        type: "claim.create",
        claim: claim({
          id: "1002",
          lines: [{ procedure: "20610", modifiers: [], units: 1, diagnosisPointers: [1, 2] }],
        }),
      },
      TO_4,
    ]);
  });
});
