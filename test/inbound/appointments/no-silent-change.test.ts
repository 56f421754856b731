import { describe, expect, it } from "vitest";
import { hl7ErrorCode } from "../../../engine/hl7/ack.js";
import type { Outcome } from "../../../engine/model/outcome.js";
import type { AppointmentStatus } from "../../../engine/model/records.js";
import { receiveBytes } from "../../../engine/queue/intake.js";
import type { LocalStore as Store } from "../../../engine/store/types.js";
import { NOW, newStore, pack, run, seed, siu, storedAppointment } from "./helpers.js";

/**
 * What an appointment message must never do quietly (issue "No silent
 * change to a patient's data", docs/pack-language.md §17): move an
 * appointment out of a final status, take a status it cannot read as an
 * update without saying so, or book a patient who holds no insurance.
 */

/** An S14/S15/... for stored appointment 2001 (practice ID in SCH.2). */
const about2001 = (trigger: string, sch: Readonly<Record<number, string | undefined>> = {}) =>
  siu(trigger, { sch: { 2: "2001", ...sch } });

/** As `run`, with the trace (`--explain`). */
async function explained(packId: string, store: Store, message: string): Promise<Outcome> {
  const [outcome] = await receiveBytes(pack(packId), store, new TextEncoder().encode(message), {
    now: NOW,
    sender: "test",
    trace: true,
  });
  if (!outcome) throw new Error("no outcome");
  return outcome;
}

const errors = (o: Outcome) => o.errors.map(({ message: _m, ...rest }) => rest);

describe("Appointment status moves: cancelled (x) and charges entered (4) are final for check-in, check-out and cancel", () => {
  const refused: readonly [string, AppointmentStatus, Readonly<Record<number, string>>, string][] =
    [
      ["a check-in of a cancelled appointment", "x", { 25: "2" }, "SCH.25"],
      ["a check-out of a cancelled appointment", "x", { 25: "3" }, "SCH.25"],
      ["a check-in of an appointment with charges", "4", { 25: "2" }, "SCH.25"],
      ["a check-out of an appointment with charges", "4", { 25: "3" }, "SCH.25"],
    ];
  for (const [what, status, sch, field] of refused) {
    it(`${what} (S14): INVALID_APPOINTMENT_TRANSITION naming status ${status}, nothing applied`, async () => {
      const store = await newStore([storedAppointment({ status })]);
      const outcome = await run("appt-basic", store, about2001("S14", sch));
      expect(outcome.state).toBe("ERROR");
      expect(outcome.actions).toEqual([]);
      expect(errors(outcome)).toEqual([
        { code: "INVALID_APPOINTMENT_TRANSITION", severity: "error", field, value: status },
      ]);
      expect(store.appointmentById("2001")?.status).toBe(status);
    });
  }

  it("an S15 cancel of an appointment with charges (4): INVALID_APPOINTMENT_TRANSITION, its message names the status", async () => {
    const store = await newStore([storedAppointment({ status: "4" })]);
    const outcome = await run("appt-basic", store, about2001("S15", { 6: "PATCANCEL" }));
    expect(outcome.state).toBe("ERROR");
    expect(errors(outcome)).toEqual([
      { code: "INVALID_APPOINTMENT_TRANSITION", severity: "error", field: "MSH.9", value: "4" },
    ]);
    expect(outcome.errors[0]?.message).toBe(
      "appointmentCancel (SIU^S15) would move appointment 2001 from 4 (charges entered) to x (cancelled); 4 is final for a cancel: nothing was applied",
    );
    expect(store.appointmentById("2001")?.status).toBe("4");
  });

  it("the ACK says the record refused it: HL7 table 0357 code 206 (application record locked)", async () => {
    expect(hl7ErrorCode("INVALID_APPOINTMENT_TRANSITION")).toBe("206");
  });

  it("an S15 for an appointment already cancelled is a resend: cancelled again, no error", async () => {
    const store = await newStore([storedAppointment({ status: "x" })]);
    const outcome = await run("appt-basic", store, about2001("S15"));
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([
      { type: "appointment.cancel", appointmentId: "2001", appointment: { status: "x" } },
    ]);
  });

  it("an update (S14 without a status) of a cancelled appointment moves no status: applied", async () => {
    const store = await newStore([storedAppointment({ status: "x" })]);
    const outcome = await run("appt-basic", store, about2001("S14"));
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions.map((a) => a.type)).toEqual(["appointment.update"]);
  });

  it("a check-out of a checked-in appointment is a move the spec implies: applied", async () => {
    const store = await newStore([storedAppointment({ status: "2" })]);
    const outcome = await run("appt-basic", store, about2001("S14", { 25: "3" }));
    expect(outcome.state).toBe("PROCESSED");
    expect(store.appointmentById("2001")?.status).toBe("3");
  });
});

