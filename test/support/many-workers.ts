import { type ChildProcess, spawn } from "node:child_process";
import { connect, type Socket } from "node:net";
import { encodeFrame, MllpDecoder } from "../../engine/hl7/mllp.js";
import type { Outcome } from "../../engine/model/outcome.js";
import { loadPractice } from "../../engine/pack/practice-load.js";
import { receiveBytes } from "../../engine/queue/intake.js";
import { createMemoryStore } from "../../engine/store/memory.js";
import { openPostgresStore } from "../../engine/store/postgres.js";
import type { StoredMessage } from "../../engine/store/types.js";
import { patientMessages } from "../server/patients.js";
import { seeded } from "./seeded.js";

/**
 * Many workers on one PostgreSQL database, killed (test/server/many-workers.test.ts,
 * `npm run soak`): `processes` real `rulepack serve --workers` processes
 * share one database; `senders` MLLP senders send `messages` generated
 * messages over `patients` patients (each patient's A04 then A08s, every
 * patient on one sender, a window of frames in flight), each resending what
 * was not ACKed to another process when its connection dies. Processes are
 * killed with SIGKILL at seeded moments and replaced. At the end: every
 * ACKed message is stored once, in a final state, with the ACK the sender
 * holds; each claimed message was completed as received once; each
 * patient's outcomes equal a single lane's over the same messages (store
 * IDs renamed by first appearance, times left out).
 */
export interface ManyWorkersOptions {
  readonly url: string;
  readonly pack: string;
  readonly processes: number;
  readonly workersPerProcess: number;
  readonly messages: number;
  readonly patients: number;
  readonly senders: number;
  /** Kill a process (SIGKILL) at these fractions of the ACKs (0..1). */
  readonly killAt: readonly number[];
  readonly seed: number;
  readonly leaseSeconds: number;
  /** Frames a sender has in flight at once. */
  readonly window?: number;
  readonly log?: (line: string) => void;
}

export interface ManyWorkersReport {
  readonly figures: Readonly<Record<string, number>>;
  /** What did not hold; empty when everything did. */
  readonly problems: readonly string[];
}

interface Message {
  readonly patient: number;
  readonly controlId: string;
  readonly text: string;
}

/** test/server/patients.ts names patient k SURNAMES[k % 8] plus a letter. */
const SURNAMES = ["ADAMS", "BAKER", "CLARK", "DAVIS", "EVANS", "FOSTER", "GARCIA", "HUGHES"];

/**
 * Patient k's A04 and A08 (test/server/patients.ts) with a surname and a
 * birth date of its own: that file's names and dates repeat past a few dozen
 * patients, and patients the matcher may take for one another would make a
 * patient's outcomes depend on the order of others.
 */
function distinctPatient(k: number): { readonly a04: string; readonly a08: string } {
  const { a04, a08 } = patientMessages(k);
  const name = `${SURNAMES[k % SURNAMES.length]}${String.fromCharCode(65 + (Math.floor(k / 8) % 26))}^`;
  let code = (k * 2_654_435_761) % 11_881_376; // 26^5: five letters per patient, spread apart
  let surname = "";
  for (let i = 0; i < 5; i++) {
    surname += String.fromCharCode(65 + (code % 26));
    code = Math.floor(code / 26);
  }
  const dob = `19${50 + (k % 40)}0${1 + (k % 9)}1${k % 10}`;
  const year = 1930 + ((k * 37) % 70);
  const day = `${year}${String(1 + ((k * 5) % 12)).padStart(2, "0")}${String(1 + ((k * 11) % 28)).padStart(2, "0")}`;
  const own = (text: string) => text.replaceAll(name, `${surname}^`).replaceAll(dob, day);
  return { a04: own(a04), a08: own(a08) };
}

/** Patient k's messages: its A04, then A08s each moving the address (order matters). */
export function patientStream(k: number, count: number): Message[] {
  const n = String(k).padStart(5, "0");
  const { a04, a08 } = distinctPatient(k);
  const out: Message[] = [{ patient: k, controlId: `P${n}A04`, text: a04 }];
  for (let j = 1; j < count; j++) {
    const controlId = `P${n}U${String(j).padStart(3, "0")}`;
    out.push({
      patient: k,
      controlId,
      text: a08
        .replace(`|P${n}A08|`, `|${controlId}|`)
        .replace(`${k} OAK ST`, `${k} OAK ST APT ${j}`),
    });
  }
  return out;
}

/** The senders' queues: patient k on sender k % senders, its messages in order, patients interleaved. */
export function senderQueues(messages: number, patients: number, senders: number): Message[][] {
  const perPatient = Math.max(1, Math.floor(messages / patients));
  const streams = Array.from({ length: patients }, (_, i) => patientStream(i + 1, perPatient));
  return Array.from({ length: senders }, (_, s) => {
    const mine = streams.filter((_, i) => i % senders === s);
    const queue: Message[] = [];
    for (let j = 0; j < perPatient; j++)
      for (const stream of mine) queue.push(stream[j] as Message);
    return queue;
  });
}

