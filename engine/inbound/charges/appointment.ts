import type { Appointment } from "../../model/records.js";
import type { ReadContext } from "../../paths/types.js";
import type { MessageContext } from "../context.js";
import { matchingKey } from "../external-ids.js";

/**
 * Table 17 - Matching charge messages to appointments options
 * (docs/pack-language.md §18): the appointment ID is read where
 * `charges.appointmentMatching.from` says, in the charge line's group (so
 * FT1.23 is per line and PV1.19 is the message's), and looked up as the
 * practice system's appointment ID or as an appointment external ID.
 *
 * A cancelled (`x`) appointment, or one of another patient, counts as
 * unmatched ("the sending system sends a null or incorrect appointment
 * ID"); so does an external ID held by several appointments, which the
 * engine will not choose between.
 */
export type StoredAppointment = Appointment & { readonly id: string };

export type ChargeAppointment =
  | { readonly kind: "matched"; readonly appointment: StoredAppointment }
  | {
      readonly kind: "unmatched";
      /** Why, in words, for the error and the trace. */
      readonly reason: string;
      readonly field: string;
      readonly value?: string;
    }
  /** `by: none`: "does not attempt to match the charges to an appointment". */
  | { readonly kind: "notAttempted" };

export function chargeAppointment(
  ctx: MessageContext,
  read: ReadContext,
  patientId: string,
): ChargeAppointment {
  const matching = ctx.pack.charges.appointmentMatching;
  if (matching.by === "none") return { kind: "notAttempted" };
  const result = matching.from.read(read);
  const field = result.kind === "absent" ? matching.from.source : result.alternative;
  if (result.kind !== "value" || typeof result.value !== "string") {
    return trace(ctx, {
      kind: "unmatched",
      reason: `the message has no appointment ID in ${matching.from.source}`,
      field,
    });
  }
  const id = result.value;
  const found =
    matching.by === "practiceId"
      ? [ctx.view.appointmentById(id)].filter((a) => a !== undefined)
      : ctx.view.appointmentsByExternalId(
          matching.externalId.name,
          matchingKey(id, matching.externalId.leadingZeros),
        );
  const what =
    matching.by === "practiceId"
      ? `appointment ID '${id}'`
      : `external appointment ID ${matching.externalId.name} '${id}'`;
  const usable = found.filter(
    (a): a is StoredAppointment =>
      a.id !== undefined &&
      a.status !== "x" &&
      (a.patientId === undefined || a.patientId === patientId),
  );
  if (usable.length === 1) {
    const appointment = usable[0] as StoredAppointment;
    ctx.found.trace.push({
      step: "match",
      rule: "charges.appointmentMatching",
      ref: field,
      detail: `appointment ${appointment.id} (status ${appointment.status ?? "?"})`,
      options: [{ path: "charges.appointmentMatching" }],
    });
    return { kind: "matched", appointment };
  }
  const reason =
    usable.length > 1
      ? `${what} (${field}) is held by ${usable.length} appointments; external IDs must be unique`
      : found.length === 0
        ? `no appointment has ${what} (${field})`
        : found.some((a) => a.status === "x")
          ? `appointment ${found.map((a) => a.id).join(", ")} (${what}, ${field}) is cancelled`
          : `appointment ${found.map((a) => a.id).join(", ")} (${what}, ${field}) belongs to another patient`;
  return trace(ctx, { kind: "unmatched", reason, field, value: id });
}

function trace(ctx: MessageContext, match: ChargeAppointment): ChargeAppointment {
  if (match.kind === "unmatched") {
    ctx.found.trace.push({
      step: "match",
      rule: "charges.appointmentMatching",
      ref: match.field,
      detail: match.reason,
      options: [
        { path: "charges.appointmentMatching" },
        { path: "charges.unmatched", value: ctx.pack.charges.unmatched },
      ],
    });
  }
  return match;
}
