import { describe, expect, it } from "vitest";
import {
  codes,
  newStore,
  PATIENT,
  PRIMARY,
  run,
  SECONDARY,
  STORED,
  seed,
  siu,
  storedAppointment,
} from "./helpers.js";

/**
 * Table 15 - Appointment message matching options (appointments.matching),
 * Table 6 – Appointment-level custom fields (externalIds.appointment:
 * use-for-matching, leading zeros) and how an appointment message finds its
 * patient (matching.order.appointment).
 */

/** What the default message (helpers.ts) extracts, before status and IDs. */
const FIELDS = {
  start: "2026-03-11T09:00:00-05:00",
  durationMinutes: 15,
  providerId: "101",
  departmentId: "1",
  type: "12",
  notes: "knee pain",
};

describe("Table 15: appointments.matching.by practiceId (the athenaNet appointment ID, default SCH.2)", () => {
  it("an S14 with a stored appointment's ID in SCH.2 updates that appointment", async () => {
    const store = await newStore([storedAppointment()]);
    const outcome = await run("appt-basic", store, siu("S14", { sch: { 2: "2001" } }));
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.errors).toEqual([]);
    expect(outcome.actions).toEqual([
      { type: "appointment.update", appointmentId: "2001", appointment: FIELDS },
    ]);
    expect(store.appointmentById("2001")).toEqual({ ...STORED, notes: "knee pain" });
  });

  it("an ID no appointment has is APPOINTMENT_NOT_FOUND, with the field and the value", async () => {
    const store = await newStore([storedAppointment()]);
    const outcome = await run("appt-basic", store, siu("S14", { sch: { 2: "9999" } }));
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(outcome.errors).toEqual([
      {
        code: "APPOINTMENT_NOT_FOUND",
        severity: "error",
        message:
          "SIU^S14 changes an existing appointment, but no appointment has the ID '9999' (SCH.2) (appointments.matching, Table 15 - Appointment message matching options)",
        field: "SCH.2",
        value: "9999",
      },
    ]);
    expect(store.appointmentById("2001")).toEqual(STORED);
  });

  it("no ID in SCH.2 at all is APPOINTMENT_NOT_FOUND naming the field", async () => {
    const outcome = await run("appt-basic", await newStore([storedAppointment()]), siu("S15"));
    expect(outcome.errors).toEqual([
      {
        code: "APPOINTMENT_NOT_FOUND",
        severity: "error",
        message:
          "SIU^S15 changes an existing appointment, but the message has no appointment ID in SCH.2 (appointments.matching, Table 15 - Appointment message matching options)",
        field: "SCH.2",
      },
    ]);
  });

  it("an S12 whose SCH.2 matches nothing creates an appointment with the practice system's own next ID", async () => {
    const store = await newStore([storedAppointment()]);
    const outcome = await run("appt-basic", store, siu("S12", { sch: { 2: "9999" } }));
    expect(outcome.actions).toEqual([
      {
        type: "appointment.create",
        appointment: {
          ...FIELDS,
          id: "2002",
          patientId: "1001",
          primaryPolicy: PRIMARY,
          secondaryPolicy: SECONDARY,
          status: "f",
        },
      },
    ]);
    expect(store.appointmentById("9999")).toBeUndefined();
  });

  it("an S12 whose SCH.2 is a stored appointment is a resend: appointment.update, event appointmentSchedule", async () => {
    const store = await newStore([storedAppointment({ status: "2" })]);
    const outcome = await run(
      "appt-basic",
      store,
      siu("S12", { sch: { 2: "2001" }, tq1: { 7: "202603111000" } }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "appointment.update",
        appointmentId: "2001",
        appointment: { ...FIELDS, start: "2026-03-11T10:00:00-05:00" },
      },
    ]);
    // A resend changes no status.
    expect(store.appointmentById("2001")?.status).toBe("2");
  });
});

