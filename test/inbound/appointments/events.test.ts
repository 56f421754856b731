import { describe, expect, it } from "vitest";
import {
  codes,
  newStore,
  PRIMARY,
  run,
  SECONDARY,
  STORED,
  seed,
  siu,
  storedAppointment,
} from "./helpers.js";

/**
 * Events from SIU triggers (docs/pack-language.md §17): S12 new, S13
 * reschedule (appointments.reschedule), S14 by its status
 * (appointments.updateEvents), S15 and S17 cancel, S26 no-show
 * (appointments.noShow), and Table 4 - Interface Enablement checked on the
 * decided event.
 */

const FIELDS = {
  start: "2026-03-11T09:00:00-05:00",
  durationMinutes: 15,
  providerId: "101",
  departmentId: "1",
  type: "12",
  notes: "knee pain",
};

/** An S14/S15/... for stored appointment 2001 (practice ID in SCH.2). */
const about2001 = (trigger: string, sch: Readonly<Record<number, string | undefined>> = {}) =>
  siu(trigger, { sch: { 2: "2001", ...sch } });

describe("S12: appointmentSchedule", () => {
  it("creates the appointment for the matched patient, with its current policies", async () => {
    const store = await newStore();
    const outcome = await run("appt-basic", store, siu("S12"));
    const created = {
      ...FIELDS,
      id: "1001",
      patientId: "1001",
      primaryPolicy: PRIMARY,
      secondaryPolicy: SECONDARY,
      status: "f",
    };
    expect(outcome).toMatchObject({ state: "PROCESSED", errors: [], review: [] });
    expect(outcome.actions).toEqual([{ type: "appointment.create", appointment: created }]);
    expect(store.appointmentById("1001")).toEqual(created);
  });

  it("a self-pay patient (no policies): the appointment records none", async () => {
    const store = await newStore();
    await seed(store, [
      { type: "patient.create", patient: { id: "1002", lastName: "Solo" } },
      { type: "insurance.selfPay", patientId: "1002" },
    ]);
    const outcome = await run(
      "appt-basic",
      store,
      siu("S12", { pid: { 2: "1002", 3: undefined } }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "appointment.create",
        appointment: { ...FIELDS, id: "1001", patientId: "1002", status: "f" },
      },
    ]);
  });
});

