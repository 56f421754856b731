import type { MasterData } from "../model/master-data.js";
import type { Appointment, AppointmentStatus } from "../model/records.js";

/**
 * The Missing Slips worklist (spec, "Past or Present Appointments"): an
 * appointment checked in (2) or checked out (3) "appear[s] on the Missing
 * Slips worklist until charges are entered" (which moves it to 4), unless
 * its appointment type's "Billing Slip Required setting in the appointment
 * type table" is No. A type master data does not list requires a slip, as
 * does a type without the setting: No is the exception the practice sets.
 */
export const MISSING_SLIP_STATUSES: readonly AppointmentStatus[] = ["2", "3"];

/** Appointment type IDs whose Billing Slip Required setting is No. */
export function noSlipTypes(masterData: MasterData): ReadonlySet<string> {
  return new Set(
    masterData.appointmentTypes.filter((t) => t.billingSlipRequired === false).map((t) => t.id),
  );
}

export function missesSlip(appointment: Appointment, noSlip: ReadonlySet<string>): boolean {
  return (
    appointment.status !== undefined &&
    MISSING_SLIP_STATUSES.includes(appointment.status) &&
    !(typeof appointment.type === "string" && noSlip.has(appointment.type))
  );
}
