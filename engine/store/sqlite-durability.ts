import type BetterSqlite3 from "better-sqlite3";

/**
 * What a committed message survives on the SQLite store (README "What
 * durable means"). The store runs in WAL mode; `synchronous` says when
 * SQLite waits for the disk:
 * - `NORMAL` (the default): a commit is in the WAL file when `complete`
 *   returns, synced at checkpoints. It survives the process dying (kill -9,
 *   a crash), not the machine losing power or the OS crashing, which may
 *   lose the last commits (never corrupt the file).
 * - `FULL`: every commit is synced to the disk before it returns, so an
 *   ACKed message survives power loss too; each commit waits for an fsync.
 * Chosen by `RULEPACK_SQLITE_SYNC` (NORMAL or FULL) for every command, or by
 * the store's `synchronous` option.
 */
export type SqliteSynchronous = "NORMAL" | "FULL";

const LEVELS: readonly SqliteSynchronous[] = ["NORMAL", "FULL"];

/** RULEPACK_SQLITE_SYNC is neither NORMAL nor FULL. */
export class SqliteSyncSettingError extends Error {
  readonly code = "INVALID_SQLITE_SYNC";
  constructor(readonly value: string) {
    super(`RULEPACK_SQLITE_SYNC: expected NORMAL or FULL, got '${value}'`);
    this.name = "SqliteSyncSettingError";
  }
}

/** The level the environment asks for (unset or empty: NORMAL); case-insensitive. */
export function sqliteSynchronous(
  env: Readonly<Record<string, string | undefined>>,
): SqliteSynchronous {
  const raw = env.RULEPACK_SQLITE_SYNC?.trim() ?? "";
  if (raw === "") return "NORMAL";
  const level = LEVELS.find((l) => l === raw.toUpperCase());
  if (!level) throw new SqliteSyncSettingError(raw);
  return level;
}

/** Set the connection's `synchronous` (per connection: every open sets it). */
export function applySynchronous(db: BetterSqlite3.Database, level: SqliteSynchronous): void {
  db.pragma(`synchronous = ${level}`);
}
