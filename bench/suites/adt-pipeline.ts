/**
 * The full inbound ADT pipeline, msgs/s, on the in-memory and the SQLite
 * store: `receiveBytes(pack, store, bytes, { now, sender })` with the
 * compiled Harbor Orthopedics pack (the rule interpreter) against the
 * hand-written Harbor pipeline of bench/baselines/hand-written-adt.ts doing
 * the same work without it, in the same run. The ratio is the interpreter's
 * overhead on top of parsing, matching and the store.
 *
 * Workload: the corpus's ADT messages (shared/corpus/hl7/ADT_*, in name
 * order), as `rulepack run` sends them. One pass is a FRESH STORE and then
 * every message, received and completed in order, so every pass does the
 * same work: the same creates, updates, matches and ERRORs as the README's
 * run (17 PROCESSED, 14 ERROR today), never updates of patients a previous
 * pass left behind.
 * - Memory: a new in-memory store, master data loaded.
 * - SQLite: a file in the OS temp directory, opened as `rulepack run --db`
 *   opens it (WAL, synchronous NORMAL). Each pass copies a migrated file that
 *   already holds the master data, opens it, and closes and deletes it after,
 *   so no pass re-creates the schema.
 * Making the store (and closing the previous one) is done before each pass,
 * outside the timed region, for both sides; its cost alone is printed at
 * start-up.
 *
 * Before timing, each store runs one pass of both pipelines and compares them
 * message by message (state, error codes with their fields, actions); the
 * counts are printed, and the states' count is in the suite's name.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { Outcome } from "../../engine/model/outcome.js";
import { receiveBytes } from "../../engine/queue/intake.js";
import { createMemoryStore } from "../../engine/store/memory.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { LocalStore as Store } from "../../engine/store/types.js";
import { loadHarborAdt, receiveAdtBytes } from "../baselines/hand-written-adt.js";
import type { Corpus } from "../corpus.js";
import { loadHarbor } from "../harbor.js";
import { consume, type Goal, type Suite } from "../harness.js";
import { SQLITE_GOAL } from "../sqlite-against-memory.js";

/** Issue 18's goals. */
const IN_MEMORY_GOAL: Goal = {
  maxRatio: 1.5,
  minPerCpuSecond: 5000,
  statement: "issue 18: <= 1.5x the hand-written pipeline, >= 5,000 ADT msg/cpu-s in memory",
};
const INTERPRETER_GOAL: Goal = {
  maxRatio: 1.5,
  statement: "issue 18: <= 1.5x the hand-written pipeline",
};

/** The run's clock, as in the README's `--now`. */
const NOW = new Date("2026-11-25T12:00:00Z");
const STORES = ["memory", "sqlite"] as const;
type StoreKind = (typeof STORES)[number];

interface Job {
  readonly sender: string;
  readonly bytes: Uint8Array;
}

interface Agreement {
  readonly messages: number;
  readonly states: number;
  readonly errors: number;
  readonly actions: number;
  readonly processed: { readonly interpreter: number; readonly handWritten: number };
  /** Files whose outcomes differ, and what differs. */
  readonly differing: readonly string[];
}

