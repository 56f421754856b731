import type BetterSqlite3 from "better-sqlite3";
import type { Appointment, Patient } from "../model/records.js";
import { pageOf, type RecordListing } from "./record-listing.js";

/** The SQLite store's RecordListing: rows by `seq`, the tables' creation order. */
export function sqliteRecordListing(db: BetterSqlite3.Database): RecordListing {
  const patients = db.prepare(
    "SELECT seq, record FROM patients WHERE seq > ? ORDER BY seq LIMIT ?",
  );
  const appointments = db.prepare(
    "SELECT seq, record FROM appointments WHERE seq > ? ORDER BY seq LIMIT ?",
  );
  const page = <T>(statement: BetterSqlite3.Statement, after: number, limit: number) =>
    pageOf(
      (statement.all(after, limit) as { seq: number; record: string }[]).map(
        (r) => [r.seq, JSON.parse(r.record) as T] as const,
      ),
      limit,
    );
  return {
    patientPage: (after, limit) => page<Patient>(patients, after, limit),
    appointmentPage: (after, limit) => page<Appointment>(appointments, after, limit),
  };
}
