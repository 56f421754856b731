import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pruneCommand } from "../../engine/cli/prune-command.js";
import type { QueueState } from "../../engine/model/outcome.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import { rulepack } from "../support/cli.js";
import { captureIo } from "../testing/helpers.js";

/**
 * `rulepack prune` (the spec: processed and deleted messages "remain in
 * queue for only 90 days"): PROCESSED and DELETED messages older than the
 * pack's `queue.retentionDays` go with their attempts; ERROR, CBOERROR and
 * ATHENAERROR wait for a person whatever their age.
 */

const PACK = "rules/practices/harbor-ortho/pack.yaml";
const root = mkdtempSync(join(tmpdir(), "rulepack-prune-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let stores = 0;

const NOW = new Date("2026-02-01T00:00:00.000Z");
const OLD = "2025-06-01T00:00:00.000Z"; // 245 days before NOW
const RECENT = "2026-01-20T00:00:00.000Z"; // 12 days before NOW

/** One message per row, in this order: q-000001 ... q-000007. */
const QUEUE: readonly { state: QueueState; at: string }[] = [
  { state: "PROCESSED", at: OLD },
  { state: "PROCESSED", at: RECENT },
  { state: "DELETED", at: OLD },
  { state: "ERROR", at: OLD },
  { state: "CBOERROR", at: OLD },
  { state: "ATHENAERROR", at: OLD },
  { state: "DELETED", at: RECENT },
];

async function freshStore(): Promise<string> {
  const db = join(root, `prune-${++stores}.sqlite`);
  const store = openSqliteStore(db);
  try {
    for (const [i, { state, at }] of QUEUE.entries()) {
      const controlId = `CTRL${i + 1}`;
      const messageId = await store.receive({
        raw: new TextEncoder().encode(
          `MSH|^~\\&|EHR|CLINIC|||20250601||ADT^A08|${controlId}|P|2.5.1\r`,
        ),
        receivedAt: at,
        sender: "file:test",
        controlId,
        messageType: "ADT^A08",
        direction: "inbound",
      });
      const held = state === "DELETED" ? "ERROR" : state;
      await store.complete(
        {
          messageId,
          controlId,
          messageType: "ADT^A08",
          state: held,
          actions: [],
          errors: [],
          review: [],
          trace: [],
        },
        { kind: "receive", now: at },
      );
      if (state === "DELETED")
        await store.setState(messageId, "DELETED", { kind: "delete", now: at, actor: "alice" });
    }
  } finally {
    await store.close();
  }
  return db;
}

async function remaining(db: string): Promise<string[]> {
  const store = openSqliteStore(db);
  try {
    return (await store.messages()).map((m) => `${m.messageId} ${m.state}`);
  } finally {
    await store.close();
  }
}

async function prune(db: string, options: { pack?: string; now?: Date; dryRun?: boolean } = {}) {
  const io = captureIo();
  const { exitCode } = await pruneCommand(
    { pack: options.pack ?? PACK, db, now: options.now ?? NOW, dryRun: options.dryRun === true },
    io,
  );
  return { exitCode, stdout: io.out(), stderr: io.err() };
}

const ALL = [
  "q-000001 PROCESSED",
  "q-000002 PROCESSED",
  "q-000003 DELETED",
  "q-000004 ERROR",
  "q-000005 CBOERROR",
  "q-000006 ATHENAERROR",
  "q-000007 DELETED",
];

describe("rulepack prune", () => {
  it("removes PROCESSED and DELETED messages older than 90 days, with their attempts; says how many per state", async () => {
    const db = await freshStore();
    expect(await prune(db)).toEqual({
      exitCode: 0,
      stdout:
        "PROCESSED pruned 1 (retention 90 days: in the state before 2025-11-03T00:00:00.000Z)\n" +
        "DELETED pruned 1 (retention 90 days: in the state before 2025-11-03T00:00:00.000Z)\n" +
        "2 messages pruned\n",
      stderr: "",
    });
    expect(await remaining(db)).toEqual([
      "q-000002 PROCESSED",
      "q-000004 ERROR",
      "q-000005 CBOERROR",
      "q-000006 ATHENAERROR",
      "q-000007 DELETED",
    ]);
    const store = openSqliteStore(db);
    try {
      expect(await store.attempts("q-000001")).toEqual([]);
      expect(await store.attempts("q-000003")).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("never prunes ERROR, CBOERROR or ATHENAERROR, however old", async () => {
    const db = await freshStore();
    expect((await prune(db, { now: new Date("2036-01-01T00:00:00Z") })).stdout).toBe(
      "PROCESSED pruned 2 (retention 90 days: in the state before 2035-10-03T00:00:00.000Z)\n" +
        "DELETED pruned 2 (retention 90 days: in the state before 2035-10-03T00:00:00.000Z)\n" +
        "4 messages pruned\n",
    );
    expect(await remaining(db)).toEqual([
      "q-000004 ERROR",
      "q-000005 CBOERROR",
      "q-000006 ATHENAERROR",
    ]);
  });

  it("exits 1 for a store that does not exist and 2 for a pack that does not load", async () => {
    const missing = join(root, "none.sqlite");
    expect(await prune(missing)).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: `rulepack: no store at ${missing} (rulepack run or serve --db FILE creates one)\n`,
    });
    const r = await prune(await freshStore(), { pack: join(root, "no-pack.yaml") });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("FILE_NOT_FOUND");
  });
});

describe("rulepack prune --dry-run", () => {
  it("says what would be pruned and removes nothing", async () => {
    const db = await freshStore();
    expect(await prune(db, { dryRun: true })).toEqual({
      exitCode: 0,
      stdout:
        "PROCESSED would prune 1 (retention 90 days: in the state before 2025-11-03T00:00:00.000Z)\n" +
        "DELETED would prune 1 (retention 90 days: in the state before 2025-11-03T00:00:00.000Z)\n" +
        "2 messages would be pruned (dry run)\n",
      stderr: "",
    });
    expect(await remaining(db)).toEqual(ALL);
  });
});

describe("rulepack prune --now", () => {
  it("counts the retention back from that time", async () => {
    const db = await freshStore();
    expect((await prune(db, { now: new Date("2025-08-01T00:00:00Z") })).stdout).toBe(
      "PROCESSED pruned 0 (retention 90 days: in the state before 2025-05-03T00:00:00.000Z)\n" +
        "DELETED pruned 0 (retention 90 days: in the state before 2025-05-03T00:00:00.000Z)\n" +
        "0 messages pruned\n",
    );
    expect(await remaining(db)).toEqual(ALL);
  });
});

describe("rulepack prune: queue.retentionDays", () => {
  it("takes each state's retention from the pack", async () => {
    const dir = join(root, "retention", "harbor-ortho");
    mkdirSync(dir, { recursive: true });
    const rel = (path: string) => relative(dir, resolve(path));
    const pack = join(dir, "pack.yaml");
    writeFileSync(
      pack,
      `# yaml-language-server: $schema=${rel("schemas/rulepack.schema.json")}\npack:\n  id: harbor-ortho\n  extends: ${rel(PACK)}\nqueue:\n  retentionDays: { PROCESSED: 10, DELETED: 400 }\n`,
    );
    const db = await freshStore();
    expect(await prune(db, { pack })).toEqual({
      exitCode: 0,
      stdout:
        "PROCESSED pruned 2 (retention 10 days: in the state before 2026-01-22T00:00:00.000Z)\n" +
        "DELETED pruned 0 (retention 400 days: in the state before 2024-12-28T00:00:00.000Z)\n" +
        "2 messages pruned\n",
      stderr: "",
    });
    expect(await remaining(db)).toEqual([
      "q-000003 DELETED",
      "q-000004 ERROR",
      "q-000005 CBOERROR",
      "q-000006 ATHENAERROR",
      "q-000007 DELETED",
    ]);
  });
});

describe("rulepack prune (the real CLI)", () => {
  const cli = (...args: string[]) => rulepack(["prune", ...args]);

  it("prunes with --now and --dry-run, and refuses a missing --pack or a bad --now with exit 2", async () => {
    const db = await freshStore();
    const dry = await cli("--pack", PACK, "--db", db, "--now", NOW.toISOString(), "--dry-run");
    expect([dry.status, dry.stdout.split("\n").at(-2)]).toEqual([
      0,
      "2 messages would be pruned (dry run)",
    ]);
    expect(await remaining(db)).toEqual(ALL);
    for (const args of [
      ["--db", db],
      ["--pack", PACK, "--db", db, "--now", "later"],
    ]) {
      const r = await cli(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(
        "usage: rulepack prune --pack PACK [--db FILE] [--now ISO-8601] [--dry-run]",
      );
    }
  });
});
