import type { PackErrorCode } from "../documents/errors.js";
import type { PathKey } from "../documents/merge.js";
import type { RecordKind } from "../model/canonical-fields.js";
import type { AppointmentStatus } from "../model/records.js";
import type { CompiledReference } from "../paths/types.js";
import type { CompiledExternalId } from "./compiled.js";
import { compileExternalIds, type RawExternalId } from "./external-ids.js";

/**
 * The `appointments` section (docs/pack-language.md §17) and the
 * appointment-level external IDs (§12, Table 6 – Appointment-level custom
 * fields), compiled. The schema has checked shapes and enums; this module
 * checks what spans sections: the external ID Table 15 matches on must be a
 * Table 6 entry, and only one Table 6 entry may be used for matching.
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

export const DEFAULT_UPDATE_EVENTS: Readonly<Record<string, AppointmentChangeEvent>> = {
  "2": "appointmentCheckIn",
  "3": "appointmentCheckOut",
  x: "appointmentCancel",
};

export const DEFAULT_APPOINTMENT_ORDER: readonly AppointmentPatientStrategy[] = [
  "appointment",
  "patientId",
  "externalId",
];

interface RawSection {
  readonly externalIds?: { readonly appointment?: readonly RawExternalId[] };
  readonly matching?: { readonly order?: { readonly appointment?: AppointmentPatientStrategy[] } };
  readonly appointments?: {
    readonly matching?: {
      readonly by?: "practiceId" | "externalId";
      readonly from?: string;
      readonly externalId?: string;
    };
    readonly reschedule?: "update" | "cancelAndCreate";
    readonly updateEvents?: Partial<Record<AppointmentStatus, AppointmentChangeEvent>>;
    readonly noShow?: { readonly status?: AppointmentStatus; readonly cancelReason?: string };
    readonly statusOnCreate?: {
      readonly future?: AppointmentStatus;
      readonly pastOrPresent?: AppointmentStatus;
    };
    readonly requireInsurance?: boolean;
  };
}

/** What compilePack lends: reference compilation, located errors and `FILE:LINE`. */
export interface CompileHelpers {
  reference(path: PathKey, text: string, record: RecordKind): CompiledReference | undefined;
  fail(path: PathKey, code: PackErrorCode, message: string): void;
  at(path: PathKey): string;
}

export interface CompiledAppointmentSection {
  readonly externalIds: readonly CompiledExternalId[];
  readonly order: readonly AppointmentPatientStrategy[];
  /** Undefined when a reference failed (the error is reported). */
  readonly options: AppointmentOptions | undefined;
}

export function compileAppointmentSection(
  data: unknown,
  helpers: CompileHelpers,
): CompiledAppointmentSection {
  const raw = (data ?? {}) as RawSection;
  const { reference, fail, at } = helpers;

  const externalIds = compileExternalIds(raw.externalIds?.appointment, "appointment", helpers);
  const inbound = externalIds.filter((id) => id.useForMatching && id.direction !== "outbound");

  const section = raw.appointments ?? {};
  const matchingPath = ["appointments", "matching"];
  let matching: AppointmentMatching | undefined;
  if (section.matching?.by === "externalId") {
    const wanted = section.matching.externalId;
    const chosen =
      wanted === undefined
        ? inbound[0]
        : externalIds.find((id) => id.name === wanted && id.direction !== "outbound");
    if (!chosen) {
      fail(
        [...matchingPath, wanted === undefined ? "by" : "externalId"],
        "OPTION_DEPENDENCY",
        wanted === undefined
          ? "appointments.matching.by externalId needs an inbound externalIds.appointment entry with useForMatching: true, or appointments.matching.externalId naming one (Table 6 – Appointment-level custom fields)"
          : `appointments.matching.externalId '${wanted}' is not an inbound externalIds.appointment entry (Table 6 – Appointment-level custom fields)${externalIds.length ? `; the entries are ${externalIds.map((id) => id.name).join(", ")}` : ""}`,
      );
    } else {
      matching = { by: "externalId", externalId: chosen };
    }
  } else {
    const text = section.matching?.from ?? "SCH.2";
    const from = reference([...matchingPath, "from"], text, "appointment");
    if (from) matching = { by: "practiceId", from };
  }

  const options: AppointmentOptions | undefined = matching && {
    matching,
    reschedule: section.reschedule ?? "update",
    updateEvents: { ...DEFAULT_UPDATE_EVENTS, ...section.updateEvents },
    noShow: {
      status: section.noShow?.status ?? "x",
      ...(section.noShow?.cancelReason !== undefined && {
        cancelReason: section.noShow.cancelReason,
      }),
    },
    statusOnCreate: {
      future: section.statusOnCreate?.future ?? "f",
      pastOrPresent: section.statusOnCreate?.pastOrPresent ?? "2",
    },
    requireInsurance: section.requireInsurance ?? true,
    at: at(["appointments"]),
  };
  return {
    externalIds,
    order: raw.matching?.order?.appointment ?? DEFAULT_APPOINTMENT_ORDER,
    options,
  };
}
