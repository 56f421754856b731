import type BetterSqlite3 from "better-sqlite3";
import { BLOCKING_INDEX_VERSION, blockingKeysOf } from "../matching/blocking.js";
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
