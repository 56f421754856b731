import type { PoolClient } from "pg";
import { BLOCKING_INDEX_VERSION, blockingKeysOf, MAX_BLOCK_SIZE } from "../matching/blocking.js";
import type { Patient } from "../model/records.js";
import { blockingKeyList } from "./ids.js";

/**
 * Keeps `patient_keys` built by this engine's blocking passes, as the
 * SQLite store does (sqlite-blocking-index.ts): a database whose keys
 * another set of passes made has them recomputed from the stored patients,
 * in one transaction, when opened.
 */
export async function refreshPostgresBlockingIndex(client: PoolClient): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("LOCK TABLE blocking_index IN EXCLUSIVE MODE");
    const found = await client.query<{ version: number }>("SELECT version FROM blocking_index");
    if (found.rows[0]?.version === BLOCKING_INDEX_VERSION) {
      await client.query("COMMIT");
      return;
    }
    await client.query("DELETE FROM patient_keys");
    const patients = await client.query<{ seq: string; record: string }>(
      "SELECT seq, record FROM patients",
    );
    for (const row of patients.rows) {
      const patient = JSON.parse(row.record) as Patient;
      for (const key of blockingKeyList(blockingKeysOf(patient))) {
        await client.query(
          "INSERT INTO patient_keys (key, patient_seq) VALUES ($1, $2) ON CONFLICT DO NOTHING",
          [key, row.seq],
        );
      }
    }
    await client.query("DELETE FROM blocking_index");
    await client.query("INSERT INTO blocking_index (version) VALUES ($1)", [
      BLOCKING_INDEX_VERSION,
    ]);
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK");
    throw e;
  }
}

/**
 * Patients sharing any of the blocking keys ($1, a text array), oldest
 * first, in one statement, as SQLite's (sqlite-blocking-index.ts): one
 * seek per key on patient_keys' primary key, a pass key shared by more
 * than MAX_BLOCK_SIZE patients skipped.
 */
export const POSTGRES_CANDIDATES_SQL = `SELECT record FROM patients WHERE seq IN
  (SELECT k.patient_seq FROM unnest($1::text[]) AS a(key) JOIN patient_keys k ON k.key = a.key
    WHERE left(a.key, 7) = 'sender:'
      OR NOT EXISTS (SELECT 1 FROM patient_keys c WHERE c.key = a.key OFFSET ${MAX_BLOCK_SIZE} LIMIT 1))
  ORDER BY seq`;