describe("appointments.reschedule: update (S13 changes the appointment in place)", () => {
  it("appointment.update with the new start and duration; the status stays", async () => {
    const store = await newStore([storedAppointment({ status: "2" })]);
    const outcome = await run(
      "appt-basic",
      store,
      siu("S13", { sch: { 2: "2001" }, tq1: { 6: "30^min", 7: "202603120930" } }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "appointment.update",
        appointmentId: "2001",
        appointment: { ...FIELDS, start: "2026-03-12T09:30:00-05:00", durationMinutes: 30 },
      },
    ]);
    expect(store.appointmentById("2001")).toEqual({
      ...STORED,
      status: "2",
      start: "2026-03-12T09:30:00-05:00",
      durationMinutes: 30,
      notes: "knee pain",
    });
  });

  it("an update checks no create-only required field (Table 14 is to create)", async () => {
    const outcome = await run(
      "appt-basic",
      await newStore([storedAppointment()]),
      siu("S13", { sch: { 2: "2001", 8: undefined }, pv1: { 3: undefined, 7: undefined } }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([
      {
        type: "appointment.update",
        appointmentId: "2001",
        appointment: { start: FIELDS.start, durationMinutes: 15, notes: "knee pain" },
      },
    ]);
  });
});

describe("appointments.reschedule: cancelAndCreate (S13 cancels the original and creates a new appointment)", () => {
  /** Appointment 2001 holding visit "00100" under the key "100", as an S12 would have left it. */
  const rescheduled = async () =>
    await newStore([
      storedAppointment({ externalIds: { visit: "00100" } }),
      {
        type: "externalId.set",
        record: "appointment",
        recordId: "2001",
        name: "visit",
        value: "00100",
        key: "100",
      },
    ]);

  it("appointment.cancel of the original (its external IDs cleared), appointment.create with a new ID carrying them", async () => {
    const store = await rescheduled();
    const outcome = await run(
      "appt-external-id",
      store,
      siu("S13", { sch: { 1: "0100" }, tq1: { 7: "202603131400" } }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([
      {
        type: "appointment.cancel",
        appointmentId: "2001",
        appointment: { status: "x", externalIds: { visit: null } },
      },
      {
        type: "appointment.create",
        appointment: {
          ...FIELDS,
          start: "2026-03-13T14:00:00-05:00",
          id: "2002",
          patientId: "1001",
          externalIds: { visit: "0100" },
          primaryPolicy: PRIMARY,
          secondaryPolicy: SECONDARY,
          status: "f",
        },
      },
      {
        type: "externalId.set",
        record: "appointment",
        recordId: "2002",
        name: "visit",
        value: "0100",
        key: "100",
      },
    ]);
    expect(store.appointmentById("2001")).toEqual({ ...STORED, status: "x" });
    expect(store.appointmentsByExternalId("visit", "100").map((a) => a.id)).toEqual(["2002"]);
    // The next message about the visit finds the new appointment.
    const next = await run("appt-external-id", store, siu("S14", { sch: { 1: "100", 25: "2" } }));
    expect(next.actions).toMatchObject([{ type: "appointment.checkIn", appointmentId: "2002" }]);
  });

  it("the new appointment is a create: Table 14's required fields apply", async () => {
    const store = await rescheduled();
    const outcome = await run(
      "appt-external-id",
      store,
      siu("S13", { sch: { 1: "100" }, pv1: { 7: undefined } }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(outcome.errors).toEqual([
      {
        code: "REQUIRED_FIELD_MISSING",
        severity: "error",
        message: "appointment provider (PV1.7) is required to create an appointment",
        field: "PV1.7",
      },
    ]);
    expect(store.appointmentById("2001")?.status).toBe("f");
  });
});

describe("appointments.updateEvents: the S14 status decides the event (defaults 2, 3, x)", () => {
  const cases: [string, string | undefined, object][] = [
    [
      "2: appointmentCheckIn",
      "2",
      {
        type: "appointment.checkIn",
        appointmentId: "2001",
        appointment: { ...FIELDS, status: "2" },
      },
    ],
    [
      "3: appointmentCheckOut",
      "3",
      {
        type: "appointment.checkOut",
        appointmentId: "2001",
        appointment: { ...FIELDS, status: "3" },
      },
    ],
    [
      "x: appointmentCancel (only the cancel reason is read)",
      "x",
      { type: "appointment.cancel", appointmentId: "2001", appointment: { status: "x" } },
    ],
    [
      "f, not listed: appointmentUpdate, the status left as it is",
      "f",
      { type: "appointment.update", appointmentId: "2001", appointment: FIELDS },
    ],
    [
      "no status (SCH.25 absent): appointmentUpdate",
      undefined,
      { type: "appointment.update", appointmentId: "2001", appointment: FIELDS },
    ],
    [
      "a status that is no practice code (mapping not required): appointmentUpdate",
      "Scheduled",
      { type: "appointment.update", appointmentId: "2001", appointment: FIELDS },
    ],
  ];
  for (const [name, status, action] of cases) {
    it(name, async () => {
      const store = await newStore([storedAppointment()]);
      const outcome = await run("appt-basic", store, about2001("S14", { 25: status }));
      expect(outcome.state).toBe("PROCESSED");
      expect(outcome.actions).toEqual([action]);
    });
  }

  it("the statuses are stored: f -> 2 -> 3", async () => {
    const store = await newStore([storedAppointment()]);
    await run("appt-basic", store, about2001("S14", { 25: "2" }));
    expect(store.appointmentById("2001")?.status).toBe("2");
    await run("appt-basic", store, about2001("S14", { 25: "3" }));
    expect(store.appointmentById("2001")?.status).toBe("3");
  });

  it("a pack's own map: 4 (Billed) is a check-out (status 3), x (Cancelled) only an update", async () => {
    const store = await newStore([storedAppointment()]);
    const billed = await run("appt-update-events", store, about2001("S14", { 25: "Billed" }));
    expect(billed.actions).toEqual([
      {
        type: "appointment.checkOut",
        appointmentId: "2001",
        appointment: { ...FIELDS, status: "3" },
      },
    ]);
    const cancelled = await run("appt-update-events", store, about2001("S14", { 25: "Cancelled" }));
    expect(cancelled.actions).toEqual([
      { type: "appointment.update", appointmentId: "2001", appointment: FIELDS },
    ]);
    expect(store.appointmentById("2001")?.status).toBe("3");
  });
});

describe("S15 and S17: appointmentCancel, with the cancel reason (SCH.6)", () => {
  for (const trigger of ["S15", "S17"]) {
    it(`${trigger}: appointment.cancel, status x and the reason`, async () => {
      const store = await newStore([storedAppointment()]);
      const outcome = await run("appt-basic", store, about2001(trigger, { 6: "PT" }));
      expect(outcome.actions).toEqual([
        {
          type: "appointment.cancel",
          appointmentId: "2001",
          appointment: { status: "x", cancelReason: "PT" },
        },
      ]);
      expect(store.appointmentById("2001")).toEqual({ ...STORED, status: "x", cancelReason: "PT" });
    });
  }

  it('an HL7 null in SCH.6 ("") clears a stored reason', async () => {
    const store = await newStore([storedAppointment({ status: "x", cancelReason: "PT" })]);
    const outcome = await run("appt-basic", store, about2001("S15", { 6: '""' }));
    expect(outcome.actions).toEqual([
      {
        type: "appointment.cancel",
        appointmentId: "2001",
        appointment: { status: "x", cancelReason: null },
      },
    ]);
    expect(store.appointmentById("2001")).toEqual({ ...STORED, status: "x" });
  });

  it("a cancel reads nothing else: an unknown provider in the cancel does not stop it", async () => {
    const outcome = await run(
      "appt-basic",
      await newStore([storedAppointment()]),
      siu("S15", { sch: { 2: "2001" }, pv1: { 7: "999" } }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions.map((a) => a.type)).toEqual(["appointment.cancel"]);
  });
});

describe("appointments.noShow: S26 decided as an S14 with noShow.status", () => {
  it("default (x): appointment.cancel; no reason of its own", async () => {
    const outcome = await run(
      "appt-basic",
      await newStore([storedAppointment()]),
      about2001("S26"),
    );
    expect(outcome.actions).toEqual([
      { type: "appointment.cancel", appointmentId: "2001", appointment: { status: "x" } },
    ]);
  });

  it("noShow.cancelReason when SCH.6 is absent; SCH.6 when present", async () => {
    const store = await newStore([storedAppointment({ externalIds: { visit: "100" } })]);
    const absent = await run("appt-external-id", store, siu("S26", { sch: { 1: "100" } }));
    expect(absent.actions).toEqual([
      {
        type: "appointment.cancel",
        appointmentId: "2001",
        appointment: { status: "x", cancelReason: "NOSHOW" },
      },
    ]);
    const given = await run("appt-external-id", store, siu("S26", { sch: { 1: "100", 6: "PT" } }));
    expect(given.actions).toEqual([
      {
        type: "appointment.cancel",
        appointmentId: "2001",
        appointment: { status: "x", cancelReason: "PT" },
      },
    ]);
  });

  it("noShow.status 3 with the base's updateEvents: a check-out (enabled for S26 by the pack)", async () => {
    const outcome = await run(
      "appt-update-events",
      await newStore([storedAppointment()]),
      about2001("S26"),
    );
    expect(outcome.actions).toEqual([
      {
        type: "appointment.checkOut",
        appointmentId: "2001",
        appointment: { ...FIELDS, status: "3" },
      },
    ]);
  });
});

describe("APPOINTMENT_NOT_FOUND: an update, reschedule, cancel, deletion or no-show for no appointment", () => {
  for (const trigger of ["S13", "S14", "S15", "S17", "S26"]) {
    it(trigger, async () => {
      const store = await newStore();
      const outcome = await run("appt-basic", store, about2001(trigger, { 25: "2" }));
      expect(outcome.state).toBe("ERROR");
      expect(codes(outcome)).toEqual(["APPOINTMENT_NOT_FOUND(SCH.2)"]);
      expect(outcome.actions).toEqual([]);
    });
  }
});

describe("Table 4 - Interface Enablement: checked on the decided event, not on the message type", () => {
  // appt-enablement: appointmentSchedule false, appointmentCancel [S15],
  // appointmentCheckIn false, appointmentUpdate [S14], appointmentCheckOut (base) S14.
  const cases: [string, string, Readonly<Record<number, string>>, string | null][] = [
    [
      "S14 Arrived -> appointmentCheckIn (disabled)",
      "S14",
      { 25: "Arrived" },
      "appointmentCheckIn",
    ],
    ["S14 Complete -> appointmentCheckOut (enabled)", "S14", { 25: "Complete" }, null],
    [
      "S14 Cancelled -> appointmentCancel (S15 only)",
      "S14",
      { 25: "Cancelled" },
      "appointmentCancel",
    ],
    ["S14 Booked -> appointmentUpdate (enabled for S14)", "S14", { 25: "Booked" }, null],
    ["S15 -> appointmentCancel (enabled for S15)", "S15", {}, null],
    ["S17 -> appointmentCancel (not for S17)", "S17", {}, "appointmentCancel"],
    ["S13 -> appointmentUpdate (not for S13)", "S13", {}, "appointmentUpdate"],
    ["S26 -> appointmentCancel (not for S26)", "S26", {}, "appointmentCancel"],
  ];
  for (const [name, trigger, sch, disabled] of cases) {
    it(name, async () => {
      const store = await newStore([storedAppointment()]);
      const outcome = await run("appt-enablement", store, about2001(trigger, sch));
      if (disabled === null) {
        expect(outcome.state).toBe("PROCESSED");
        expect(outcome.actions).toHaveLength(1);
        return;
      }
      expect(outcome.state).toBe("ERROR");
      expect(outcome.actions).toEqual([]);
      expect(outcome.errors).toEqual([
        {
          code: "EVENT_NOT_ENABLED",
          severity: "error",
          message: `${disabled} is not enabled inbound for SIU^${trigger} (enabled.inbound.${disabled}, Table 4 - Interface Enablement)`,
        },
      ]);
      expect(store.appointmentById("2001")).toEqual(STORED);
    });
  }

  it("S12 -> appointmentSchedule (disabled): nothing created", async () => {
    const store = await newStore();
    const outcome = await run("appt-enablement", store, siu("S12"));
    expect(codes(outcome)).toEqual(["EVENT_NOT_ENABLED"]);
    expect(store.appointmentById("1001")).toBeUndefined();
  });
});
