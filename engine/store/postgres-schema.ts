import { readdirSync, readFileSync } from "node:fs";
import type { PoolClient } from "pg";

/**
 * The PostgreSQL store's schema: the SQL files in postgres-migrations/,
 * `NNNN-description.sql`, applied in order at open in one transaction
 * (PostgreSQL's DDL is transactional), the version reached kept in `schema_version` (as the SQLite
 * file's). A database written by a newer engine is refused. Migrations are
 * append-only: never edit one that has shipped, add the next file.
 */
export interface SqlMigration {
  readonly version: number;
  readonly file: string;
  readonly sql: string;
}

// tsc does not copy the SQL files: built (dist/engine/store/), the module reads them from the
// package's engine/store/postgres-migrations/ (listed in package.json "files").
const MIGRATIONS_DIR = import.meta.url.includes("/dist/")
  ? new URL("../../../engine/store/postgres-migrations/", import.meta.url)
  : new URL("./postgres-migrations/", import.meta.url);

export function sqlMigrations(): SqlMigration[] {
  return readdirSync(MIGRATIONS_DIR)
    .map((file) => ({ file, match: /^(\d{4})-[a-z0-9-]+\.sql$/.exec(file) }))
    .filter((f) => f.match !== null)
    .map(({ file, match }) => ({
      version: Number(match?.[1]),
      file,
      sql: readFileSync(new URL(file, MIGRATIONS_DIR), "utf8"),
    }))
    .sort((a, b) => a.version - b.version);
}

/** Bring the database to the newest migration; concurrent openers wait on an advisory lock. */
export async function migratePostgres(client: PoolClient): Promise<void> {
  const migrations = sqlMigrations();
  const newest = migrations.reduce((v, m) => Math.max(v, m.version), 0);
  await client.query("BEGIN");
  try {
    // One migrator at a time per database (the key is arbitrary, fixed: "rulepack").
    await client.query("SELECT pg_advisory_xact_lock(7239912345)");
    await client.query("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const found = Number(
      (await client.query("SELECT coalesce(max(version), 0) AS v FROM schema_version")).rows[0].v,
    );
    if (found > newest) {
      throw new Error(
        `the database schema is version ${found}, newer than this engine's ${newest}: upgrade rulepack`,
      );
    }
    for (const migration of migrations) {
      if (migration.version <= found) continue;
      await client.query(migration.sql);
      await client.query("DELETE FROM schema_version");
      await client.query("INSERT INTO schema_version (version) VALUES ($1)", [migration.version]);
    }
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK");
    throw e;
  }
}
