import type pg from "pg";
import type { Appointment, Patient } from "../model/records.js";
import { pageOf, type RecordListing } from "./record-listing.js";
import type { Store } from "./types.js";

type Query = <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<R[]>;

/** The PostgreSQL store's RecordListing: rows by `seq`, the tables' creation order. */
export function postgresRecordListing(query: Query): Pick<Store, keyof RecordListing> {
  const page = async <T>(table: "patients" | "appointments", after: number, limit: number) => {
    const rows = await query<{ seq: string; record: string }>(
      `SELECT seq, record FROM ${table} WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [after, limit],
    );
    return pageOf(
      rows.map((r) => [Number(r.seq), JSON.parse(r.record) as T] as const),
      limit,
    );
  };
  return {
    patientPage: (after, limit) => page<Patient>("patients", after, limit),
    appointmentPage: (after, limit) => page<Appointment>("appointments", after, limit),
  };
}
