import type BetterSqlite3 from "better-sqlite3";
import { BLOCKING_INDEX_VERSION, blockingKeysOf, MAX_BLOCK_SIZE } from "../matching/blocking.js";
import type { Patient } from "../model/records.js";
import { blockingKeyList } from "./ids.js";

/**
 * Keeps `patient_keys` built by this engine's blocking passes: a file
 * whose index another set of passes (or key format) made has its keys
 * recomputed from the stored patients, in one transaction, when opened.
 * `blocking_index` (migration 6) holds the version the keys were made by.
 */
export function refreshBlockingIndex(db: BetterSqlite3.Database): void {
  const version = db.prepare("SELECT version FROM blocking_index").pluck().get() as
    | number
    | undefined;
  if (version === BLOCKING_INDEX_VERSION) return;
  db.transaction(() => {
    db.exec("DELETE FROM patient_keys");
    const insert = db.prepare(
      "INSERT OR IGNORE INTO patient_keys (key, patient_seq) VALUES (?, ?)",
    );
    const rows = db.prepare("SELECT seq, record FROM patients").iterate() as Iterable<{
      seq: number;
      record: string;
    }>;
    const keys: [string, number][] = [];
    for (const row of rows) {
      const patient = JSON.parse(row.record) as Patient;
      for (const key of blockingKeyList(blockingKeysOf(patient))) keys.push([key, row.seq]);
    }
    for (const [key, seq] of keys) insert.run(key, seq);
    db.exec("DELETE FROM blocking_index");
    db.prepare("INSERT INTO blocking_index (version) VALUES (?)").run(BLOCKING_INDEX_VERSION);
  }).immediate();
}

/** How many blocking keys one lookup asks for (the rest are dropped). */
export const MAX_BLOCKING_KEYS = 16;

/**
 * Patients sharing any of up to 16 blocking keys (unused keys bound to
 * NULL), oldest first, in one statement: each key is one seek on
 * patient_keys' primary key, and a pass key shared by more than
 * MAX_BLOCK_SIZE patients is skipped (the NOT EXISTS reads at most
 * MAX_BLOCK_SIZE + 1 index entries to tell).
 */
export const CANDIDATES_SQL = `WITH asked(key) AS (VALUES ${Array(MAX_BLOCKING_KEYS).fill("(?)").join(", ")})
  SELECT record FROM patients WHERE seq IN
  (SELECT patient_keys.patient_seq FROM asked a JOIN patient_keys ON patient_keys.key = a.key
    WHERE substr(a.key, 1, 7) = 'sender:'
      OR NOT EXISTS (SELECT 1 FROM patient_keys c WHERE c.key = a.key LIMIT 1 OFFSET ${MAX_BLOCK_SIZE}))
  ORDER BY seq`;
