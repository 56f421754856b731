import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeFrame, MllpDecoder } from "../../engine/hl7/mllp.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import { seeded } from "../support/seeded.js";
import { SERVE_PACK } from "./helpers.js";
import { patientMessages } from "./patients.js";

/**
 * Kill and restart (loopback only, bounded): the built listener runs as its
 * own `node` process; concurrent senders send their patients' A04 then A08,
 * one at a time, each resending what was not ACKed. The listener is killed
 * with SIGKILL at the three fixed crash points (RULEPACK_CRASH_AT) and at
 * seeded random moments, then restarted (crash recovery runs) until every
 * message is ACKed. Then: every ACKed message is stored in a final state,
 * none was processed twice (a resend of a processed message is a DUPLICATE
 * answered with the original's stored ACK), and every patient exists once.
 */

const CLI = "dist/engine/cli.js";
const SENDERS = 4;
const PATIENTS_PER_SENDER = 4;
const root = mkdtempSync(join(tmpdir(), "rulepack-kill-restart-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

beforeAll(async () => {
  const built = (() => {
    try {
      return statSync(CLI).mtimeMs;
    } catch {
      return 0;
    }
  })();
  if (built < newest("engine")) {
    const r = spawnSync("npm", ["run", "build"], { encoding: "utf8", timeout: 170_000 });
    if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
  }
}, 180_000);

interface Listener {
  readonly port: number;
  readonly exit: Promise<number | null>;
  readonly child: ChildProcess;
  readonly stderr: () => string;
}

function startListener(db: string, crashAt?: string): Promise<Listener> {
  const env = { ...process.env };
  delete env.RULEPACK_CRASH_AT;
  if (crashAt) env.RULEPACK_CRASH_AT = crashAt;
  const child = spawn(
    process.execPath,
    [CLI, "serve", "--pack", SERVE_PACK, "--mllp", "0", "--db", db],
    { stdio: ["ignore", "pipe", "pipe"], env },
  );
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += String(d);
  });
  const exit = new Promise<number | null>((resolve) =>
    child.on("exit", (code, signal) => resolve(signal ? null : code)),
  );
  return new Promise((resolve, reject) => {
    let stdout = "";
    child.stdout?.on("data", (d) => {
      stdout += String(d);
      const m = /ready port=(\d+)/.exec(stdout);
      if (m) resolve({ port: Number(m[1]), exit, child, stderr: () => stderr });
    });
    void exit.then(() => reject(new Error(`the listener exited before it was ready:\n${stderr}`)));
  });
}

interface Message {
  readonly controlId: string;
  readonly text: string;
}

interface Tally {
  sent: number;
  /** The ACK each message got, by control ID (the last one, for a resend). */
  readonly acks: Map<string, string>;
  onAck?: () => void;
}

/** One connection: a message, then wait for its ACK (or the connection's end). */
function exchange(socket: Socket, decoder: MllpDecoder, message: Message): Promise<string | null> {
  return new Promise((resolve) => {
    const onData = (data: Buffer) => {
      const frame = decoder.push(data).find((e) => e.kind === "frame");
      if (frame?.kind === "frame") done(Buffer.from(frame.bytes).toString("latin1"));
    };
    const onEnd = () => done(null);
    const done = (ack: string | null) => {
      socket.off("data", onData);
      socket.off("close", onEnd);
      socket.off("error", onEnd);
      resolve(ack);
    };
    socket.on("data", onData);
    socket.on("close", onEnd);
    socket.on("error", onEnd);
    socket.write(encodeFrame(Buffer.from(message.text, "latin1")));
  });
}

/** Send the queue's messages in order until it is empty or the listener goes away. */
async function sender(port: number, queue: Message[], tally: Tally): Promise<void> {
  const socket = connect({ port, host: "127.0.0.1" });
  const decoder = new MllpDecoder();
  const connected = await new Promise<boolean>((resolve) => {
    socket.once("connect", () => resolve(true));
    socket.once("error", () => resolve(false));
  });
  while (connected && queue.length > 0) {
    const message = queue[0] as Message;
    tally.sent += 1;
    const ack = await exchange(socket, decoder, message);
    if (ack === null) break;
    tally.acks.set(message.controlId, ack);
    queue.shift();
    tally.onAck?.();
  }
  socket.destroy();
}