interface Server {
  readonly id: number;
  readonly child: ChildProcess;
  readonly port: Promise<number>;
  readonly exit: Promise<number | null>;
  alive: boolean;
  readonly stderr: () => string;
}

function startServer(id: number, o: ManyWorkersOptions): Server {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "engine/cli.ts",
      "serve",
      "--pack",
      o.pack,
      "--mllp",
      "0",
      "--db",
      o.url,
      "--workers",
      String(o.workersPerProcess),
      "--lease",
      String(o.leaseSeconds),
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RULEPACK_CRASH_AT: "" } },
  );
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += String(d);
  });
  const server: Server = {
    id,
    child,
    alive: true,
    stderr: () => stderr,
    exit: new Promise((resolve) =>
      child.on("exit", (code, signal) => {
        server.alive = false;
        resolve(signal ? null : code);
      }),
    ),
    port: new Promise((resolve, reject) => {
      let stdout = "";
      child.stdout?.on("data", (d) => {
        stdout += String(d);
        const m = /ready port=(\d+)/.exec(stdout);
        if (m) resolve(Number(m[1]));
      });
      child.on("exit", () => reject(new Error(`serve ${id} exited before ready:\n${stderr}`)));
    }),
  };
  server.port.catch(() => {});
  return server;
}

/** One sender: a connection to a live server, `window` frames in flight, resending on a lost one. */
async function runSender(
  queue: Message[],
  pickServer: () => Promise<Server>,
  window: number,
  onAck: (m: Message, ack: string) => void,
  tally: { sent: number; reconnects: number },
): Promise<void> {
  while (queue.length > 0) {
    const server = await pickServer();
    const port = await server.port.catch(() => undefined);
    if (port === undefined) continue;
    await new Promise<void>((resolve) => {
      const socket: Socket = connect({ port, host: "127.0.0.1" });
      const decoder = new MllpDecoder();
      let inFlight = 0;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        socket.destroy();
        resolve();
      };
      const fill = () => {
        while (!finished && inFlight < window && inFlight < queue.length) {
          const m = queue[inFlight] as Message;
          inFlight += 1;
          tally.sent += 1;
          socket.write(encodeFrame(Buffer.from(m.text, "latin1")));
        }
        if (queue.length === 0) finish();
      };
      socket.on("connect", fill);
      socket.on("data", (data) => {
        for (const e of decoder.push(data)) {
          if (e.kind !== "frame") continue;
          const m = queue.shift() as Message;
          inFlight -= 1;
          onAck(m, Buffer.from(e.bytes).toString("latin1"));
        }
        fill();
      });
      socket.on("close", finish);
      socket.on("error", finish);
    });
    if (queue.length > 0) tally.reconnects += 1;
  }
}

/** The outcome with store-assigned IDs renamed by first appearance and times left out. */
function normalized(outcomes: readonly Outcome[]): string[] {
  const names = new Map<string, string>();
  const rename = (value: string) => {
    let name = names.get(value);
    if (!name) {
      name = `#${names.size + 1}`;
      names.set(value, name);
    }
    return name;
  };
  const idKey = /^(id|patientId|appointmentId|claimId|messageId|guarantorId)$/;
  return outcomes.map((o) =>
    JSON.stringify({ ...o, messageId: "", trace: [] }, (key, value) => {
      if (typeof value !== "string") return value;
      if (idKey.test(key) || /^q-\d+$/.test(value)) return rename(value);
      return value
        .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, "<time>")
        .replace(/q-\d{6,}/g, (id) => rename(id));
    }),
  );
}

