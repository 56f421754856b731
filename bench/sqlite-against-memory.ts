/**
 * Issue 18's SQLite goal for one workload: `receiveBytes` on a fresh SQLite
 * file (WAL, synchronous NORMAL, as `rulepack run --db`) against the same
 * messages on a fresh in-memory store, in the same run. Each pass's store is
 * made outside the timed region: the in-memory one seeded by `seed`, the
 * SQLite one copied from a template file `seed` filled once.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryStore } from "../engine/store/memory.js";
import { openSqliteStore } from "../engine/store/sqlite.js";
import type { LocalStore } from "../engine/store/types.js";
import { consume, type Goal, type Subject, type Suite } from "./harness.js";

export const SQLITE_GOAL: Goal = {
  maxRatio: 1.5,
  statement: "issue 18: SQLite <= 1.5x the in-memory path for the same messages",
};

export interface SqliteAgainstMemory {
  readonly name: string;
  readonly messages: number;
  /** Seeds an empty store (master data, records the workload refers to). */
  readonly seed: (store: LocalStore) => Promise<void>;
  /** The workload through `receiveBytes` on `store`; returns how many outcomes. */
  readonly run: (store: LocalStore) => Promise<number>;
}

export async function sqliteAgainstMemory(workload: SqliteAgainstMemory): Promise<Suite> {
  const dir = mkdtempSync(join(tmpdir(), "rulepack-bench-sqlite-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const template = join(dir, "template.sqlite");
  const made = openSqliteStore(template);
  await workload.seed(made);
  await made.close();
  let files = 0;

  const side = (
    name: string,
    open: () => Promise<{ store: LocalStore; done(): Promise<void> }>,
  ) => {
    let current: { store: LocalStore; done(): Promise<void> } | undefined;
    process.once("beforeExit", () => current?.done());
    const subject: Subject = {
      name,
      async prepare() {
        await current?.done();
        current = await open();
      },
      async run() {
        if (!current) throw new Error("prepare() makes the store");
        const n = await workload.run(current.store);
        consume(n);
        return n;
      },
    };
    return subject;
  };
  return {
    name: `${workload.name}, SQLite against in-memory, fresh per pass (${workload.messages} msgs)`,
    unit: "msg",
    unitsPerPass: workload.messages,
    goal: SQLITE_GOAL,
    baseline: side("receiveBytes on the in-memory store", async () => {
      const store = createMemoryStore();
      await workload.seed(store);
      return { store, done: () => store.close() };
    }),
    subject: side("receiveBytes on the SQLite store (WAL, synchronous NORMAL)", async () => {
      const file = join(dir, `pass-${files++}.sqlite`);
      copyFileSync(template, file);
      const store = openSqliteStore(file);
      return {
        store,
        async done() {
          await store.close();
          for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
        },
      };
    }),
  };
}
