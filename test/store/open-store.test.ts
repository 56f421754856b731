import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { openStore, storeLocation, withStoreFromEnvironment } from "../../engine/store/open.js";
import { adt, HARBOR_PACK } from "../queue/harbor-queue.js";
import { rulepack } from "../support/cli.js";

/** `--db` (and RULEPACK_DB): a postgres:// URL opens the PostgreSQL store, anything else SQLite. */

let made = 0;
const freshUrl = (): string => {
  const url = new URL(inject("pgUrl"));
  url.pathname = `/open_${process.pid}_${++made}`;
  return url.toString();
};

const messageFile = (): string => {
  const file = join(mkdtempSync(join(tmpdir(), "rulepack-open-")), "a04.hl7");
  writeFileSync(file, adt({ control: "A1" }));
  return file;
};

describe("openStore", () => {
  it("opens a postgres:// URL as the PostgreSQL store (its lazy view can fill misses)", async () => {
    const store = openStore(freshUrl());
    try {
      expect((await store.openView({ lazy: true })).fill).toBeTypeOf("function");
    } finally {
      await store.close();
    }
  });

  it("opens anything else as a SQLite file (its view never misses)", async () => {
    const store = openStore(join(mkdtempSync(join(tmpdir(), "rulepack-open-")), "q.sqlite"));
    try {
      expect((await store.openView({ lazy: true })).fill).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it("refuses a database that does not exist when told not to create one", async () => {
    const store = openStore(freshUrl(), { create: false });
    await expect(store.queueSummary()).rejects.toThrow(/does not exist/);
    await store.close();
  });
});

describe("?schema= in the URL", () => {
  it("keeps each store in its own schema of one database", async () => {
    const url = new URL(freshUrl());
    const stores = ["a", "b"].map((schema) => {
      url.searchParams.set("schema", schema);
      return openStore(url.toString());
    });
    try {
      const [a, b] = stores;
      await a?.receive({
        raw: new TextEncoder().encode("MSH|^~\\&|X"),
        receivedAt: "2026-01-01T00:00:00.000Z",
        sender: "test",
        controlId: "1",
        messageType: "ADT^A04",
        direction: "inbound",
      });
      expect((await a?.messages())?.length).toBe(1);
      expect(await b?.messages()).toEqual([]);
    } finally {
      for (const store of stores) await store.close();
    }
  });

  it("refuses a schema that does not exist when told not to create one", async () => {
    const url = new URL(freshUrl());
    await openStore(url.toString()).close();
    url.searchParams.set("schema", "nowhere");
    const store = openStore(url.toString(), { create: false });
    await expect(store.queueSummary()).rejects.toThrow('schema "nowhere" does not exist');
    await store.close();
  });
});

describe("withStoreFromEnvironment", () => {
  it("adds --db RULEPACK_DB only when --db is not given at all (an explicit --db rulepack.sqlite stays)", () => {
    const env = { RULEPACK_DB: "postgres://db.example/practice" };
    expect(withStoreFromEnvironment(["queue", "list"], env)).toEqual([
      "queue",
      "list",
      "--db",
      "postgres://db.example/practice",
    ]);
    expect(withStoreFromEnvironment(["--db", "rulepack.sqlite"], env)).toEqual([
      "--db",
      "rulepack.sqlite",
    ]);
    expect(withStoreFromEnvironment(["--db=other.sqlite"], env)).toEqual(["--db=other.sqlite"]);
    expect(withStoreFromEnvironment(["a.hl7", "--", "--db"], env)).toEqual([
      "a.hl7",
      "--db",
      "postgres://db.example/practice",
      "--",
      "--db",
    ]);
    expect(withStoreFromEnvironment(["x"], {})).toEqual(["x"]);
    expect(withStoreFromEnvironment(["x"], { RULEPACK_DB: "" })).toEqual(["x"]);
    expect(storeLocation("rulepack.sqlite", env)).toBe("rulepack.sqlite");
  });
});

describe("--db postgres://... in the commands", () => {
  it("run processes into the PostgreSQL database, queue list reads it back", async () => {
    const db = freshUrl();
    const run = await rulepack(["run", "--pack", HARBOR_PACK, "--db", db, messageFile()]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const list = await rulepack(["queue", "list", "--db", db]);
    expect(list.status).toBe(0);
    expect(list.stdout).toContain("q-000001");
    expect(list.stdout).toContain("PROCESSED");
  });

  it("RULEPACK_DB selects the database when --db is not given", async () => {
    const db = freshUrl();
    const run = await rulepack(["run", "--pack", HARBOR_PACK, messageFile()], { RULEPACK_DB: db });
    expect(run.status).toBe(0);
    const list = await rulepack(["queue", "list"], { RULEPACK_DB: db });
    expect(list.stdout).toContain("q-000001");
  });
});
