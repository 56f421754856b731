import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { blockingKeysOf } from "../../engine/matching/blocking.js";
import type { Patient } from "../../engine/model/records.js";
import { blockingKeyList } from "../../engine/store/ids.js";
import { CANDIDATES_SQL, openSqliteStore } from "../../engine/store/sqlite.js";
import { MIGRATIONS, SCHEMA_VERSION } from "../../engine/store/sqlite-schema.js";
import type { Store } from "../../engine/store/types.js";
import { ALICE, apply, createPatient, RECEIVED, received, storeContract } from "./contract.js";
import { queueContract } from "./queue-contract.js";

const root = mkdtempSync(join(tmpdir(), "rulepack-sqlite-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
const newFile = (): string => join(root, `store-${++counter}`, "rulepack.db");

storeContract("sqlite", () => openSqliteStore(newFile()));
queueContract("sqlite", () => openSqliteStore(newFile()));

describe("SQLite store", () => {
  const opened: { close(): void }[] = [];
  const track = <T extends { close(): void }>(x: T): T => {
    opened.push(x);
    return x;
  };
  afterEach(async () => {
    for (const x of opened.splice(0).reverse()) {
      try {
        x.close();
      } catch {
        // already closed by the test
      }
    }
  });
  const raw = (file: string) => track(new BetterSqlite3(file, { readonly: true }));

  it("creates the file (and its folder) and migrates it on first open", async () => {
    const file = newFile();
    expect(existsSync(file)).toBe(false);
    track(openSqliteStore(file));
    expect(existsSync(file)).toBe(true);
    const db = raw(file);
    expect(db.prepare("SELECT version FROM schema_version").pluck().all()).toEqual([
      SCHEMA_VERSION,
    ]);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(
      expect.arrayContaining([
        "appointments",
        "claims",
        "counters",
        "external_ids",
        "master_data",
        "messages",
        "patient_keys",
        "patients",
        "policies",
        "schema_version",
      ]),
    );
  });

  it("brings a version 3 file up to date: its messages keep their state, entered at receipt", async () => {
    const file = newFile();
    mkdirSync(dirname(file), { recursive: true });
    const old = new BetterSqlite3(file);
    old.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
    for (const m of MIGRATIONS.filter((x) => x.version <= 3)) old.exec(m.sql);
    old.prepare("INSERT INTO schema_version (version) VALUES (3)").run();
    old
      .prepare(
        `INSERT INTO messages (message_id, raw, received_at, sender, control_id, message_type, direction, state)
         VALUES ('q-000001', x'4d5348', '2025-05-05T05:05:05.000Z', 'file:a.hl7', 'C1', 'ADT^A04', 'inbound', 'ERROR')`,
      )
      .run();
    old.close();
    const store = track(openSqliteStore(file));
    expect(await store.message("q-000001")).toMatchObject({
      sequence: 1,
      state: "ERROR",
      stateAt: "2025-05-05T05:05:05.000Z",
    });
    expect(await store.attempts("q-000001")).toEqual([]);
    expect((await store.queueSummary()).oldestWaitingSince).toBe("2025-05-05T05:05:05.000Z");
  });

  it("brings a version 4 file up to date: a NEW message has no unfinished attempt", async () => {
    const file = newFile();
    mkdirSync(dirname(file), { recursive: true });
    const old = new BetterSqlite3(file);
    old.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
    for (const m of MIGRATIONS.filter((x) => x.version <= 4)) old.exec(m.sql);
    old.prepare("INSERT INTO schema_version (version) VALUES (4)").run();
    old
      .prepare(
        `INSERT INTO messages (message_id, raw, received_at, sender, control_id, message_type, direction, state, state_at)
         VALUES ('q-000001', x'4d5348', '2025-05-05T05:05:05.000Z', 'file:a.hl7', 'C1', 'ADT^A04', 'inbound', 'NEW', '2025-05-05T05:05:05.000Z')`,
      )
      .run();
    old.close();
    const store = track(openSqliteStore(file));
    expect((await store.message("q-000001"))?.unfinished).toBeUndefined();
    await store.beginAttempt("q-000001", "2026-01-01T00:00:00.000Z");
    expect((await store.message("q-000001"))?.unfinished?.count).toBe(1);
  });

  it("puts the file in WAL mode", async () => {
    const file = newFile();
    track(openSqliteStore(file));
    expect(raw(file).pragma("journal_mode", { simple: true })).toBe("wal");
  });

  it("reopening keeps records, messages, counters and master data, and migrates nothing", async () => {
    const file = newFile();
    const first = openSqliteStore(file);
    const messageId = await apply(first, [
      createPatient(),
      {
        type: "externalId.set",
        record: "patient",
        recordId: "1001",
        name: "mrn",
        value: "0042",
        key: "42",
      },
      { type: "insurance.add", patientId: "1001", policy: { sequence: 1, packageId: "4471" } },
    ]);
    await first.loadMasterData({
      providers: [{ id: "101" }],
      departments: [],
      insurancePackages: [],
      appointmentTypes: [],
      procedures: [],
    });
    await first.close();

    const again = track(openSqliteStore(file));
    expect(again.patientById("1001")).toEqual({ ...ALICE, externalIds: { mrn: "0042" } });
    expect(again.patientsByExternalId("mrn", "42").map((p) => p.id)).toEqual(["1001"]);
    expect(again.patientCandidates({ passes: ["dob:19800214"] }).map((p) => p.id)).toEqual([
      "1001",
    ]);
    expect(again.policiesOf("1001")).toEqual([{ sequence: 1, packageId: "4471" }]);
    expect((await again.message(messageId))?.state).toBe("PROCESSED");
    expect(again.nextId("patient")).toBe("1002");
    expect(await again.receive(received())).toBe("q-000002");
    expect(again.masterData.providers).toEqual([{ id: "101" }]);
    expect(raw(file).prepare("SELECT count(*) FROM schema_version").pluck().get()).toBe(1);
  });

  it("a second connection sees committed writes, master data included", async () => {
    const file = newFile();
    const writer = track(openSqliteStore(file));
    const reader = track(openSqliteStore(file));
    expect(reader.masterData.providers).toEqual([]);
    await apply(writer, [createPatient()]);
    expect(reader.patientById("1001")).toEqual(ALICE);
    expect(reader.nextId("patient")).toBe("1002");
    await writer.loadMasterData({
      providers: [{ id: "102" }],
      departments: [],
      insurancePackages: [],
      appointmentTypes: [],
      procedures: [],
    });
    expect(reader.masterData.providers).toEqual([{ id: "102" }]);
    // Both connections take message IDs from the same counter.
    expect(await reader.receive(received())).toBe("q-000002");
    expect(await writer.receive(received())).toBe("q-000003");
    expect((await writer.messages()).map((m) => m.messageId)).toEqual([
      "q-000001",
      "q-000002",
      "q-000003",
    ]);
  });

  it("writes a message's actions, state and outcome in one transaction", async () => {
    const file = newFile();
    const store = track(openSqliteStore(file));
    await apply(store, [createPatient()]);
    const id = await store.receive(received());
    const db = raw(file);
    const patients = () => db.prepare("SELECT count(*) FROM patients").pluck().get();
    await expect(
      async () =>
        await store.complete(
          {
            messageId: id,
            controlId: "C",
            messageType: "ADT^A04",
            state: "PROCESSED",
            actions: [createPatient({ ...ALICE, id: "1002" }), createPatient()],
            errors: [],
            review: [],
            trace: [],
          },
          RECEIVED,
        ),
    ).rejects.toThrow(/1001 already exists/);
    expect(patients()).toBe(1);
    expect(db.prepare("SELECT state, outcome FROM messages WHERE message_id = ?").get(id)).toEqual({
      state: "NEW",
      outcome: null,
    });
  });

  it("indexes blocking keys in their own table", async () => {
    const file = newFile();
    const store = track(openSqliteStore(file));
    await apply(store, [createPatient()]);
    const keys = raw(file).prepare("SELECT key FROM patient_keys ORDER BY key").pluck().all();
    expect(keys).toEqual([...blockingKeyList(blockingKeysOf(ALICE as Patient))].sort());
    expect(keys).toContain("lastNameSoundex+firstInitial:S530|A");
  });

  it("rebuilds the keys of a file indexed by other blocking passes when opened", async () => {
    const file = newFile();
    const first = openSqliteStore(file);
    await apply(first, [createPatient()]);
    await first.close();
    const writer = new BetterSqlite3(file);
    writer.exec(
      "DELETE FROM patient_keys; INSERT INTO patient_keys SELECT 'name:S530A', seq FROM patients",
    );
    writer.exec("UPDATE blocking_index SET version = 1");
    await writer.close();
    const db = raw(file);
    const again = track(openSqliteStore(file));
    expect(again.patientCandidates({ passes: ["dob:19800214"] }).map((p) => p.id)).toEqual([
      "1001",
    ]);
    const keys = db.prepare("SELECT key FROM patient_keys ORDER BY key").pluck().all();
    expect(keys).toEqual([...blockingKeyList(blockingKeysOf(ALICE as Patient))].sort());
  });

  it("looks candidates up through the key index, never scanning patients", async () => {
    const file = newFile();
    track(openSqliteStore(file));
    const plan = raw(file)
      .prepare(`EXPLAIN QUERY PLAN ${CANDIDATES_SQL}`)
      .all("dob:19800214", ...Array(15).fill(null)) as { detail: string }[];
    const details = plan.map((p) => p.detail).join("\n");
    expect(details).not.toMatch(/SCAN patients\b(?! USING)/);
    expect(details).toMatch(/patient_keys/);
  });

  it("refuses a file written by a newer schema", async () => {
    const file = newFile();
    await track(openSqliteStore(file)).close();
    const db = new BetterSqlite3(file);
    db.prepare("UPDATE schema_version SET version = ?").run(SCHEMA_VERSION + 1);
    await db.close();
    expect(() => openSqliteStore(file)).toThrow(/newer than this engine/);
  });

  it("declares foreign keys (the store turns them on for its connection)", async () => {
    const file = newFile();
    const store: Store = track(openSqliteStore(file));
    await apply(store, [createPatient()]);
    const db = track(new BetterSqlite3(file));
    db.pragma("foreign_keys = ON");
    expect(() =>
      db
        .prepare(
          "INSERT INTO policies (patient_id, sequence, package_id, record) VALUES ('nobody', 1, 'x', '{}')",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
  });
});
