import type { AppointmentStatus } from "../model/records.js";
import type { CompiledReference } from "../paths/types.js";
import type { CompiledExternalId } from "./compiled.js";

/**
 * What the `appointments` section (docs/pack-language.md §17) compiles to
 * (sections/appointments.ts).
 */

/** The events an existing appointment's message can decide (§7, §17). */
export type AppointmentChangeEvent =
  | "appointmentUpdate"
  | "appointmentCancel"
  | "appointmentCheckIn"
  | "appointmentCheckOut";

/** `matching.order.appointment`: how an appointment message finds its patient (§13). */
export type AppointmentPatientStrategy = "appointment" | "patientId" | "externalId";

/** Table 15 - Appointment message matching options. */
export type AppointmentMatching =
  | { readonly by: "practiceId"; readonly from: CompiledReference }
  | { readonly by: "externalId"; readonly externalId: CompiledExternalId };

export interface AppointmentOptions {
  readonly matching: AppointmentMatching;
  /** S13: the appointment changed in place, or cancelled and created anew. */
  readonly reschedule: "update" | "cancelAndCreate";
  /** Practice status (mapped SCH.25) -> the event an S14 (or S26) decides. */
  readonly updateEvents: Readonly<Partial<Record<AppointmentStatus, AppointmentChangeEvent>>>;
  /** S26: the status it sets, and the cancel reason used when SCH.6 is absent. */
  readonly noShow: { readonly status: AppointmentStatus; readonly cancelReason?: string };
  /** Future appointments / Past or present appointments. */
  readonly statusOnCreate: {
    readonly future: AppointmentStatus;
    readonly pastOrPresent: AppointmentStatus;
  };
  /** A create for a patient with no policy and not self-pay is NO_INSURANCE. */
  readonly requireInsurance: boolean;
  readonly at: string;
}
