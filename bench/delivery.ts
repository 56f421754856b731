/**
 * Outbound delivery, msgs/s: the sender (engine/delivery/sender.ts) taking
 * queued messages from a SQLite store, one in flight, each written framed
 * and its ACK read and recorded (claim + finish: two transactions per
 * message), to the independent python-hl7 receiver and to our own listener
 * (`startMllpServer`, storing and processing each one), against the same
 * sender writing the same frames to a socket that ACKs instantly, in the
 * same run. The ratio is what the receiver's side costs the sender.
 *
 * Workload: 32 SIU messages for 8 patients queued per pass (the queueing
 * is in every side's time alike), sent with `--once` semantics.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { realDeliveryClock } from "../engine/cli/delivery-clock.js";
import { startSender } from "../engine/delivery/sender.js";
import { encodeFrame, MllpDecoder } from "../engine/hl7/mllp.js";
import type { DeliveryOptions, DeliveryReceiver } from "../engine/pack/delivery-options.js";
import { startMllpServer } from "../engine/server/mllp-server.js";
import { openSqliteStore } from "../engine/store/sqlite.js";
import type { Store } from "../engine/store/types.js";
import { loadHarbor } from "./harbor.js";
import { consume, type Suite } from "./harness.js";

const PER_PASS = 32;
const PATIENTS = 8;
const closers: (() => Promise<void> | void)[] = [];
let sequence = 0;

async function queuePass(store: Store): Promise<void> {
  for (let i = 0; i < PER_PASS; i++) {
    const patient = String(1001 + (i % PATIENTS));
    await store.queueOutbound("bench", (n) => {
      const controlId = `BEN${++sequence}`;
      return {
        raw: new TextEncoder().encode(
          `MSH|^~\\&|RULEPACK|19591|PM|HARBOR|20260301120000||SIU^S12^SIU_S12|${controlId}|P|2.5.1\rSCH|A${n}|${n}||||ROUTINE\rPID|1||${patient}^^^HARBOR^MR||DOE^JANE||19800214|F\r`,
        ),
        receivedAt: "2026-03-01T12:00:00.000Z",
        sender: "outbound:bench",
        controlId,
        messageType: "SIU^S12",
        patientKey: patient,
      };
    });
  }
}

function options(port: number): DeliveryOptions & { receiver: DeliveryReceiver } {
  return {
    receiver: { host: "127.0.0.1", port, name: `127.0.0.1:${port}` },
    connectTimeoutMs: 5000,
    ackTimeoutMs: 10_000,
    retry: { initialMs: 100, factor: 2, maxMs: 1000 },
    maxAttempts: 10,
    ackMode: "original",
    ordering: "queue",
    connections: 1,
    timeZone: "UTC",
    unreachableAlertMinutes: 0,
  };
}

/** A receiver that answers AA to every frame at once, MSA-2 its MSH-10. */
async function instantAcker(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    const decoder = new MllpDecoder();
    socket.on("data", (data: Buffer) => {
      for (const e of decoder.push(data)) {
        if (e.kind !== "frame") continue;
        const text = Buffer.from(e.bytes).toString("latin1");
        const control = text.slice(0, text.indexOf("\r")).split("|")[9] ?? "";
        socket.write(
          encodeFrame(`MSH|^~\\&|ACK|X|R|X|20260301||ACK|A|P|2.5.1\rMSA|AA|${control}\r`),
        );
      }
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : 0 };
}

async function pythonReceiver(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn("/usr/bin/python3", ["test/support/hl7-receiver.py", "--port", "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = "";
    child.stdout?.on("data", (d) => {
      buffer += String(d);
      const m = /ready port=(\d+)/.exec(buffer);
      if (m) resolve(Number(m[1]));
      if (buffer.length > 1_000_000) buffer = buffer.slice(-1000);
    });
    child.once("exit", (code) => reject(new Error(`the python receiver exited (${code})`)));
  });
  return { child, port };
}

/** One pass: queue the messages, send them all, check every one was delivered. */
async function deliverPass(store: Store, port: number): Promise<number> {
  await queuePass(store);
  const summary = await startSender({
    store,
    delivery: options(port),
    clock: realDeliveryClock,
    once: true,
  }).done;
  if (summary.acknowledged !== PER_PASS) {
    throw new Error(`a pass delivered ${summary.acknowledged} of ${PER_PASS}`);
  }
  consume(summary.acknowledged);
  return PER_PASS;
}

export async function deliverySuites(): Promise<Suite[]> {
  const dir = mkdtempSync(join(tmpdir(), "rulepack-bench-delivery-"));
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  const store = (name: string) => {
    const s = openSqliteStore(join(dir, `${name}.sqlite`));
    closers.unshift(() => s.close());
    return s;
  };
  const instant = await instantAcker();
  closers.unshift(() => new Promise<void>((r) => instant.server.close(() => r())));
  const python = await pythonReceiver();
  closers.unshift(() => {
    python.child.kill("SIGKILL");
  });
  const baseline = {
    name: "the sender to a socket that ACKs at once (framing, claim, ACK read, finish)",
    run: (() => {
      const s = store("instant");
      return () => deliverPass(s, instant.port);
    })(),
  };
  const suites: Suite[] = [
    {
      name: `outbound delivery to python-hl7's MLLP receiver (${PER_PASS} msgs per pass, one in flight)`,
      unit: "msg",
      unitsPerPass: PER_PASS,
      baseline,
      subject: {
        name: "the sender to test/support/hl7-receiver.py (python-hl7 asyncio, AA)",
        run: (() => {
          const s = store("python");
          return () => deliverPass(s, python.port);
        })(),
      },
    },
  ];
  const harbor = loadHarbor("delivery to rulepack serve");
  if (harbor) {
    const served = openSqliteStore(join(dir, "served.sqlite"));
    if (harbor.masterData) await served.loadMasterData(harbor.masterData);
    const server = await startMllpServer({
      pack: harbor.pack,
      store: served,
      port: 0,
      idleTimeoutMs: 0,
    });
    closers.unshift(async () => {
      await server.close();
      await served.close();
    });
    suites.push({
      name: `outbound delivery to rulepack serve's listener (${PER_PASS} msgs per pass, one in flight)`,
      unit: "msg",
      unitsPerPass: PER_PASS,
      baseline,
      subject: {
        name: "the sender to startMllpServer (Harbor, SQLite: store, process, ACK)",
        run: (() => {
          const s = store("serve");
          return () => deliverPass(s, server.port);
        })(),
      },
    });
  }
  return suites;
}

/** Stop the receivers, close the stores, remove the temp dir (run.ts calls it after the last suite). */
export async function closeDeliveryBench(): Promise<void> {
  for (const close of closers.splice(0)) await close();
}
