import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EMPTY_MASTER_DATA, type MasterData } from "../../engine/model/master-data.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";

/**
 * The SQLite store's master data (sqlite-master-data.ts, decision 0039):
 * cached per store and checked once per view a decision opens, so another
 * process's `rulepack store load` is seen by the next message, and the
 * reads of one decision are answered from memory.
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-master-cache-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let made = 0;
const newDb = () => join(root, `store-${++made}.sqlite`);

const A: MasterData = { ...EMPTY_MASTER_DATA, providers: [{ id: "101", npi: "1482736505" }] };
const B: MasterData = { ...EMPTY_MASTER_DATA, providers: [{ id: "202", npi: "1245319599" }] };

const providerIds = (data: { providers: readonly { id: string }[] }) =>
  data.providers.map((p) => p.id);

describe("master data on SQLite: cached, checked once per view", () => {
  it("a `rulepack store load` from another process is seen by the next view (the next message)", async () => {
    const db = newDb();
    const store = openSqliteStore(db);
    await store.loadMasterData(A);
    expect(providerIds((await store.openView()).view.masterData)).toEqual(["101"]);
    const yaml = join(root, "b.yaml");
    writeFileSync(yaml, 'providers:\n  - id: "202"\n    npi: "1245319599"\n');
    const load = spawnSync(
      process.execPath,
      ["--import", "tsx", "engine/cli.ts", "store", "load", "--db", db, yaml],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect([load.status, load.stderr]).toEqual([0, ""]);
    expect(providerIds((await store.openView()).view.masterData)).toEqual(["202"]);
    await store.close();
  }, 90_000);

  it("within one view, reads keep the data the view began with; the next view sees another connection's load", async () => {
    const db = newDb();
    const store = openSqliteStore(db);
    await store.loadMasterData(A);
    const other = openSqliteStore(db);
    const { view } = await store.openView();
    expect(providerIds(view.masterData)).toEqual(["101"]);
    await other.loadMasterData(B);
    expect(providerIds(view.masterData)).toEqual(["101"]);
    expect(providerIds((await store.openView()).view.masterData)).toEqual(["202"]);
    await other.close();
    await store.close();
  });

  it("another connection's commits that leave the master data alone keep the same frozen object", async () => {
    const db = newDb();
    const store = openSqliteStore(db);
    await store.loadMasterData(A);
    const other = openSqliteStore(db);
    const before = (await store.openView()).view.masterData;
    await other.loadMasterData(A);
    const after = (await store.openView()).view.masterData;
    expect(after).toBe(before);
    expect(Object.isFrozen(after)).toBe(true);
    await other.close();
    await store.close();
  });

  it("the store's own load is read back at once, without a view", async () => {
    const store = openSqliteStore(newDb());
    await store.loadMasterData(A);
    expect(providerIds(store.masterData)).toEqual(["101"]);
    await store.loadMasterData(B);
    expect(providerIds(store.masterData)).toEqual(["202"]);
    await store.close();
  });
});