export async function runManyWorkers(o: ManyWorkersOptions): Promise<ManyWorkersReport> {
  const log = o.log ?? (() => {});
  const random = seeded(o.seed);
  const started = process.hrtime.bigint();
  const queues = senderQueues(o.messages, o.patients, o.senders);
  const all = queues.flat();
  const total = all.length;
  const servers: Server[] = [];
  let nextId = 0;
  const spawnOne = () => {
    const server = startServer(++nextId, o);
    servers.push(server);
    return server;
  };
  for (let i = 0; i < o.processes; i++) spawnOne();
  await Promise.all(servers.map((s) => s.port));
  log(`many-workers: ${o.processes} serve processes ready`);

  let turn = 0;
  const pickServer = async (): Promise<Server> => {
    for (;;) {
      const live = servers.filter((s) => s.alive);
      if (live.length > 0) return live[turn++ % live.length] as Server;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const acks = new Map<string, string>();
  const kills = [...o.killAt].sort((a, b) => a - b).map((f) => Math.floor(f * total));
  let killed = 0;
  const onAck = (m: Message, ack: string) => {
    acks.set(m.controlId, ack);
    if (acks.size % 500 === 0) log(`many-workers: ${acks.size} ACKs`);
    while (killed < kills.length && acks.size >= (kills[killed] as number)) {
      killed += 1;
      const live = servers.filter((s) => s.alive);
      const victim = live[Math.floor(random() * live.length)];
      if (!victim) continue;
      log(`many-workers: kill -9 serve ${victim.id} at ${acks.size} ACKs`);
      victim.child.kill("SIGKILL");
      victim.alive = false;
      spawnOne();
    }
  };
  const tally = { sent: 0, reconnects: 0 };
  await Promise.all(queues.map((q) => runSender(q, pickServer, o.window ?? 4, onAck, tally)));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  // A replacement still starting is let start, so that SIGTERM drains it.
  await Promise.all(servers.filter((x) => x.alive).map((x) => x.port.catch(() => 0)));
  for (const s of servers.filter((x) => x.alive)) s.child.kill("SIGTERM");
  const exits = await Promise.all(servers.map((s) => s.exit));
  const stderr = servers.map((s) => s.stderr()).join("");

  const problems: string[] = [];
  const store = openPostgresStore(o.url);
  let stored: readonly StoredMessage[];
  let receiveAttempts = 0;
  try {
    stored = await store.messages();
    const originals = stored.filter((m) => m.duplicateOf === undefined);
    const byControl = new Map<string, StoredMessage[]>();
    for (const m of originals)
      byControl.set(m.controlId, [...(byControl.get(m.controlId) ?? []), m]);
    if (acks.size !== total) problems.push(`ACKed ${acks.size} of ${total}`);
    for (const m of all) {
      const found = byControl.get(m.controlId) ?? [];
      if (found.length !== 1)
        problems.push(`${m.controlId} stored ${found.length} times as an original`);
      const original = found[0];
      if (!original) continue;
      if (original.state === "NEW") problems.push(`${m.controlId} is still NEW`);
      if (acks.get(m.controlId) !== original.ack)
        problems.push(`${m.controlId}: the sender's ACK is not the stored one`);
    }
    for (const m of stored.filter((x) => x.state === "NEW"))
      problems.push(`${m.messageId} ${m.controlId} left NEW`);
    for (const m of originals) {
      const received = (await store.attempts(m.messageId)).filter((a) => a.kind === "receive");
      receiveAttempts += received.length;
      if (received.length !== 1)
        problems.push(`${m.controlId} completed as received ${received.length} times`);
    }

    // A single lane over the same messages, each patient's in order.
    const load = loadPractice(o.pack);
    if (!load.ok) throw new Error(load.errors.join("\n"));
    const lane = createMemoryStore();
    if (load.masterData) await lane.loadMasterData(load.masterData);
    const single = new Map<number, Outcome[]>();
    const now = new Date("2026-01-01T00:00:00Z");
    for (const queue of senderQueues(o.messages, o.patients, o.senders)) {
      for (const m of queue) {
        const [outcome] = await receiveBytes(load.pack, lane, Buffer.from(m.text, "latin1"), {
          now,
          sender: "lane",
        });
        if (outcome) single.set(m.patient, [...(single.get(m.patient) ?? []), outcome]);
      }
    }
    const createsOf = (outcomes: readonly Outcome[]) =>
      outcomes.flatMap((x) => x.actions.filter((a) => a.type === "patient.create")).length;
    const creates = createsOf(originals.map((m) => m.outcome as Outcome));
    const laneCreates = createsOf([...single.values()].flat());
    if (creates !== laneCreates)
      problems.push(`${creates} patients created, the single lane created ${laneCreates}`);
    let differing = 0;
    for (let k = 1; k <= o.patients; k++) {
      const prefix = `P${String(k).padStart(5, "0")}`;
      const mine = originals
        .filter((m) => m.controlId.startsWith(prefix))
        .map((m) => m.outcome as Outcome);
      const a = normalized(mine);
      const b = normalized(single.get(k) ?? []);
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        differing += 1;
        if (differing <= 3) {
          const i = a.findIndex((x, j) => x !== b[j]);
          problems.push(
            `patient ${k} differs from the single lane at message ${i}:\n  ${a[i]}\n  ${b[i]}`,
          );
        }
      }
    }
    if (differing > 3) problems.push(`${differing} patients differ from the single lane`);
    const stoppedBadly = exits.filter(
      (e, i) => e !== null && e !== 0 && servers[i]?.alive !== false,
    );
    if (exits.filter((e) => e !== null && e !== 0).length > 0)
      problems.push(`serve exited ${exits.join(",")} (${stoppedBadly.length} after SIGTERM)`);
    const figures = {
      messages: total,
      patients: o.patients,
      senders: o.senders,
      processes: o.processes,
      workersPerProcess: o.workersPerProcess,
      kills: kills.length,
      sent: tally.sent,
      reconnects: tally.reconnects,
      stored: stored.length,
      duplicates: stored.length - originals.length,
      receiveAttempts,
      patientsCreated: creates,
      poisoned: originals.filter((m) => m.outcome?.errors.some((e) => e.code === "POISON_MESSAGE"))
        .length,
      leaseLost: (stderr.match(/finished by another worker/g) ?? []).length,
      seconds: Math.round(elapsed * 10) / 10,
      messagesPerSecond: Math.round(total / elapsed),
    };
    return { figures, problems };
  } finally {
    await store.close();
  }
}
