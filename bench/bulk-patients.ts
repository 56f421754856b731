/**
 * Bulk-loading a SQL store's patients for bench/store-lookup.ts: filling
 * 10⁶ patients through `complete` takes most of an hour on a busy machine
 * (one INSERT per row and per blocking key), so the bench writes the first
 * patients through the public API, then the rest as the store would have
 * written them, and checks that its rows for the first ones equal the
 * store's own (the same record text, the same keys).
 */
import Database from "better-sqlite3";
import pg from "pg";
import { blockingKeysOf } from "../engine/matching/blocking.js";
import type { PatientCreate } from "../engine/model/actions.js";
import { normalizeRecord } from "../engine/model/merge.js";
import type { Patient } from "../engine/model/records.js";
import { blockingKeyList } from "../engine/store/ids.js";

type Incoming = PatientCreate["patient"];

/** The record text and blocking keys the store writes for a created patient (engine/store/apply.ts). */
export function storedRows(patient: Incoming): { id: string; record: string; keys: string[] } {
  const id = patient.id as string;
  const stored: Patient = { ...normalizeRecord(patient), id };
  return { id, record: JSON.stringify(stored), keys: blockingKeyList(blockingKeysOf(stored)) };
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function checkRow(patient: Incoming, record: string | undefined, keys: string[]): void {
  const expected = storedRows(patient);
  const want = [...expected.keys].sort(byText);
  if (
    record !== expected.record ||
    JSON.stringify([...keys].sort(byText)) !== JSON.stringify(want)
  ) {
    throw new Error(`bulk rows differ from the store's own for patient ${expected.id}`);
  }
}

/**
 * SQLite: throws unless the rows the store wrote for `written` are the
 * ones storedRows makes, then inserts `rest` in one transaction. The store
 * must be closed.
 */
export function bulkLoadSqlite(
  file: string,
  written: readonly Incoming[],
  rest: readonly Incoming[],
): void {
  const db = new Database(file);
  try {
    const record = db.prepare("SELECT record FROM patients WHERE id = ?").pluck();
    const keys = db
      .prepare(
        "SELECT k.key FROM patient_keys k JOIN patients p ON p.seq = k.patient_seq WHERE p.id = ?",
      )
      .pluck();
    for (const patient of written) {
      checkRow(
        patient,
        record.get(patient.id) as string | undefined,
        keys.all(patient.id) as string[],
      );
    }
    const insert = db.prepare("INSERT INTO patients (id, record) VALUES (?, ?)");
    const insertKey = db.prepare(
      "INSERT OR IGNORE INTO patient_keys (key, patient_seq) VALUES (?, ?)",
    );
    db.transaction(() => {
      for (const patient of rest) {
        const row = storedRows(patient);
        const seq = insert.run(row.id, row.record).lastInsertRowid;
        for (const key of row.keys) insertKey.run(key, seq);
      }
    })();
    db.exec("ANALYZE");
  } finally {
    db.close();
  }
}

/**
 * PostgreSQL: throws unless the rows the store wrote for `written` (filled
 * through its API) are the ones storedRows makes: the bulk load would
 * bench another index.
 */
export async function checkRowsMatch(url: string, written: readonly Incoming[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const patient of written) {
      const record = await client.query<{ record: string }>(
        "SELECT record FROM patients WHERE id = $1",
        [patient.id],
      );
      const keys = await client.query<{ key: string }>(
        "SELECT k.key FROM patient_keys k JOIN patients p ON p.seq = k.patient_seq WHERE p.id = $1",
        [patient.id],
      );
      checkRow(
        patient,
        record.rows[0]?.record,
        keys.rows.map((r) => r.key),
      );
    }
  } finally {
    await client.end();
  }
}

/** Inserts the patients and their blocking keys, `batch` rows per statement, then ANALYZE. */
export async function bulkLoadPatients(
  url: string,
  patients: readonly Incoming[],
  batch = 10_000,
): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let start = 0; start < patients.length; start += batch) {
      const rows = patients.slice(start, start + batch).map(storedRows);
      await client.query("BEGIN");
      await client.query(
        "INSERT INTO patients (id, record) SELECT * FROM unnest($1::text[], $2::text[])",
        [rows.map((r) => r.id), rows.map((r) => r.record)],
      );
      const keyIds: string[] = [];
      const keys: string[] = [];
      for (const row of rows) {
        for (const key of row.keys) {
          keyIds.push(row.id);
          keys.push(key);
        }
      }
      await client.query(
        `INSERT INTO patient_keys (key, patient_seq)
         SELECT u.key, p.seq FROM unnest($1::text[], $2::text[]) AS u(key, id) JOIN patients p ON p.id = u.id
         ON CONFLICT DO NOTHING`,
        [keys, keyIds],
      );
      await client.query("COMMIT");
    }
    await client.query("ANALYZE patients");
    await client.query("ANALYZE patient_keys");
  } finally {
    await client.end();
  }
}
