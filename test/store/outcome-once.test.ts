import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { Outcome } from "../../engine/model/outcome.js";
import { openPostgresStore } from "../../engine/store/postgres.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { Store } from "../../engine/store/types.js";
import { outcomeOf, RECEIVED, received } from "./contract.js";

/**
 * A message's outcome stored once (engine/store/outcome-once.ts, decision
 * 0039): in the message's row; the attempt that recorded it holds a marker,
 * and keeps its own copy only once a later outcome replaces it.
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-outcome-once-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let made = 0;

/** The attempts' stored `outcome` column, oldest first. */
type RawAttempts = () => Promise<(string | null)[]>;

const sqlite = (): { store: Store; raw: RawAttempts; file: string } => {
  const file = join(root, `store-${++made}.sqlite`);
  const store = openSqliteStore(file);
  const raw: RawAttempts = async () => {
    const db = new Database(file, { readonly: true });
    try {
      return db
        .prepare("SELECT outcome FROM attempts ORDER BY message_seq, number")
        .pluck()
        .all() as (string | null)[];
    } finally {
      db.close();
    }
  };
  return { store, raw, file };
};

const postgres = (): { store: Store; raw: RawAttempts } => {
  const schema = `outcome_once_${process.pid}_${++made}`;
  const url = new URL(inject("pgUrl"));
  url.searchParams.set("schema", schema);
  const store = openPostgresStore(url.toString());
  const raw: RawAttempts = async () => {
    const client = new pg.Client({ connectionString: inject("pgUrl") });
    await client.connect();
    try {
      const rows = await client.query<{ outcome: string | null }>(
        `SELECT outcome FROM "${schema}".attempts ORDER BY message_seq, number`,
      );
      return rows.rows.map((r) => r.outcome);
    } finally {
      await client.end();
    }
  };
  return { store, raw };
};

const held = (id: string): Outcome => outcomeOf(id, [], "ERROR");

describe.each([
  ["sqlite", sqlite],
  ["postgres", postgres],
] as const)("the outcome stored once: %s", (_name, open) => {
  it("the attempt that recorded the message's outcome holds no copy of it, and reads it", async () => {
    const { store, raw } = open();
    const id = await store.receive(received());
    await store.complete(held(id), RECEIVED);
    expect(await raw()).toEqual(["@message"]);
    expect((await store.attempts(id)).map((a) => a.outcome)).toEqual([held(id)]);
    expect((await store.message(id))?.outcome).toEqual(held(id));
    await store.close();
  });

  it("a later outcome (a reprocess) leaves the earlier attempt its own outcome, a copy only now", async () => {
    const { store, raw } = open();
    const id = await store.receive(received());
    await store.complete(held(id), RECEIVED);
    const processed = outcomeOf(id, []);
    await store.complete(processed, { kind: "reprocess", now: "2026-01-02T00:00:00.000Z" });
    expect((await store.attempts(id)).map((a) => [a.kind, a.outcome])).toEqual([
      ["receive", held(id)],
      ["reprocess", processed],
    ]);
    expect(await raw()).toEqual([JSON.stringify(held(id)), "@message"]);
    await store.close();
  });

  it("a change of state without an outcome (queue delete) keeps every attempt's outcome", async () => {
    const { store, raw } = open();
    const id = await store.receive(received());
    await store.complete(held(id), RECEIVED);
    await store.setState(id, "DELETED", { kind: "delete", now: "2026-01-02T00:00:00.000Z" });
    expect((await store.attempts(id)).map((a) => [a.state, a.outcome])).toEqual([
      ["ERROR", held(id)],
      ["DELETED", undefined],
    ]);
    expect(await raw()).toEqual(["@message", null]);
    await store.close();
  });
});

describe("SQLite migration 16", () => {
  it("turns the copy the latest attempt held into the marker; the attempts read the same", async () => {
    const { store, file } = sqlite();
    const id = await store.receive(received());
    await store.complete(held(id), RECEIVED);
    await store.complete(outcomeOf(id, []), { kind: "reprocess", now: "2026-01-02T00:00:00.000Z" });
    const before = await store.attempts(id);
    await store.close();
    // The file as version 15 left it: both attempts hold their own copy.
    const db = new Database(file);
    db.exec(`
      DROP TRIGGER messages_outcome_kept_by_attempt;
      UPDATE attempts SET outcome = (SELECT outcome FROM messages WHERE seq = attempts.message_seq)
        WHERE outcome = '@message';
      UPDATE schema_version SET version = 15;
    `);
    db.close();
    const after = openSqliteStore(file);
    expect(await after.attempts(id)).toEqual(before);
    await after.close();
    const check = new Database(file, { readonly: true });
    const outcomes = check.prepare("SELECT outcome FROM attempts ORDER BY number").pluck().all();
    check.close();
    expect(outcomes).toEqual([JSON.stringify(held(id)), "@message"]);
  });
});