type Round = { readonly crashAt: string } | { readonly killAfterAcks: number } | "clean";

describe("kill and restart", () => {
  it("loses no ACKed message and processes none twice across SIGKILLs", async () => {
    const db = join(root, "queue.sqlite");
    const random = seeded(20_260_301);
    const queues: Message[][] = Array.from({ length: SENDERS }, (_, s) =>
      Array.from({ length: PATIENTS_PER_SENDER }, (_, i) => {
        const k = s * PATIENTS_PER_SENDER + i + 1;
        const { a04, a08 } = patientMessages(k);
        const id = `P${String(k).padStart(5, "0")}`;
        return [
          { controlId: `${id}A04`, text: a04 },
          { controlId: `${id}A08`, text: a08 },
        ];
      }).flat(),
    );
    const total = queues.flat().length;
    const tally: Tally = { sent: 0, acks: new Map() };
    const rounds: Round[] = [
      { crashAt: "after-store@2" },
      { crashAt: "after-process@3" },
      { crashAt: "before-ack@2" },
      { killAfterAcks: 1 + Math.floor(random() * 4) },
      { killAfterAcks: 1 + Math.floor(random() * 4) },
      "clean",
    ];
    let recovered = 0;
    for (const round of rounds) {
      const listener = await startListener(
        db,
        typeof round === "object" && "crashAt" in round ? round.crashAt : undefined,
      );
      let acked = 0;
      tally.onAck = () => {
        acked += 1;
        if (typeof round === "object" && "killAfterAcks" in round && acked === round.killAfterAcks)
          listener.child.kill("SIGKILL");
      };
      // A round ends by what happens in it, never by a clock: the senders stop
      // when the listener dies (their connections end) or have nothing left.
      await Promise.all(queues.map((q) => sender(listener.port, q, tally)));
      if (round === "clean") {
        listener.child.kill("SIGTERM");
        expect(await listener.exit).toBe(0);
      } else {
        // Killed. A round whose senders ran out of messages first is killed here.
        if (queues.every((q) => q.length === 0)) listener.child.kill("SIGKILL");
        expect(await listener.exit).toBeNull();
      }
      recovered += Number(/recovery recovered=(\d+)/.exec(listener.stderr())?.[1] ?? 0);
    }
    expect(queues.flat()).toEqual([]);

    const store = openSqliteStore(db);
    try {
      const stored = await store.messages();
      const originals = stored.filter((m) => m.duplicateOf === undefined);
      const duplicates = stored.filter((m) => m.duplicateOf !== undefined);
      // Every message was ACKed, is stored once as an original, in a final state.
      expect(tally.acks.size).toBe(total);
      expect(originals.map((m) => m.controlId).sort()).toEqual([...tally.acks.keys()].sort());
      expect(stored.filter((m) => m.state !== "PROCESSED")).toEqual([]);
      // Each ACK the sender holds is the one stored with the original.
      for (const m of originals) expect(tally.acks.get(m.controlId)).toBe(m.ack);
      // Resends were answered from the store, not processed again.
      for (const d of duplicates) {
        expect(d.outcome?.actions).toEqual([]);
        expect(d.ack).toBe((await store.message(d.duplicateOf ?? ""))?.ack);
      }
      // One patient per A04; each A08 updated its patient (order kept).
      const patients = total / 2;
      expect(store.patientById(String(1000 + patients))).toBeDefined();
      expect(store.patientById(String(1001 + patients))).toBeUndefined();
      for (const m of originals.filter((x) => x.controlId.endsWith("A08")))
        expect(m.outcome?.actions.map((a) => a.type)).toContain("patient.update");
      expect(recovered).toBeGreaterThan(0);
      expect(duplicates.length).toBeGreaterThan(0);
      console.log(
        `kill-restart: rounds=${rounds.length} sent=${tally.sent} acked=${tally.acks.size} stored=${stored.length} duplicates=${duplicates.length} recovered=${recovered}`,
      );
    } finally {
      await store.close();
    }
  }, 60_000);
});
