/**
 * Messages through the listener with workers (decision 0023), msgs/s; read
 * the wall-time ratio (the database is another process: this process's CPU
 * time says little). No goal is set: the listener on SQLite against the same listener on PostgreSQL,
 * then `serve --workers` on PostgreSQL with 2 and with 4 workers against 1
 * worker, in the same run. 4 MLLP senders, each sending its patients' A04
 * then A08 and waiting for each ACK. A throw-away PostgreSQL cluster is
 * started for the run (test/support/pg-cluster.ts: Debian's postgresql).
 *
 * Workload: 8 patients per pass, new patients and control IDs every pass.
 * After the run, each subject's completes and how many of them were refused
 * (StaleViewError: a key the decision read was written meanwhile, decision
 * 0037) and decided again.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeFrame, MllpDecoder } from "../engine/hl7/mllp.js";
import type { CompiledPack } from "../engine/pack/compiled.js";
import { startMllpServer } from "../engine/server/mllp-server.js";
import { startWorkers } from "../engine/server/workers.js";
import { StaleViewError } from "../engine/store/errors.js";
import { openPostgresStore } from "../engine/store/postgres.js";
import { openSqliteStore } from "../engine/store/sqlite.js";
import type { Store } from "../engine/store/types.js";
import { patientMessages } from "../test/server/patients.js";
import { startCluster } from "../test/support/pg-cluster.js";
import { loadHarbor } from "./harbor.js";
import { consume, type Subject, type Suite } from "./harness.js";

const PATIENTS_PER_PASS = 8;
const SENDERS = 4;
const closers: (() => Promise<void> | void)[] = [];
/** Completes and refusals per subject, printed by closeWorkerBench. */
const tallies = new Map<string, { completes: number; refused: number }>();

/** `store`, counting its completes and the StaleViewErrors among them under `name`. */
function counting(name: string, store: Store): Store {
  const tally = { completes: 0, refused: 0 };
  tallies.set(name, tally);
  return {
    ...store,
    async complete(outcome, completion, basedOn) {
      tally.completes++;
      try {
        return await store.complete(outcome, completion, basedOn);
      } catch (e) {
        if (e instanceof StaleViewError) tally.refused++;
        throw e;
      }
    },
  };
}

/** One connection: a message, then its ACK. */
async function openSender(port: number): Promise<(bytes: Uint8Array) => Promise<string>> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect({ port, host: "127.0.0.1" });
    s.setNoDelay(true);
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
  closers.unshift(() => {
    socket.destroy();
  });
  const decoder = new MllpDecoder();
  let waiting: ((ack: string) => void) | undefined;
  socket.on("data", (data: Buffer) => {
    for (const e of decoder.push(data))
      if (e.kind === "frame") waiting?.(Buffer.from(e.bytes).toString("latin1"));
  });
  return (bytes) =>
    new Promise((resolve) => {
      waiting = resolve;
      socket.write(encodeFrame(bytes));
    });
}

/** A listener on `store` (workers: that many claim loops, else the lane) and its 4 senders' pass. */
async function listenerSubject(
  name: string,
  pack: CompiledPack,
  store: Store,
  firstPatient: number,
  workers?: number,
): Promise<Subject> {
  store = counting(name, store);
  const pool =
    workers === undefined
      ? undefined
      : startWorkers({
          count: workers,
          store,
          pack: () => pack,
          now: () => new Date(),
          log: () => {},
        });
  const server = await startMllpServer({
    pack,
    store,
    port: 0,
    idleTimeoutMs: 0,
    ...(pool && { processFrame: pool.processFrame }),
  });
  closers.unshift(async () => {
    await server.close();
    await pool?.stop();
    await store.close();
  });
  const senders = await Promise.all(Array.from({ length: SENDERS }, () => openSender(server.port)));
  let passes = 0;
  return {
    name,
    async run() {
      const base = firstPatient + passes++ * PATIENTS_PER_PASS;
      await Promise.all(
        senders.map(async (send, s) => {
          for (let p = s; p < PATIENTS_PER_PASS; p += SENDERS) {
            const m = patientMessages(base + p);
            consume((await send(Buffer.from(m.a04, "latin1"))).length);
            consume((await send(Buffer.from(m.a08, "latin1"))).length);
          }
        }),
      );
      return PATIENTS_PER_PASS * 2;
    },
  };
}

export async function workerSuites(): Promise<Suite[]> {
  const load = loadHarbor("listener with workers");
  if (!load) return [];
  const cluster = await startCluster();
  closers.push(() => cluster.stop());
  const dir = mkdtempSync(join(tmpdir(), "rulepack-bench-workers-"));
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  let schemas = 0;
  const postgres = async (): Promise<Store> => {
    const url = new URL(cluster.url);
    url.searchParams.set("schema", `bench_${++schemas}`);
    const store = openPostgresStore(url.toString());
    if (load.masterData) await store.loadMasterData(load.masterData);
    return store;
  };
  const sqlite = openSqliteStore(join(dir, "queue.sqlite"));
  if (load.masterData) await sqlite.loadMasterData(load.masterData);
  // Patients are numbered apart per subject: each store sees only new patients.
  const subject = (name: string, store: Store, n: number, workers?: number) =>
    listenerSubject(name, load.pack, store, n * 1_000_000 + 1, workers);
  const messages = PATIENTS_PER_PASS * 2;
  const unit = { unit: "msg", unitsPerPass: messages } as const;
  const oneWorker = await subject("serve --workers 1, PostgreSQL", await postgres(), 3, 1);
  return [
    {
      name: `listener, SQLite vs PostgreSQL (${messages} msgs per pass, ${SENDERS} senders, one in flight each)`,
      ...unit,
      baseline: await subject("the lane on SQLite", sqlite, 1),
      subject: await subject("the lane on PostgreSQL", await postgres(), 2),
    },
    {
      name: `serve --workers on PostgreSQL: 2 workers vs 1 (${messages} msgs per pass, ${SENDERS} senders)`,
      ...unit,
      baseline: oneWorker,
      subject: await subject("serve --workers 2, PostgreSQL", await postgres(), 4, 2),
    },
    {
      name: `serve --workers on PostgreSQL: 4 workers vs 1 (${messages} msgs per pass, ${SENDERS} senders)`,
      ...unit,
      baseline: oneWorker,
      subject: await subject("serve --workers 4, PostgreSQL", await postgres(), 5, 4),
    },
  ];
}

/** Close the listeners, stores, the cluster and the temp dir (run.ts calls it after the last suite). */
export async function closeWorkerBench(): Promise<void> {
  for (const close of closers.splice(0)) await close();
  for (const [name, t] of tallies) {
    process.stdout.write(
      `${name}: ${t.completes} completes, ${t.refused} refused and decided again (warm-up and rounds)\n`,
    );
  }
  tallies.clear();
}
