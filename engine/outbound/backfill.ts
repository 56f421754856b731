import type { OutcomeError } from "../model/outcome.js";
import type { Appointment, Patient } from "../model/records.js";
import { offsetAt } from "../model/time.js";
import type { CompiledPack } from "../pack/compiled.js";
import type { OutboundEvent } from "../pack/enablement.js";
import type { Store } from "../store/types.js";
import type { PracticeEvent } from "./events.js";
import { type OutboundResult, sendEvent } from "./send.js";

/**
 * An outbound backfill (the spec's "Backfills and Imports": "a full load of
 * all patient and future appointment data ... as the interface is first
 * enabled"): every patient of the store as a new patient (`patientAdd`, an
 * A28 in the base pack) and every future appointment as a booking
 * (`appointmentSchedule`, an S12), each through `sendEvent` — the same
 * enablement, filters, standard layout, `outbound.fields` and mappings as a
 * practice event — and queued NEW in the store's creation order, patients
 * first, so a receiver knows each patient before their appointments.
 *
 * A future appointment starts at or after the boundary (the clock, or
 * `--since`) and is not cancelled (status `x`); decision 0030. One store
 * view is opened per page and read by every event of it: on PostgreSQL a
 * view reads the store, so a large store is not read again per record.
 */

export type BackfillRecord = "patient" | "appointment";

/** One record that was not queued, and why. */
export interface BackfillLeg {
  readonly record: BackfillRecord;
  /** The record's ID in the store. */
  readonly recordId: string;
  readonly event: OutboundEvent;
  /** The queue entry recorded for it; absent when none could be (no patient for an appointment). */
  readonly messageId?: string;
  readonly errors: readonly OutcomeError[];
}

export interface BackfillCounts {
  /** Records read that the backfill is for (every patient; the future appointments). */
  readonly considered: number;
  /** Built and queued NEW, by HL7 message type (`ADT^A28`). */
  readonly queued: Readonly<Record<string, number>>;
  /** Not sent by the pack's choice: FILTERED, OUTBOUND_NOT_ENABLED. */
  readonly filteredOut: readonly BackfillLeg[];
  /** Could not be built (ERROR in the queue), or had no patient to build from. */
  readonly failed: readonly BackfillLeg[];
}

export interface BackfillReport {
  /** Where "future" began: appointments starting at or after it were sent. */
  readonly from: string;
  readonly patients: BackfillCounts;
  readonly appointments: BackfillCounts;
  /** Appointments read and left out: past, or cancelled. */
  readonly appointmentsNotFuture: number;
}

export interface BackfillOptions {
  /** MSH-7 and EVN-2 of every message, and where "future" begins without `from`. */
  readonly now: Date;
  /** Send appointments starting at or after this instant instead of `now`. */
  readonly from?: Date;
  /** Records read per store page. Default 500. */
  readonly pageSize?: number;
}

const DEFAULT_PAGE_SIZE = 500;

/**
 * `--since`: a date (midnight in the practice's time zone), a date-time
 * without an offset (wall time there), or an instant (`Z`, `±HH:MM`);
 * undefined when it is none of these.
 */
export function backfillBoundary(text: string, timeZone: string): Date | undefined {
  const local = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00` : text;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:\d{2})?$/.exec(
    local,
  );
  if (!m?.[1]) return undefined;
  const wall = m[1].length === 16 ? `${m[1]}:00` : m[1];
  const instant = Date.parse(`${wall}${m[2] ?? offsetAt(wall.slice(0, 19), timeZone)}`);
  return Number.isNaN(instant) ? undefined : new Date(instant);
}

/** Starts at or after `from` and is not cancelled. */
export function isFutureAppointment(appointment: Appointment, from: Date): boolean {
  if (appointment.status === "x") return false;
  const start = appointment.start ? Date.parse(appointment.start) : Number.NaN;
  return !Number.isNaN(start) && start >= from.getTime();
}

class Tally {
  considered = 0;
  readonly queued: Record<string, number> = {};
  readonly filteredOut: BackfillLeg[] = [];
  readonly failed: BackfillLeg[] = [];

  add(record: BackfillRecord, recordId: string, results: readonly OutboundResult[]): void {
    for (const r of results) {
      if (r.state === "NEW") {
        const type = r.messageType ?? r.event;
        this.queued[type] = (this.queued[type] ?? 0) + 1;
        continue;
      }
      const leg = { record, recordId, event: r.event, messageId: r.messageId, errors: r.errors };
      (r.state === "ERROR" ? this.failed : this.filteredOut).push(leg);
    }
  }

  counts(): BackfillCounts {
    return {
      considered: this.considered,
      queued: this.queued,
      filteredOut: this.filteredOut,
      failed: this.failed,
    };
  }
}

type WithId<T> = T & { readonly id: string };

/** Queue the practice's full load; the report counts what was queued, filtered out and failed. */
export async function backfill(
  pack: CompiledPack,
  store: Store,
  options: BackfillOptions,
): Promise<BackfillReport> {
  const { now } = options;
  const from = options.from ?? now;
  const limit = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const patients = new Tally();
  const appointments = new Tally();
  let notFuture = 0;

  for (let after: number | undefined = 0; after !== undefined; ) {
    const page = await store.patientPage(after, limit);
    const { view } = await store.openView();
    for (const patient of page.records as WithId<Patient>[]) {
      patients.considered += 1;
      const event: PracticeEvent = {
        kind: "patientAdd",
        patient,
        policies: view.policiesOf(patient.id),
      };
      patients.add("patient", patient.id, await sendEvent(pack, store, event, { now, view }));
    }
    after = page.next;
  }

  for (let after: number | undefined = 0; after !== undefined; ) {
    const page = await store.appointmentPage(after, limit);
    const { view } = await store.openView();
    for (const appointment of page.records as WithId<Appointment>[]) {
      if (!isFutureAppointment(appointment, from)) {
        notFuture += 1;
        continue;
      }
      appointments.considered += 1;
      const patient = appointment.patientId ? view.patientById(appointment.patientId) : undefined;
      if (!patient) {
        appointments.failed.push({
          record: "appointment",
          recordId: appointment.id,
          event: "appointmentSchedule",
          errors: [
            {
              code: "PATIENT_NOT_FOUND",
              severity: "error",
              message: `appointment ${appointment.id}'s patient ${appointment.patientId ?? "(none)"} is not in the store; nothing is sent`,
              ...(appointment.patientId && { value: appointment.patientId }),
            },
          ],
        });
        continue;
      }
      const event: PracticeEvent = {
        kind: "appointmentSchedule",
        patient: patient as WithId<Patient>,
        policies: view.policiesOf(appointment.patientId as string),
        appointment,
      };
      appointments.add(
        "appointment",
        appointment.id,
        await sendEvent(pack, store, event, { now, view }),
      );
    }
    after = page.next;
  }

  return {
    from: from.toISOString(),
    patients: patients.counts(),
    appointments: appointments.counts(),
    appointmentsNotFuture: notFuture,
  };
}
