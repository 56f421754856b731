import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../engine/store/sqlite.js";

/**
 * One SQLite file shared by a running listener and the queue commands:
 * concurrent writers in separate processes wait for each other
 * (busy_timeout) and no write is lost.
 */
const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), "rulepack-shared-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("SQLite file shared by processes", () => {
  it("three processes writing at async once: every message stored once, IDs unique, attempts intact", async () => {
    const file = join(root, "queue.db");
    await openSqliteStore(file).close();
    const writer = join(import.meta.dirname, "concurrent-writer.ts");
    const count = 150;
    await Promise.all(
      ["a", "b", "c"].map((tag) =>
        run(process.execPath, ["--import", "tsx", writer, file, tag, String(count)]),
      ),
    );
    const store = openSqliteStore(file);
    const messages = await store.messages();
    expect(messages).toHaveLength(3 * count);
    expect(new Set(messages.map((m) => m.messageId)).size).toBe(3 * count);
    expect(new Set(messages.map((m) => m.controlId)).size).toBe(3 * count);
    expect((await store.queueSummary()).counts).toEqual({ PROCESSED: 3 * count });
    for (const m of messages) expect(await store.attempts(m.messageId)).toHaveLength(1);
    await store.close();
  }, 60_000);
});