describe("Table 15: appointments.matching.by externalId with Table 6 use-for-matching and leadingZeros: strip", () => {
  it("an S12 stores the received IDs verbatim and indexes the matching key without leading zeros", async () => {
    const store = await newStore();
    const outcome = await run(
      "appt-external-id",
      store,
      siu("S12", { sch: { 1: "00100", 2: "F-7" } }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "appointment.create",
        appointment: {
          ...FIELDS,
          id: "1001",
          patientId: "1001",
          externalIds: { visit: "00100", filler: "F-7" },
          primaryPolicy: PRIMARY,
          secondaryPolicy: SECONDARY,
          status: "f",
        },
      },
      {
        type: "externalId.set",
        record: "appointment",
        recordId: "1001",
        name: "visit",
        value: "00100",
        key: "100",
      },
    ]);
    expect(store.appointmentsByExternalId("visit", "100").map((a) => a.id)).toEqual(["1001"]);
    expect(store.appointmentById("1001")?.externalIds).toEqual({ visit: "00100", filler: "F-7" });
  });

  it("a later message with the ID padded differently finds the same appointment", async () => {
    const store = await newStore();
    await run("appt-external-id", store, siu("S12", { sch: { 1: "00100" } }));
    for (const sent of ["100", "0000100"]) {
      const outcome = await run(
        "appt-external-id",
        store,
        siu("S14", { sch: { 1: sent, 25: "3" } }),
      );
      // The matching key is unchanged, so the stored ID is not rewritten.
      expect(outcome.actions).toEqual([
        {
          type: "appointment.checkOut",
          appointmentId: "1001",
          appointment: { ...FIELDS, status: "3" },
        },
      ]);
    }
    expect(store.appointmentById("1001")?.externalIds).toEqual({ visit: "00100" });
  });

  it("an ID the appointment did not have yet (one not used for matching) is set: externalId.set", async () => {
    const store = await newStore();
    await run("appt-external-id", store, siu("S12", { sch: { 1: "100" } }));
    const outcome = await run(
      "appt-external-id",
      store,
      siu("S14", { sch: { 1: "100", 2: "F-9" } }),
    );
    expect(outcome.actions).toEqual([
      { type: "appointment.update", appointmentId: "1001", appointment: FIELDS },
      {
        type: "externalId.set",
        record: "appointment",
        recordId: "1001",
        name: "filler",
        value: "F-9",
        key: "F-9",
      },
    ]);
    expect(store.appointmentById("1001")?.externalIds).toEqual({ visit: "100", filler: "F-9" });
  });

  it("the practice ID in SCH.2 is not looked at: an external ID nobody holds is APPOINTMENT_NOT_FOUND", async () => {
    const outcome = await run(
      "appt-external-id",
      await newStore([storedAppointment()]),
      siu("S15", { sch: { 1: "555", 2: "2001" } }),
    );
    expect(outcome.errors).toEqual([
      {
        code: "APPOINTMENT_NOT_FOUND",
        severity: "error",
        message:
          "SIU^S15 changes an existing appointment, but no appointment holds visit '555' (SCH.1) (appointments.matching, Table 15 - Appointment message matching options)",
        field: "SCH.1",
        value: "555",
      },
    ]);
  });

  it("a message without the external ID is APPOINTMENT_NOT_FOUND naming its field", async () => {
    const outcome = await run(
      "appt-external-id",
      await newStore([storedAppointment()]),
      siu("S14", { sch: { 1: undefined } }),
    );
    expect(codes(outcome)).toEqual(["APPOINTMENT_NOT_FOUND(SCH.1)"]);
    expect(outcome.errors[0]?.message).toBe(
      "SIU^S14 changes an existing appointment, but the message has no external appointment ID visit in SCH.1 (appointments.matching, Table 15 - Appointment message matching options)",
    );
  });

  it("an external ID held by two appointments is INVALID_VALUE: external IDs must be unique", async () => {
    const store = await newStore([
      storedAppointment({ id: "2001", externalIds: { visit: "100" } }),
      storedAppointment({ id: "2002", externalIds: { visit: "100" } }),
    ]);
    const outcome = await run("appt-external-id", store, siu("S14", { sch: { 1: "100" } }));
    expect(outcome.state).toBe("ERROR");
    expect(outcome.errors).toEqual([
      {
        code: "INVALID_VALUE",
        severity: "error",
        message:
          "external appointment ID visit '100' is held by 2 appointments (2001, 2002); external IDs must be unique and non-changing",
        field: "SCH.1",
        value: "100",
      },
    ]);
  });
});