describe("Inbound statuses: the standard status table (mappings/standard/appointmentStatus.yaml)", () => {
  const decided: readonly [string, string][] = [
    ["ARRIVED", "appointment.checkIn"],
    ["COMPLETED", "appointment.checkOut"],
    ["CANCELLED", "appointment.cancel"],
    ["BOOKED", "appointment.update"],
    ["UPDATE", "appointment.update"],
    ["Complete", "appointment.checkOut"],
    ["Started", "appointment.checkIn"],
    ["Noshow", "appointment.cancel"],
    ["Dc", "appointment.cancel"],
    ["Deleted", "appointment.cancel"],
    ["Overbook", "appointment.update"],
    ["Pending", "appointment.update"],
    ["Waitlist", "appointment.update"],
    ["Blocked", "appointment.update"],
  ];
  for (const [status, action] of decided) {
    it(`SCH.25 ${status} (Table 8 or HL7 0278) maps: ${action}`, async () => {
      const store = await newStore([storedAppointment()]);
      const outcome = await run("appt-standard-status", store, about2001("S14", { 25: status }));
      expect(outcome.state).toBe("PROCESSED");
      expect(outcome.errors).toEqual([]);
      expect(outcome.actions.map((a) => a.type)).toEqual([action]);
    });
  }
});

describe("Inbound statuses: an S14 whose status decides nothing says so", () => {
  const statusTrace = (o: Outcome) =>
    o.trace.filter((t) => t.rule === "appointments.updateEvents").map((t) => t.detail);

  it("SCH.25 ARRIVED with mapping off (not a practice status code): a plain update with the warning STATUS_NOT_APPLIED", async () => {
    const store = await newStore([storedAppointment()]);
    const outcome = await run("appt-basic", store, about2001("S14", { 25: "ARRIVED" }));
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions.map((a) => a.type)).toEqual(["appointment.update"]);
    expect(errors(outcome)).toEqual([
      { code: "STATUS_NOT_APPLIED", severity: "warning", field: "SCH.25", value: "ARRIVED" },
    ]);
    expect(store.appointmentById("2001")?.status).toBe("f");
  });

  it("no SCH.25: a plain update, and the trace says the status decided nothing", async () => {
    const store = await newStore([storedAppointment()]);
    const outcome = await explained("appt-basic", store, about2001("S14"));
    expect(outcome.errors).toEqual([]);
    expect(statusTrace(outcome)).toEqual([
      "no status in SCH.25: appointmentUpdate (the status stays f)",
    ]);
  });

  it("a status code the pack knows that decides no event (f): the trace says so", async () => {
    const store = await newStore([storedAppointment({ status: "2" })]);
    const outcome = await explained("appt-basic", store, about2001("S14", { 25: "f" }));
    expect(outcome.errors).toEqual([]);
    expect(statusTrace(outcome)).toEqual([
      "status f (SCH.25) decides no event in appointments.updateEvents: appointmentUpdate (the status stays 2)",
    ]);
  });

  it("a status that decides an event: the trace names it", async () => {
    const store = await newStore([storedAppointment()]);
    const outcome = await explained("appt-basic", store, about2001("S14", { 25: "2" }));
    expect(statusTrace(outcome)).toEqual(["status 2 (SCH.25): appointmentCheckIn"]);
  });
});

describe("appointments.requireInsurance (default true): no insurance, no appointment", () => {
  const uninsured = async () => {
    const store = await newStore();
    await seed(store, [{ type: "patient.create", patient: { id: "1002", lastName: "Solo" } }]);
    return store;
  };
  const forSolo = siu("S12", { pid: { 2: "1002", 3: undefined } });

  it("an S12 for a patient with no policy at all (not even self-pay): NO_INSURANCE, ERROR, nothing created", async () => {
    const store = await uninsured();
    const outcome = await run("appt-basic", store, forSolo);
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errors(outcome)).toEqual([{ code: "NO_INSURANCE", severity: "error", value: "1002" }]);
    expect(outcome.errors[0]?.message).toContain("appointments.requireInsurance");
  });

  it("a self-pay patient: the appointment is created without policies", async () => {
    const store = await uninsured();
    await seed(store, [{ type: "insurance.selfPay", patientId: "1002" }]);
    const outcome = await run("appt-basic", store, forSolo);
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions.map((a) => a.type)).toEqual(["appointment.create"]);
  });

  it("an update of an existing appointment is not refused: the patient's insurance is checked when booking", async () => {
    const store = await uninsured();
    await seed(store, [{ ...storedAppointment({ patientId: "1002" }) }]);
    const outcome = await run(
      "appt-basic",
      store,
      siu("S14", { sch: { 2: "2001" }, pid: { 2: "1002", 3: undefined } }),
    );
    expect(outcome.state).toBe("PROCESSED");
  });

  it("requireInsurance: false creates it", async () => {
    const store = await uninsured();
    const outcome = await run("appt-insurance-optional", store, forSolo);
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions.map((a) => a.type)).toEqual(["appointment.create"]);
  });
});
