import type { OutcomeError } from "../model/outcome.js";
import type { Appointment, Patient } from "../model/records.js";
import type { CompiledPack } from "../pack/compiled.js";
import type { OutboundEvent } from "../pack/enablement.js";
import type { Store } from "../store/types.js";
import {
  type BuildInput,
  buildAppointmentMessage,
  buildPatientMessage,
  controlIdOf,
} from "./build.js";
import type { PracticeEvent } from "./events.js";
import { type OutboundFilter, outboundOptions } from "./options.js";
import { messageText } from "./segments.js";

/**
 * The outbound flow (ARCHITECTURE.md): practice event -> enabled (§7) ->
 * filtered (Table 7)? -> built -> queued as NEW, direction outbound, with
 * the control number taken in the same transaction.
 */

export interface OutboundResult {
  readonly event: OutboundEvent;
  /** NEW: built and queued; PROCESSED: not sent (FILTERED, OUTBOUND_NOT_ENABLED); ERROR: nothing sent. */
  readonly state: "NEW" | "PROCESSED" | "ERROR";
  readonly messageType?: string;
  readonly messageId?: string;
  readonly controlId?: string;
  /** The message, segments terminated by CR. */
  readonly text?: string;
  readonly errors: readonly OutcomeError[];
}

type AppointmentRecord = Appointment & { readonly id: string };

/** The legs of an event: a reschedule is a cancel of the old appointment and a create of the new one. */
function legs(event: PracticeEvent): { event: OutboundEvent; appointment?: AppointmentRecord }[] {
  const appointment = event.appointment;
  if (event.kind === "patientAdd" || event.kind === "patientUpdate") return [{ event: event.kind }];
  if (event.kind === "appointmentReschedule") {
    const previous = event.previous as AppointmentRecord;
    return [
      { event: "appointmentCancel", appointment: previous },
      ...(appointment ? [{ event: "appointmentSchedule" as const, appointment }] : []),
    ];
  }
  return [{ event: event.kind, ...(appointment && { appointment }) }];
}

function matchesFilter(
  filter: OutboundFilter,
  store: Store,
  values: readonly (string | null | undefined)[],
): boolean {
  const list = filter.by === "provider" ? store.masterData.providers : store.masterData.departments;
  const names = new Set(filter.names.map((n) => n.toLowerCase()));
  return values.some((id) => {
    if (!id) return false;
    const entry = list.find((e) => e.id === id);
    return names.has(id.toLowerCase()) || (!!entry?.name && names.has(entry.name.toLowerCase()));
  });
}

function filterValues(
  filter: OutboundFilter,
  records: readonly (Patient | Appointment | undefined)[],
): (string | null | undefined)[] {
  return records.map((r) => {
    if (!r) return undefined;
    if ("primaryProviderId" in r || "primaryDepartmentId" in r) {
      const p = r as Patient;
      return filter.by === "provider" ? p.primaryProviderId : p.primaryDepartmentId;
    }
    const a = r as Appointment;
    return filter.by === "provider" ? a.providerId : a.departmentId;
  });
}

export interface SendOptions {
  /** MSH-7, and EVN-2 when the event carries no time. */
  readonly now: Date;
}

/** Build, filter and queue the messages of one practice event. */
export function sendEvent(
  pack: CompiledPack,
  store: Store,
  event: PracticeEvent,
  { now }: SendOptions,
): OutboundResult[] {
  const options = outboundOptions(pack);
  const occurredAt = event.occurredAt ? new Date(event.occurredAt) : now;
  const out: OutboundResult[] = [];
  for (const leg of legs(event)) {
    const messageType = pack.enabled.outbound[leg.event];
    if (!messageType) {
      out.push({
        event: leg.event,
        state: "PROCESSED",
        errors: [
          {
            code: "OUTBOUND_NOT_ENABLED",
            severity: "info",
            message: `${leg.event} is not enabled for outbound (enabled.outbound.${leg.event})`,
          },
        ],
      });
      continue;
    }
    const isPatient = leg.event === "patientAdd" || leg.event === "patientUpdate";
    const filter = isPatient ? options.filters.patients : options.filters.appointments;
    if (filter) {
      const records = isPatient
        ? [event.patient]
        : [event.appointment, event.previous as Appointment | undefined];
      if (!matchesFilter(filter, store, filterValues(filter, records))) {
        out.push({
          event: leg.event,
          state: "PROCESSED",
          messageType,
          errors: [
            {
              code: "FILTERED",
              severity: "info",
              message: `not sent: the ${isPatient ? "patient's" : "appointment's"} ${filter.by} is not one of outbound.filters.${isPatient ? "patients" : "appointments"}.names`,
            },
          ],
        });
        continue;
      }
    }
    const input: BuildInput = {
      pack,
      options,
      masterData: store.masterData,
      event: leg.event,
      messageType,
      now,
      occurredAt,
      patient: event.patient,
      ...(event.policies && { policies: event.policies }),
      ...(leg.appointment && { appointment: leg.appointment }),
    };
    const built = isPatient ? buildPatientMessage(input) : buildAppointmentMessage(input);
    if (!built.ok) {
      out.push({ event: leg.event, state: "ERROR", messageType, errors: built.errors });
      continue;
    }
    const [msh] = built.segments;
    let controlId = "";
    let text = "";
    const messageId = store.queueOutbound(pack.id, (sequence) => {
      controlId = controlIdOf(options.msh.controlIdPrefix, sequence);
      msh?.set(10, 1, controlId);
      text = messageText(built.segments);
      return {
        raw: new TextEncoder().encode(text),
        receivedAt: now.toISOString(),
        sender: `outbound:${pack.id}`,
        controlId,
        messageType,
      };
    });
    out.push({
      event: leg.event,
      state: "NEW",
      messageType,
      messageId,
      controlId,
      text,
      errors: [],
    });
  }
  return out;
}