describe("Table 6: leadingZeros: keep (the default) compares the external ID exactly", () => {
  it("'00100' stored, '100' received: APPOINTMENT_NOT_FOUND; '00100' received: found", async () => {
    const store = await newStore();
    const created = await run("appt-external-keep", store, siu("S12", { sch: { 1: "00100" } }));
    // Kept as received: the key is the value, so no externalId.set follows the create.
    expect(created.actions.map((a) => a.type)).toEqual(["appointment.create"]);
    const padded = await run("appt-external-keep", store, siu("S15", { sch: { 1: "100" } }));
    expect(codes(padded)).toEqual(["APPOINTMENT_NOT_FOUND(SCH.1)"]);
    const exact = await run("appt-external-keep", store, siu("S15", { sch: { 1: "00100" } }));
    expect(exact.actions).toEqual([
      { type: "appointment.cancel", appointmentId: "1001", appointment: { status: "x" } },
    ]);
  });
});

describe("matching.order.appointment: the patient by ID only, never by demographics", () => {
  it("a new appointment's patient by the athenaNet patient ID (PID.2)", async () => {
    const outcome = await run(
      "appt-basic",
      await newStore(),
      siu("S12", { pid: { 3: undefined } }),
    );
    expect(outcome.actions).toMatchObject([{ appointment: { patientId: "1001" } }]);
  });

  it("without PID.2, by the patient external ID used for matching (the MRN)", async () => {
    const outcome = await run(
      "appt-basic",
      await newStore(),
      siu("S12", { pid: { 2: undefined } }),
    );
    expect(outcome.actions).toMatchObject([{ appointment: { patientId: "1001" } }]);
  });

  it("no patient ID the store knows: PATIENT_NOT_FOUND, even when name and birth date agree", async () => {
    const store = await newStore();
    const outcome = await run(
      "appt-basic",
      store,
      siu("S12", { pid: { 2: undefined, 3: "555^^^OC^MR" } }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(outcome.errors).toEqual([
      {
        code: "PATIENT_NOT_FOUND",
        severity: "error",
        message:
          "no patient matches by appointment, patientId, externalId (matching.order.appointment); an appointment message never creates a patient: send the patient first",
      },
    ]);
    expect(store.patientById("1002")).toBeUndefined();
  });

  it("an update finds the patient through its appointment, whatever the PID says", async () => {
    const store = await newStore([storedAppointment()]);
    const outcome = await run(
      "appt-basic",
      store,
      siu("S14", { sch: { 2: "2001", 25: "2" }, pid: { 2: "4242", 3: "999^^^OC^MR" } }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions.map((a) => a.type)).toEqual(["appointment.checkIn"]);
  });

  it("demographics and insurance in an appointment message are not processed", async () => {
    const store = await newStore();
    const outcome = await run(
      "appt-basic",
      store,
      siu("S12", {
        pid: { 5: "SMITH^JOAN", 7: "19990101", 8: "F" },
        more: ["IN1|1|HMP-100|HMP-100|Harbor Mutual PPO||||||||||||||||||||||||||||||||||NEW-9"],
      }),
    );
    expect(outcome.actions.map((a) => a.type)).toEqual(["appointment.create"]);
    expect(store.patientById("1001")).toEqual(PATIENT);
    expect(store.policiesOf("1001")).toEqual([PRIMARY, SECONDARY]);
  });

  it("order [patientId]: the message's patient decides, and must be the appointment's", async () => {
    const store = await newStore([storedAppointment()]);
    await seed(store, [{ type: "patient.create", patient: { id: "1002", lastName: "Other" } }]);
    const other = await run(
      "appt-order-patient-id",
      store,
      siu("S14", { sch: { 2: "2001" }, pid: { 2: "1002" } }),
    );
    expect(other.errors).toEqual([
      {
        code: "APPOINTMENT_NOT_FOUND",
        severity: "error",
        message: "appointment 2001 belongs to patient 1001, not to the message's patient 1002",
      },
    ]);
    const none = await run(
      "appt-order-patient-id",
      store,
      siu("S14", { sch: { 2: "2001" }, pid: { 2: undefined } }),
    );
    expect(codes(none)).toEqual(["PATIENT_NOT_FOUND"]);
    const same = await run("appt-order-patient-id", store, siu("S14", { sch: { 2: "2001" } }));
    expect(same.actions.map((a) => a.type)).toEqual(["appointment.update"]);
  });
});
