import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import {
  applySynchronous,
  SqliteSyncSettingError,
  sqliteSynchronous,
} from "../../engine/store/sqlite-durability.js";

/** PRAGMA synchronous as SQLite reports it: 1 NORMAL, 2 FULL. */
const NORMAL = 1;
const FULL = 2;

describe("RULEPACK_SQLITE_SYNC (what a commit survives on SQLite)", () => {
  it("unset or empty: NORMAL (survives kill -9, not power loss)", () => {
    expect(sqliteSynchronous({})).toBe("NORMAL");
    expect(sqliteSynchronous({ RULEPACK_SQLITE_SYNC: "" })).toBe("NORMAL");
  });

  it("FULL or NORMAL, in any case", () => {
    expect(sqliteSynchronous({ RULEPACK_SQLITE_SYNC: "FULL" })).toBe("FULL");
    expect(sqliteSynchronous({ RULEPACK_SQLITE_SYNC: "full" })).toBe("FULL");
    expect(sqliteSynchronous({ RULEPACK_SQLITE_SYNC: " normal " })).toBe("NORMAL");
  });

  it("anything else is refused with INVALID_SQLITE_SYNC naming the value", () => {
    const refuse = () => sqliteSynchronous({ RULEPACK_SQLITE_SYNC: "OFF" });
    expect(refuse).toThrow(SqliteSyncSettingError);
    expect(refuse).toThrow("RULEPACK_SQLITE_SYNC: expected NORMAL or FULL, got 'OFF'");
  });

  it("the level is what the connection runs with", () => {
    const db = new BetterSqlite3(":memory:");
    try {
      applySynchronous(db, "FULL");
      expect(db.pragma("synchronous", { simple: true })).toBe(FULL);
      applySynchronous(db, "NORMAL");
      expect(db.pragma("synchronous", { simple: true })).toBe(NORMAL);
    } finally {
      db.close();
    }
  });
});

describe("openSqliteStore's synchronous option", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("FULL opens and stores as NORMAL does; an invalid environment value refuses to open", async () => {
    dir = mkdtempSync(join(tmpdir(), "rulepack-sync-"));
    const store = openSqliteStore(join(dir, "full.sqlite"), { synchronous: "FULL" });
    const id = await store.receive({
      raw: new TextEncoder().encode("MSH|^~\\&|A|B|C|D|20260101||ADT^A04|1|P|2.5.1"),
      receivedAt: "2026-01-01T00:00:00Z",
      sender: "test",
      controlId: "1",
      messageType: "ADT^A04",
      direction: "inbound",
    });
    expect((await store.message(id))?.state).toBe("NEW");
    await store.close();
    const previous = process.env.RULEPACK_SQLITE_SYNC;
    process.env.RULEPACK_SQLITE_SYNC = "sometimes";
    try {
      expect(() => openSqliteStore(join(dir as string, "bad.sqlite"))).toThrow(
        SqliteSyncSettingError,
      );
    } finally {
      if (previous === undefined) delete process.env.RULEPACK_SQLITE_SYNC;
      else process.env.RULEPACK_SQLITE_SYNC = previous;
    }
  });
});