/** Outcome by outcome (the same messages in the same order): what agrees. */
function compare(
  jobs: readonly Job[],
  interpreter: readonly Outcome[],
  handWritten: readonly Outcome[],
): Agreement {
  let states = 0;
  let errors = 0;
  let actions = 0;
  const differing: string[] = [];
  const errorList = (o: Outcome | undefined) =>
    (o?.errors ?? []).map((e) => `${e.code}(${e.field ?? ""})`).join(",");
  const count = Math.max(interpreter.length, handWritten.length);
  for (let i = 0; i < count; i++) {
    const a = interpreter[i];
    const b = handWritten[i];
    const what: string[] = [];
    if (a?.state === b?.state) states++;
    else what.push(`state ${a?.state} vs ${b?.state}`);
    if (errorList(a) === errorList(b)) errors++;
    else what.push(`errors ${errorList(a)} vs ${errorList(b)}`);
    if (isDeepStrictEqual(a?.actions, b?.actions)) actions++;
    else what.push("actions");
    if (what.length > 0) differing.push(`${jobs[i]?.sender ?? `#${i}`}: ${what.join("; ")}`);
  }
  const processed = (list: readonly Outcome[]) =>
    list.filter((o) => o.state === "PROCESSED").length;
  return {
    messages: count,
    states,
    errors,
    actions,
    processed: { interpreter: processed(interpreter), handWritten: processed(handWritten) },
    differing,
  };
}

function describe(kind: StoreKind, a: Agreement): string {
  return (
    `  ${kind}: hand-written vs receiveBytes agree on ${a.states}/${a.messages} states, ` +
    `${a.errors}/${a.messages} error lists, ${a.actions}/${a.messages} action lists ` +
    `(PROCESSED ${a.processed.interpreter} interpreter, ${a.processed.handWritten} hand-written)\n` +
    a.differing.map((d) => `    differs: ${d}\n`).join("")
  );
}

export async function adtPipelineSuites(corpus: Corpus): Promise<Suite[]> {
  const adt = corpus.files.filter((f) => f.name.startsWith("ADT_"));
  if (adt.length === 0) {
    process.stdout.write("adt pipeline: skipped (no ADT_* files in the corpus)\n");
    return [];
  }
  const practice = loadHarbor("adt pipeline");
  if (!practice) return [];
  const { pack, masterData } = practice;
  const harbor = loadHarborAdt(process.cwd(), masterData);
  const jobs: Job[] = adt.map((f) => ({ sender: `file:${f.name}`, bytes: f.bytes }));
  const messages = adt.reduce((n, f) => n + f.messages, 0);

  const dir = mkdtempSync(join(tmpdir(), "rulepack-bench-adt-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const template = join(dir, "template.sqlite");
  const made = openSqliteStore(template);
  await made.loadMasterData(masterData);
  await made.close();
  let files = 0;

  /** A fresh store; `done` closes it (and deletes its file). */
  const fresh = async (kind: StoreKind): Promise<{ store: Store; done(): Promise<void> }> => {
    if (kind === "memory") {
      const store = createMemoryStore();
      await store.loadMasterData(masterData);
      return { store, done: () => store.close() };
    }
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
  };
  const options = (job: Job) => ({ now: NOW, sender: job.sender });
  type Pipeline = (store: Store) => Promise<Outcome[]>;
  const interpreterOn: Pipeline = async (store) => {
    const outcomes: Outcome[] = [];
    for (const job of jobs)
      outcomes.push(...(await receiveBytes(pack, store, job.bytes, options(job))));
    return outcomes;
  };
  const handWrittenOn: Pipeline = async (store) => {
    const outcomes: Outcome[] = [];
    for (const job of jobs)
      outcomes.push(...(await receiveAdtBytes(harbor, store, job.bytes, options(job))));
    return outcomes;
  };
  /** One whole pass on a fresh store, set-up included (the agreement check). */
  const pass = async (kind: StoreKind, pipeline: Pipeline): Promise<Outcome[]> => {
    const { store, done } = await fresh(kind);
    try {
      return await pipeline(store);
    } finally {
      await done();
    }
  };
  const interpreterPass = (kind: StoreKind) => pass(kind, interpreterOn);
  const handWrittenPass = (kind: StoreKind) => pass(kind, handWrittenOn);

  const agreement = {} as Record<StoreKind, Agreement>;
  const setupMicros = {} as Record<StoreKind, number>;
  for (const kind of STORES) {
    agreement[kind] = compare(jobs, await interpreterPass(kind), await handWrittenPass(kind));
    const rounds = kind === "memory" ? 200 : 50;
    const start = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) await (await fresh(kind)).done();
    setupMicros[kind] = Number(process.hrtime.bigint() - start) / 1e3 / rounds;
  }
  process.stdout.write(
    `adt pipeline: ${messages} messages of ${adt.length} ADT_* files per pass, Harbor pack, a fresh store per pass ` +
      `(making it: ${setupMicros.memory.toFixed(0)} µs memory, ${setupMicros.sqlite.toFixed(0)} µs SQLite, outside the timed region)\n` +
      STORES.map((k) => describe(k, agreement[k])).join(""),
  );

  const processedOf = (outcomes: readonly Outcome[]) => {
    let n = 0;
    for (const o of outcomes) if (o.state === "PROCESSED") n++;
    consume(n);
    return outcomes.length;
  };
  /**
   * A timed side: its store is made (and the previous one closed) in
   * `prepare`, outside the timed region; `run` is the messages alone.
   */
  const timed = (name: string, kind: StoreKind, pipeline: Pipeline) => {
    let current: { store: Store; done(): Promise<void> } | undefined;
    process.once("beforeExit", () => current?.done());
    return {
      name,
      async prepare() {
        await current?.done();
        current = await fresh(kind);
      },
      async run() {
        if (!current) throw new Error("prepare() makes the store");
        return processedOf(await pipeline(current.store));
      },
    };
  };
  const perPass = (kind: StoreKind): Suite => {
    const label = kind === "memory" ? "in-memory store" : "SQLite store (temp file, WAL)";
    const a = agreement[kind];
    return {
      name: `inbound ADT pipeline, ${label}, fresh per pass (${messages} msgs; states agree ${a.states}/${a.messages})`,
      unit: "msg",
      unitsPerPass: messages,
      goal: kind === "memory" ? IN_MEMORY_GOAL : INTERPRETER_GOAL,
      baseline: timed(
        "hand-written Harbor ADT pipeline (synchronous, configuration in code)",
        kind,
        handWrittenOn,
      ),
      subject: timed("receiveBytes (Harbor pack, rule interpreter)", kind, interpreterOn),
    };
  };
  return [
    perPass("memory"),
    perPass("sqlite"),
    {
      name: `inbound ADT pipeline, SQLite against in-memory, fresh per pass (${messages} msgs)`,
      unit: "msg",
      unitsPerPass: messages,
      goal: SQLITE_GOAL,
      baseline: timed("receiveBytes on the in-memory store", "memory", interpreterOn),
      subject: timed(
        "receiveBytes on the SQLite store (WAL, synchronous NORMAL)",
        "sqlite",
        interpreterOn,
      ),
    },
  ];
}
