import type { Appointment, Patient } from "../model/records.js";

/**
 * Every patient and appointment of the store, read whole a page at a time
 * in the order they were created: what an outbound backfill sends (the
 * spec's "full load of all patient and future appointment data ... as the
 * interface is first enabled"). Pages, so a practice's whole store is never
 * held in memory at once; creation order, so a record created while the
 * backfill runs comes in a later page, never twice.
 */
export interface RecordListing {
  /** Patients created after the cursor `after` (0: from the first), at most `limit`. */
  patientPage(after: number, limit: number): RecordPage<Patient>;
  /** Appointments created after the cursor `after` (0: from the first), at most `limit`. */
  appointmentPage(after: number, limit: number): RecordPage<Appointment>;
}

export interface RecordPage<T> {
  /** In creation order. */
  readonly records: readonly T[];
  /** The cursor of the page after this one; absent on the last page. */
  readonly next?: number;
}

/** A page of `records` (ID -> record) by their creation numbers (`order`, ID -> 1, 2, ...). */
export function pageInCreationOrder<T>(
  records: ReadonlyMap<string, T>,
  order: ReadonlyMap<string, number>,
  after: number,
  limit: number,
): RecordPage<T> {
  const numbered = [...records.keys()]
    .map((id) => [order.get(id) ?? 0, id] as const)
    .filter(([n]) => n > after)
    .sort((a, b) => a[0] - b[0])
    .slice(0, limit);
  return pageOf(
    numbered.map(([n, id]) => [n, records.get(id) as T] as const),
    limit,
  );
}

/** A page from `[cursor, record]` rows read in cursor order with `LIMIT limit`. */
export function pageOf<T>(rows: readonly (readonly [number, T])[], limit: number): RecordPage<T> {
  const last = rows.at(-1);
  return {
    records: rows.map(([, record]) => record),
    ...(rows.length === limit && last && { next: last[0] }),
  };
}
