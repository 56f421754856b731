import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { openPostgresStore } from "../../engine/store/postgres.js";
import { sqlMigrations } from "../../engine/store/postgres-schema.js";

/** The PostgreSQL store's migrations: SQL files applied at open, the version kept in schema_version. */

let made = 0;
const freshSchema = (): { url: string; schema: string } => {
  const url = new URL(inject("pgUrl"));
  const schema = `schema_${process.pid}_${++made}`;
  url.searchParams.set("schema", schema);
  return { url: url.toString(), schema };
};

async function schemaVersion(schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: inject("pgUrl") });
  await client.connect();
  try {
    const result = await client.query(`SELECT max(version) AS v FROM "${schema}".schema_version`);
    return Number(result.rows[0].v);
  } finally {
    await client.end();
  }
}

describe("PostgreSQL schema migrations", () => {
  it("are the numbered SQL files, in order", () => {
    const versions = sqlMigrations().map((m) => m.version);
    expect(versions[0]).toBe(1);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  });

  it("bring a new schema to the newest version once; reopening keeps the data", async () => {
    const { url, schema } = freshSchema();
    const newest = Math.max(...sqlMigrations().map((m) => m.version));
    const first = openPostgresStore(url);
    await first.queueSummary();
    await first.close();
    expect(await schemaVersion(schema)).toBe(newest);
    const again = openPostgresStore(url);
    try {
      expect((await again.queueSummary()).counts).toEqual({});
      expect(await schemaVersion(schema)).toBe(newest);
    } finally {
      await again.close();
    }
  });

  it("refuse a database a newer engine migrated", async () => {
    const { url, schema } = freshSchema();
    await openPostgresStore(url).close();
    const client = new pg.Client({ connectionString: inject("pgUrl") });
    await client.connect();
    await client.query(`UPDATE "${schema}".schema_version SET version = 999`);
    await client.end();
    const store = openPostgresStore(url);
    await expect(store.queueSummary()).rejects.toThrow(
      /the database schema is version 999, newer than this engine's \d+: upgrade rulepack/,
    );
    await store.close();
  });
});
