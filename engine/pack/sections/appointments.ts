import type { AppointmentMatching, AppointmentOptions } from "../appointments.js";
import type { CompiledExternalId } from "../compiled.js";
import type { CompileContext } from "../context.js";
import { PACK_DEFAULTS } from "../defaults.js";
import { appointmentIdUncompiled } from "./external-ids.js";

/**
 * `appointments` (docs/pack-language.md §17): Table 15, reschedules, SIU
 * statuses, Future/Past or present appointments. The schema has checked
 * shapes and enums; this checks what spans sections: the external ID
 * Table 15 matches on must be an inbound Table 6 entry (Table 6 –
 * Appointment-level custom fields). Undefined when the matching cannot be
 * compiled (reported).
 */
export function compileAppointments(
  ctx: CompileContext,
  appointmentIds: readonly CompiledExternalId[],
): AppointmentOptions | undefined {
  const section = ctx.raw.appointments ?? {};
  const defaults = PACK_DEFAULTS.appointments;
  const matching = compileMatching(ctx, appointmentIds);
  return (
    matching && {
      matching,
      reschedule: section.reschedule ?? defaults.reschedule,
      updateEvents: { ...defaults.updateEvents, ...section.updateEvents },
      noShow: {
        status: section.noShow?.status ?? defaults.noShow.status,
        ...(section.noShow?.cancelReason !== undefined && {
          cancelReason: section.noShow.cancelReason,
        }),
      },
      statusOnCreate: {
        future: section.statusOnCreate?.future ?? defaults.statusOnCreate.future,
        pastOrPresent:
          section.statusOnCreate?.pastOrPresent ?? defaults.statusOnCreate.pastOrPresent,
      },
      requireInsurance: section.requireInsurance ?? defaults.requireInsurance,
      at: ctx.at(["appointments"]),
    }
  );
}

function compileMatching(
  ctx: CompileContext,
  appointmentIds: readonly CompiledExternalId[],
): AppointmentMatching | undefined {
  const raw = ctx.raw.appointments?.matching;
  const path = ["appointments", "matching"];
  if (raw?.by !== "externalId") {
    const from = ctx.reference(
      [...path, "from"],
      raw?.from ?? PACK_DEFAULTS.appointments.matching.from,
      "appointment",
    );
    return from && { by: "practiceId", from };
  }
  const inbound = appointmentIds.filter((id) => id.useForMatching && id.direction !== "outbound");
  const wanted = raw.externalId;
  const chosen =
    wanted === undefined
      ? inbound[0]
      : appointmentIds.find((id) => id.name === wanted && id.direction !== "outbound");
  if (chosen) return { by: "externalId", externalId: chosen };
  if (appointmentIdUncompiled(ctx, appointmentIds, wanted)) return undefined;
  ctx.fail(
    [...path, wanted === undefined ? "by" : "externalId"],
    "OPTION_DEPENDENCY",
    wanted === undefined
      ? "appointments.matching.by externalId needs an inbound externalIds.appointment entry with useForMatching: true, or appointments.matching.externalId naming one (Table 6 – Appointment-level custom fields)"
      : `appointments.matching.externalId '${wanted}' is not an inbound externalIds.appointment entry (Table 6 – Appointment-level custom fields)${appointmentIds.length ? `; the entries are ${appointmentIds.map((id) => id.name).join(", ")}` : ""}`,
  );
  return undefined;
}
