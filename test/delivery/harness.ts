import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, relative, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { expect } from "vitest";
import type { DeliveryClock } from "../../engine/delivery/clock.js";
import type { DeliveryOptions, DeliveryReceiver } from "../../engine/pack/delivery-options.js";
import type { DeliveryEvent } from "../../engine/store/delivery.js";
import type { Store } from "../../engine/store/types.js";

/**
 * What the delivery fault tests share: the independent receiver
 * (test/support/hl7-receiver.py, python-hl7's asyncio MLLP server) run as a
 * process, messages queued for several patients, and the checks every
 * fault test ends with.
 */

export const PYTHON = "/usr/bin/python3";
export const RECEIVER_SCRIPT = "test/support/hl7-receiver.py";

export const testClock: DeliveryClock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    signal?.aborted
      ? Promise.resolve()
      : delay(Math.max(0, ms), undefined, signal ? { signal } : {}).catch(() => undefined),
};

/** A port nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address ? address.port : 0;
}

export interface Received {
  readonly controlId: string;
  readonly type: string;
  readonly patient: string;
  readonly answer: string;
}

export interface Receiver {
  readonly port: number;
  readonly child: ChildProcess;
  /** Every message the receiver got, in arrival order. */
  readonly received: Received[];
  stop(): Promise<void>;
}

