import type { Database } from "better-sqlite3";
import type { EmbeddedKeyStamps } from "./key-stamps.js";

/**
 * The SQLite file's key stamps (key-stamps.ts), in `read_key_stamps`
 * (migration 15): the row of the empty key holds the last stamp taken.
 * Bumped inside `complete`'s IMMEDIATE transaction, so stamps follow the
 * order of commits across every connection to the file. (IF NOT EXISTS:
 * tests that set a file back to an older version migrate it again.)
 */
export const KEY_STAMPS_MIGRATION = `
  CREATE TABLE IF NOT EXISTS read_key_stamps (
    key TEXT PRIMARY KEY,
    stamp INTEGER NOT NULL
  ) WITHOUT ROWID;
`;

const LAST = "";

export function sqliteKeyStamps(db: Database): EmbeddedKeyStamps {
  const last = db.prepare("SELECT stamp FROM read_key_stamps WHERE key = ?").pluck();
  const current = db.prepare(
    "SELECT key, stamp FROM read_key_stamps WHERE key IN (SELECT value FROM json_each(?))",
  );
  const stamp = db.prepare(
    `INSERT INTO read_key_stamps (key, stamp) SELECT value, ? FROM json_each(?) WHERE true
     ON CONFLICT (key) DO UPDATE SET stamp = excluded.stamp`,
  );
  const keyStamp = (): number => (last.get(LAST) as number | undefined) ?? 0;
  return {
    keyStamp,
    current: (keys) =>
      new Map(
        (current.all(JSON.stringify(keys)) as { key: string; stamp: number }[]).map((r) => [
          r.key,
          r.stamp,
        ]),
      ),
    bump(keys) {
      if (keys.size === 0) return;
      stamp.run(keyStamp() + 1, JSON.stringify([LAST, ...keys]));
    },
  };
}
