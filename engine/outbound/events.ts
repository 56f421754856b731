import { byPosition, type PackError, type SourcePosition } from "../documents/errors.js";
import { layerOf } from "../documents/merge.js";
import { schemaValidator } from "../documents/schema.js";
import { convertSchemaErrors } from "../documents/schema-errors.js";
import { readYaml } from "../documents/source.js";
import type { Appointment, Patient, Policy } from "../model/records.js";

/**
 * Practice events (schemas/practice-event.schema.json): what happened in the
 * practice system, with the full current records. An update carries the
 * previous copy; a reschedule names the old appointment in `previous` and
 * the new one in `appointment`.
 */
export const EVENT_KINDS = [
  "patientAdd",
  "patientUpdate",
  "appointmentSchedule",
  "appointmentUpdate",
  "appointmentCancel",
  "appointmentCheckIn",
  "appointmentCheckOut",
  "appointmentReschedule",
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface PracticeEvent {
  readonly kind: EventKind;
  /** ISO 8601 instant (EVN-2). */
  readonly occurredAt?: string;
  readonly patient: Patient & { readonly id: string };
  readonly policies?: readonly Policy[];
  readonly appointment?: Appointment & { readonly id: string };
  readonly previous?: Patient | Appointment;
}

export type EventLoad =
  | { readonly ok: true; readonly event: PracticeEvent }
  | { readonly ok: false; readonly errors: readonly PackError[] };

/** Read and check one event file; every problem is located (`FILE:LINE:COL`). */
export function loadEvent(file: string, text?: string): EventLoad {
  const read = readYaml(file, text);
  if (!read.ok) return { ok: false, errors: read.errors };
  const validate = schemaValidator("practice-event");
  if (!validate(read.source.data)) {
    const errors = convertSchemaErrors(validate.errors ?? [], layerOf(read.source));
    return { ok: false, errors: errors.sort(byPosition) };
  }
  const event = read.source.data as PracticeEvent;
  const errors = eventInconsistencies(event, (path) => read.source.locate(path));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, event };
}

/** A schema-valid event's problems the schema cannot state, located by `locate`. */
export function eventInconsistencies(
  event: PracticeEvent,
  locate: (path: readonly (string | number)[]) => SourcePosition,
): PackError[] {
  return inconsistencies(event).map(({ path, message }) => ({
    ...locate(path),
    code: "INVALID_VALUE" as const,
    message,
    path: path.join("."),
  }));
}

/** What the schema cannot say: the records of one event must be about one patient. */
function inconsistencies(
  event: PracticeEvent,
): { readonly path: (string | number)[]; readonly message: string }[] {
  const found: { path: (string | number)[]; message: string }[] = [];
  const sameOwner = (path: (string | number)[], owner: string | null | undefined) => {
    if (owner !== undefined && owner !== null && owner !== event.patient.id) {
      found.push({
        path,
        message: `${path.join(".")} is '${owner}' but the event's patient.id is '${event.patient.id}': an event is about one patient`,
      });
    }
  };
  sameOwner(["appointment", "patientId"], event.appointment?.patientId);
  if (event.kind.startsWith("appointment")) {
    sameOwner(["previous", "patientId"], (event.previous as Appointment | undefined)?.patientId);
  }
  return found;
}
