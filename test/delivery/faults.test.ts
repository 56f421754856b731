import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type RunningSender, startSender } from "../../engine/delivery/sender.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { Store } from "../../engine/store/types.js";
import {
  allFinished,
  checkDelivery,
  fastDelivery,
  freePort,
  queueMessages,
  type Receiver,
  startReceiver,
  testClock,
  until,
} from "./harness.js";

/**
 * The sender against an independent receiver (python-hl7's asyncio MLLP
 * server, test/support/hl7-receiver.py) misbehaving in one way per test.
 * Each prints its tally and ends with the same checks (harness.ts): none
 * lost, none PROCESSED without its ACK, resends with the same MSH-10, each
 * patient's messages in queue order at the receiver.
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-delivery-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let made = 0;
const stores: Store[] = [];
const receivers: Receiver[] = [];
const senders: RunningSender[] = [];
afterEach(async () => {
  for (const s of senders.splice(0)) await s.stop();
  for (const r of receivers.splice(0)) await r.stop();
  for (const s of stores.splice(0)) await s.close();
});

function freshStore(): Store {
  const store = openSqliteStore(join(root, `s${++made}.sqlite`));
  stores.push(store);
  return store;
}

async function receiver(args: readonly string[], port = 0): Promise<Receiver> {
  const r = await startReceiver(args, port);
  receivers.push(r);
  return r;
}

function sender(store: Store, delivery: ReturnType<typeof fastDelivery>): RunningSender {
  const s = startSender({ store, delivery, clock: testClock, pollMs: 50 });
  senders.push(s);
  return s;
}

describe("delivery faults (python-hl7 receiver)", () => {
  it("the receiver is down at start and comes up later: the messages wait PENDING, then all go in order", async () => {
    const store = freshStore();
    const ids = await queueMessages(store, 3, 2);
    const port = await freePort();
    sender(store, fastDelivery(port));
    await until(
      async () => (await store.deliveryEvents(ids[0] as string)).some((e) => e.kind === "retry"),
      "a send refused for want of a connection",
    );
    const first = await store.message(ids[0] as string);
    expect(first?.state).toBe("PENDING");
    expect((await store.deliveryEvents(ids[0] as string))[1]?.cause).toMatch(/^no connection/);
    const [status] = await store.receiverStatuses();
    expect(status).toMatchObject({ connected: false, pending: 1, waiting: 6 });
    const r = await receiver([], port);
    await until(() => allFinished(store, ids), "every message delivered");
    const tally = await checkDelivery("down at start", store, ids, r.received);
    expect(tally.processed).toBe(6);
    expect(tally.resentSameMsh10).toBeGreaterThan(0);
    expect((await store.receiverStatuses())[0]).toMatchObject({ connected: true, pending: 0 });
  }, 90_000);

  it("the receiver closes the connection on every 3rd message: that one is resent with the same MSH-10", async () => {
    const store = freshStore();
    const ids = await queueMessages(store, 3, 3);
    const r = await receiver(["--close-every", "3"]);
    sender(store, fastDelivery(r.port));
    await until(() => allFinished(store, ids), "every message delivered");
    const tally = await checkDelivery("closes every 3rd", store, ids, r.received);
    expect(tally.processed).toBe(9);
    expect(r.received.filter((m) => m.answer === "closed").length).toBeGreaterThanOrEqual(4);
    expect(tally.resentSameMsh10).toBe(r.received.filter((m) => m.answer === "closed").length);
  }, 90_000);

  it("an ACK slower than the ACK timeout: PENDING, the same bytes again, delivered once answered in time", async () => {
    const store = freshStore();
    const ids = await queueMessages(store, 2, 1);
    const r = await receiver(["--slow-first", "1:4"]);
    sender(store, fastDelivery(r.port, { ackTimeoutMs: 1000 }));
    await until(() => allFinished(store, ids), "every message delivered");
    await checkDelivery("slow ACK", store, ids, r.received);
    const events = await store.deliveryEvents(ids[0] as string);
    expect(events.map((e) => e.kind)).toEqual(["sent", "retry", "sent", "acknowledged"]);
    expect(events[1]?.cause).toBe("no ACK within 1 s (ACK timeout)");
    await until(async () => r.received.length >= 3, "the receiver's report");
    expect(r.received.map((m) => m.controlId)).toEqual(["HOR000001", "HOR000001", "HOR000002"]);
  }, 90_000);

  it("AR for one message: retried on the schedule, delivered at the next send", async () => {
    const store = freshStore();
    const ids = await queueMessages(store, 2, 2);
    const r = await receiver(["--ar-once", "HOR000002"]);
    sender(store, fastDelivery(r.port));
    await until(() => allFinished(store, ids), "every message delivered");
    await checkDelivery("AR once", store, ids, r.received);
    const events = await store.deliveryEvents(ids[1] as string);
    expect(events.map((e) => e.kind)).toEqual(["sent", "retry", "sent", "acknowledged"]);
    expect(events[1]?.cause).toBe("MSA-1 AR: ERR-3 207 test error");
    expect(events[1]?.ack).toMatch(/MSA\|AR\|HOR000002/);
  }, 90_000);

  it("AE: ERROR ACK_REJECTED with the ACK's error, and the patient's later messages wait behind it", async () => {
    const store = freshStore();
    const ids = await queueMessages(store, 2, 2);
    const r = await receiver(["--ae-for", "HOR000001"]);
    sender(store, fastDelivery(r.port));
    await until(
      async () =>
        (await store.message(ids[1] as string))?.state === "PROCESSED" &&
        (await store.message(ids[3] as string))?.state === "PROCESSED",
      "the other patient's messages delivered",
    );
    const rejected = await store.message(ids[0] as string);
    expect(rejected?.state).toBe("ERROR");
    expect(rejected?.outcome?.errors).toEqual([
      {
        code: "ACK_REJECTED",
        severity: "error",
        message: `127.0.0.1:${r.port} refused it: MSA-1 AE: ERR-3 207 test error`,
        value: "207",
      },
    ]);
    await until(async () => r.received.length >= 3, "the receiver's report");
    // Patient 1001's S14 (queued third) is never sent before its S12 is resolved.
    expect((await store.message(ids[2] as string))?.state).toBe("NEW");
    expect(r.received.map((m) => m.controlId)).toEqual(["HOR000001", "HOR000002", "HOR000004"]);
  }, 90_000);

  it("no ACK at all: ERROR DELIVERY_FAILED after max attempts, with the last cause", async () => {
    const store = freshStore();
    const ids = await queueMessages(store, 1, 1);
    const r = await receiver(["--no-ack"]);
    sender(store, fastDelivery(r.port, { ackTimeoutMs: 500, maxAttempts: 3 }));
    await until(() => allFinished(store, ids), "the message given up");
    const m = await store.message(ids[0] as string);
    expect(m?.state).toBe("ERROR");
    expect(m?.outcome?.errors.map((e) => [e.code, e.message])).toEqual([
      [
        "DELIVERY_FAILED",
        `not delivered to 127.0.0.1:${r.port} after 3 sends; the last: no ACK within 0.5 s (ACK timeout)`,
      ],
    ]);
    await until(async () => r.received.length >= 3, "the receiver's report");
    expect(r.received.map((x) => x.controlId)).toEqual(["HOR000001", "HOR000001", "HOR000001"]);
  }, 90_000);

  it("the receiver closes mid-ACK: not an ACK; the cause says so", async () => {
    const store = freshStore();
    const ids = await queueMessages(store, 1, 1);
    const r = await receiver(["--close-mid-ack"]);
    sender(store, fastDelivery(r.port, { maxAttempts: 2 }));
    await until(() => allFinished(store, ids), "the message given up");
    const m = await store.message(ids[0] as string);
    expect(m?.outcome?.errors[0]?.message).toMatch(
      /after 2 sends; the last: the receiver closed the connection before the ACK$/,
    );
  }, 90_000);

  it("enhanced mode: CA, then the application ACK with this MSH-10, then PROCESSED", async () => {
    const store = freshStore();
    const ids = await queueMessages(store, 2, 1);
    const r = await receiver(["--ack", "CA"]);
    sender(store, fastDelivery(r.port, { ackMode: "enhanced" }));
    await until(() => allFinished(store, ids), "every message delivered");
    await checkDelivery("enhanced", store, ids, r.received);
    expect(r.received.map((m) => m.answer)).toEqual(["CA+AA", "CA+AA"]);
  }, 90_000);

  it("outside the send windows: the messages wait SCHEDULED until the next window opens, nothing is sent", async () => {
    const store = freshStore();
    const ids = await queueMessages(store, 2, 1);
    const r = await receiver([]);
    // One minute a week, on another day than today: closed now.
    const days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
    const other = days[(new Date().getUTCDay() + 3) % 7] as (typeof days)[number];
    const summary = await startSender({
      store,
      delivery: fastDelivery(r.port, {
        windows: [{ days: new Set([other]), fromMinute: 0, toMinute: 1 }],
      }),
      clock: testClock,
      once: true,
    }).done;
    expect(summary.sent).toBe(0);
    for (const id of ids) {
      expect((await store.message(id))?.state).toBe("SCHEDULED");
      const [event] = await store.deliveryEvents(id);
      expect(event?.kind).toBe("scheduled");
      expect(event?.cause).toMatch(
        /^outside the send windows until \d{4}-\d\d-\d\dT00:00:00\.000Z$/,
      );
    }
    expect(r.received).toEqual([]);
  }, 30_000);

  it("per-patient ordering over 3 connections: every patient's messages in order", async () => {
    const store = freshStore();
    const ids = await queueMessages(store, 4, 3);
    const r = await receiver(["--close-every", "5"]);
    sender(store, fastDelivery(r.port, { ordering: "patient", connections: 3 }));
    await until(() => allFinished(store, ids), "every message delivered");
    const tally = await checkDelivery("per patient", store, ids, r.received);
    expect(tally.processed).toBe(12);
  }, 90_000);
});
