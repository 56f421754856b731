import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusCommand } from "../../engine/cli/status-command.js";
import type { CliIo } from "../../engine/io/cli-io.js";
import type { QueueState } from "../../engine/model/outcome.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import { SCHEMA_VERSION } from "../../engine/store/sqlite-schema.js";
import { rulepack } from "../support/cli.js";
import { queueMessage, SERVE_PACK } from "./helpers.js";

/** `rulepack status`: counts per state, ages, schema version, and the alerts a pack would raise. */

const root = mkdtempSync(join(tmpdir(), "rulepack-status-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const db = join(root, "queue.sqlite");
const NOW = new Date("2026-03-03T12:00:00.000Z");

function capture(): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t) => out.push(t), stderr: (t) => err.push(t) }, out, err };
}

beforeAll(async () => {
  const store = openSqliteStore(db);
  const rows: [QueueState, string][] = [
    ["PROCESSED", "2026-03-03T11:00:00.000Z"],
    ["ERROR", "2026-03-01T08:00:00.000Z"],
    ["CBOERROR", "2026-03-03T09:00:00.000Z"],
  ];
  for (const [i, [state, at]] of rows.entries()) await queueMessage(store, `C${i}`, state, at);
  await store.close();
});

describe("rulepack status", () => {
  it("prints counts per state, the oldest waiting error, the last receipt and the schema version", async () => {
    const c = capture();
    expect((await statusCommand({ db, format: "text", now: NOW }, c.io)).exitCode).toBe(0);
    expect(c.out.join("")).toBe(
      [
        `store: ${db} (schema version ${SCHEMA_VERSION})`,
        "messages: 3",
        "  PROCESSED    1",
        "  ERROR        1",
        "  CBOERROR     1",
        "oldest waiting (ERROR, CBOERROR) since: 2026-03-01T08:00:00.000Z",
        "last received: 2026-03-03T11:00:00.000Z",
        "",
      ].join("\n"),
    );
  });

  it("--pack: says which alerts would fire (JSON)", async () => {
    const c = capture();
    expect(
      (await statusCommand({ db, format: "json", pack: SERVE_PACK, now: NOW }, c.io)).exitCode,
    ).toBe(0);
    expect(JSON.parse(c.out.join(""))).toEqual({
      db,
      schemaVersion: SCHEMA_VERSION,
      counts: { PROCESSED: 1, ERROR: 1, CBOERROR: 1 },
      total: 3,
      oldestWaitingSince: "2026-03-01T08:00:00.000Z",
      lastReceivedAt: "2026-03-03T11:00:00.000Z",
      alerts: [{ kind: "oldestError", at: NOW.toISOString(), value: 52, threshold: 24 }],
    });
  });

  it("fails with exit 1 for a missing store, without creating it", async () => {
    const c = capture();
    const missing = join(root, "nope.sqlite");
    expect((await statusCommand({ db: missing, format: "text", now: NOW }, c.io)).exitCode).toBe(1);
    expect(c.err.join("")).toBe(
      `rulepack: no store at ${missing} (rulepack run or serve --db FILE creates one)\n`,
    );
  });

  it("runs through the CLI: text alerts line, usage errors exit 2", async () => {
    const cli = ["status", "--db", db];
    const ok = await rulepack([...cli, "--pack", SERVE_PACK]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("messages: 3\n");
    expect(ok.stdout).toMatch(
      /alerts:\n {2}alert kind=oldestError value=\d+(\.\d)? threshold=24\n/,
    );
    const bad = await rulepack([...cli, "--format", "xml"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("usage: rulepack status");
  });
});
