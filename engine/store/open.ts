import { isPostgresUrl, openPostgresStore } from "./postgres.js";
import { openSqliteStore } from "./sqlite.js";
import type { Store } from "./types.js";

/**
 * The one place a store location (`--db`) becomes a store: a
 * `postgres://` or `postgresql://` URL opens the PostgreSQL store, anything
 * else is a SQLite file (`:memory:` included).
 */

/** The `--db` default of the commands. */
export const DEFAULT_STORE_FILE = "rulepack.sqlite";

export interface OpenStoreOptions {
  /** Create the store when it does not exist (default true). */
  readonly create?: boolean;
}

export function openStore(location: string, options: OpenStoreOptions = {}): Store {
  if (isPostgresUrl(location)) {
    return openPostgresStore(location, { createDatabase: options.create ?? true });
  }
  return openSqliteStore(location);
}

/** `--db` as given, or RULEPACK_DB when the command was left at its default. */
export function storeLocation(
  db: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const fromEnv = env.RULEPACK_DB;
  return db === DEFAULT_STORE_FILE && fromEnv !== undefined && fromEnv !== "" ? fromEnv : db;
}

export { isPostgresUrl };