/** Start the python receiver with its flags; resolves once it listens. */
export async function startReceiver(args: readonly string[], port = 0): Promise<Receiver> {
  const child = spawn(PYTHON, [RECEIVER_SCRIPT, "--port", String(port), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const received: Received[] = [];
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += String(d);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = new Promise<number>((resolve, reject) => {
    let buffer = "";
    child.stdout?.on("data", (d) => {
      buffer += String(d);
      let nl = buffer.indexOf("\n");
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const ready = /^ready port=(\d+)$/.exec(line);
        if (ready) resolve(Number(ready[1]));
        const recv = /^RECV (\S+) (\S+) (\S+) (\S+)$/.exec(line);
        if (recv) {
          received.push({
            controlId: recv[1] as string,
            type: recv[2] as string,
            patient: recv[3] as string,
            answer: recv[4] as string,
          });
        }
        nl = buffer.indexOf("\n");
      }
    });
    child.once("exit", (code) => reject(new Error(`the receiver exited (${code}): ${stderr}`)));
  });
  return {
    port: await ready,
    child,
    received,
    async stop() {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Queue `perPatient` outbound messages for each of `patients`, interleaved; returns their IDs in queue order. */
export async function queueMessages(
  store: Store,
  patients: number,
  perPatient: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let round = 0; round < perPatient; round++) {
    for (let p = 0; p < patients; p++) {
      const patient = String(1001 + p);
      const type = round === 0 ? "SIU^S12" : "SIU^S14";
      ids.push(
        await store.queueOutbound("harbor", (n) => {
          const controlId = `HOR${String(n).padStart(6, "0")}`;
          return {
            raw: new TextEncoder().encode(
              `MSH|^~\\&|RULEPACK|19591|PM|HARBOR|20260301120000||${type}^SIU_S12|${controlId}|P|2.5.1\rSCH|A${n}|${n}\rPID|1||${patient}^^^HARBOR^MR||DOE^JANE\r`,
            ),
            receivedAt: "2026-03-01T12:00:00.000Z",
            sender: "outbound:harbor",
            controlId,
            messageType: type,
            patientKey: patient,
          };
        }),
      );
    }
  }
  return ids;
}

/** Delivery options for a receiver on this machine, with short timeouts so faults show in seconds. */
export function fastDelivery(
  port: number,
  overrides: Partial<DeliveryOptions> = {},
): DeliveryOptions & { receiver: DeliveryReceiver } {
  return {
    receiver: { host: "127.0.0.1", port, name: `127.0.0.1:${port}` },
    connectTimeoutMs: 2000,
    ackTimeoutMs: 1500,
    retry: { initialMs: 100, factor: 2, maxMs: 500 },
    maxAttempts: 30,
    ackMode: "original",
    ordering: "queue",
    connections: 1,
    timeZone: "UTC",
    unreachableAlertMinutes: 30,
    ...overrides,
  };
}

/** Poll until `done` holds (generous limit: the machine may be busy). */
export async function until(done: () => Promise<boolean>, what: string, limitMs = 60_000) {
  const start = performance.now();
  while (!(await done())) {
    if (performance.now() - start > limitMs) throw new Error(`gave up waiting: ${what}`);
    await delay(50);
  }
}

/** Every message ended PROCESSED or ERROR. */
export async function allFinished(store: Store, ids: readonly string[]): Promise<boolean> {
  for (const id of ids) {
    const m = await store.message(id);
    if (m?.state !== "PROCESSED" && m?.state !== "ERROR") return false;
  }
  return true;
}

export interface Tally {
  readonly sent: number;
  readonly acked: number;
  readonly processed: number;
  readonly error: number;
  readonly resentSameMsh10: number;
}

/**
 * The checks every fault test ends with, and its tally printed: no message
 * lost (each ends PROCESSED or ERROR as expected), none PROCESSED without
 * an AA for its own MSH-10 stored with a send and answered so by the
 * receiver, every resend with the same MSH-10 (the receiver saw no other),
 * and each patient's messages at the receiver in queue order.
 */
export async function checkDelivery(
  name: string,
  store: Store,
  ids: readonly string[],
  receiver: readonly Received[],
  expectError: ReadonlySet<string> = new Set(),
): Promise<Tally> {
  // The receiver's report lines come on its stdout, a little after its ACKs.
  await until(async () => {
    for (const id of ids) {
      const m = await store.message(id);
      if (m?.state === "PROCESSED" && !receiver.some((r) => r.controlId === m.controlId)) {
        return false;
      }
    }
    return true;
  }, "the receiver's report of every delivered message");
  const controlIds = new Map<string, string>();
  let sent = 0;
  let acked = 0;
  let processed = 0;
  let error = 0;
  let resent = 0;
  for (const id of ids) {
    const m = await store.message(id);
    expect(m, `${id} lost`).toBeDefined();
    if (!m) continue;
    controlIds.set(m.controlId, id);
    const events: readonly DeliveryEvent[] = await store.deliveryEvents(id);
    const sends = events.filter((e) => e.kind === "sent");
    sent += sends.length;
    resent += sends.filter((e) => (e.send ?? 0) > 1).length;
    const acks = events.filter((e) => e.kind === "acknowledged");
    acked += acks.length;
    if (expectError.has(m.controlId)) {
      expect(m.state, `${id} ${m.controlId}`).toBe("ERROR");
      error += 1;
      continue;
    }
    expect(m.state, `${id} ${m.controlId}`).toBe("PROCESSED");
    processed += 1;
    // Not PROCESSED without its ACK: an AA about this MSH-10, kept with a send, and given by the receiver.
    expect(acks.length, `${id} has no ACK`).toBeGreaterThan(0);
    expect(acks.at(-1)?.ack).toMatch(new RegExp(`MSA\\|AA\\|${m.controlId}`));
    expect(receiver.some((r) => r.controlId === m.controlId && /AA$/.test(r.answer))).toBe(true);
  }
  // Every message the receiver got is one of ours, by its own MSH-10.
  for (const r of receiver) expect(controlIds.has(r.controlId), r.controlId).toBe(true);
  // Per patient, in queue order (first arrival of each MSH-10).
  const firstSeen = new Map<string, string[]>();
  for (const r of receiver) {
    const list = firstSeen.get(r.patient) ?? [];
    if (!list.includes(r.controlId)) list.push(r.controlId);
    firstSeen.set(r.patient, list);
  }
  for (const [patient, list] of firstSeen) {
    expect(list, `patient ${patient} out of order`).toEqual([...list].sort());
  }
  const tally = { sent, acked, processed, error, resentSameMsh10: resent };
  console.log(
    `${name}: sent ${sent} / ACKed ${acked} / PROCESSED ${processed} / ERROR ${error} / resent with the same MSH-10 ${resent} (receiver got ${receiver.length})`,
  );
  return tally;
}

/**
 * A practice folder under `root` whose pack extends Harbor's and names a
 * receiver on this machine (`extra` lines go under outbound.delivery);
 * returns the pack file.
 */
export function writeReceiverPack(
  root: string,
  port: number,
  extra: readonly string[] = [],
  receiver = `{ host: 127.0.0.1, port: ${port} }`,
): string {
  const pack = join(root, "harbor-ortho", "pack.yaml");
  mkdirSync(dirname(pack), { recursive: true });
  const up = (to: string) => relative(dirname(pack), resolve(to));
  writeFileSync(
    pack,
    [
      `# yaml-language-server: $schema=${up("schemas/rulepack.schema.json")}`,
      "pack:",
      "  id: harbor-ortho",
      `  extends: ${up("rules/practices/harbor-ortho/pack.yaml")}`,
      "outbound:",
      "  delivery:",
      `    receiver: ${receiver}`,
      "    connectTimeoutSeconds: 1",
      "    ackTimeoutSeconds: 1",
      "    retry: { initialSeconds: 0.1, factor: 2, maxSeconds: 0.5 }",
      ...extra.map((line) => `    ${line}`),
      "",
    ].join("\n"),
  );
  symlinkSync(
    resolve("rules/practices/harbor-ortho/master-data.yaml"),
    join(dirname(pack), "master-data.yaml"),
  );
  return pack;
}
