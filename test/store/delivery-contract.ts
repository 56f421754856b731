import { describe, expect, it } from "vitest";
import type { DeliveryClaimRequest } from "../../engine/store/delivery.js";
import { NotResendableError } from "../../engine/store/delivery.js";
import type { Store } from "../../engine/store/types.js";
import { freshStores } from "./contract.js";

/**
 * The delivery half of the Store contract (engine/store/delivery.ts,
 * decision 0025), run against every implementation: which outbound message
 * is sent next, and what a send's result does to it.
 */

const T0 = "2026-03-01T10:00:00.000Z";
const T1 = "2026-03-01T10:00:05.000Z";
const T2 = "2026-03-01T10:01:00.000Z";
const RECEIVER = "127.0.0.1:2575";

const claimAt = (now: string, extra: Partial<DeliveryClaimRequest> = {}): DeliveryClaimRequest => ({
  receiver: RECEIVER,
  ordering: "queue",
  now,
  leaseUntil: "2026-03-01T10:00:40.000Z",
  ...extra,
});

/** Queue one built outbound message for a patient; returns its message ID. */
async function queued(store: Store, patientKey: string, type = "ADT^A28"): Promise<string> {
  return store.queueOutbound("harbor", (n) => ({
    raw: new TextEncoder().encode(
      `MSH|^~\\&|RULEPACK|H|PM|H|20260301||${type}|HOR${n}|P|2.5.1\rPID|1||${patientKey}\r`,
    ),
    receivedAt: T0,
    sender: "outbound:harbor",
    controlId: `HOR${n}`,
    messageType: type,
    patientKey,
  }));
}

const aa = (id: string) => `MSH|^~\\&|PM|H|RULEPACK|H|20260301||ACK|A1|P|2.5.1\rMSA|AA|${id}\r`;

export function deliveryContract(name: string, make: () => Store): void {
  describe(`Store contract (delivery): ${name}`, () => {
    const fresh = freshStores(make);

    describe("claimDelivery", () => {
      it("claims the first NEW outbound message PENDING, counts its send and records it", async () => {
        const store = fresh();
        const id = await queued(store, "1001");
        await queued(store, "1002");
        const claimed = await store.claimDelivery(claimAt(T0));
        expect(claimed).toMatchObject({
          messageId: id,
          controlId: "HOR1",
          send: 1,
          patientKey: "1001",
        });
        expect(new TextDecoder().decode(claimed?.raw)).toContain("|HOR1|");
        const m = await store.message(id);
        expect(m?.state).toBe("PENDING");
        expect(m?.outcome?.state).toBe("PENDING");
        expect(await store.deliveryEvents(id)).toEqual([
          { number: 1, kind: "sent", at: T0, receiver: RECEIVER, send: 1 },
        ]);
      });

      it("queue ordering: nothing else goes while the first message is in flight", async () => {
        const store = fresh();
        await queued(store, "1001");
        await queued(store, "1002");
        expect(await store.claimDelivery(claimAt(T0))).toBeDefined();
        expect(await store.claimDelivery(claimAt(T1))).toBeUndefined();
      });

      it("patient ordering: another patient's message goes while one is in flight, never the same patient's", async () => {
        const store = fresh();
        await queued(store, "1001");
        await queued(store, "1001");
        const third = await queued(store, "1002");
        expect((await store.claimDelivery(claimAt(T0, { ordering: "patient" })))?.controlId).toBe(
          "HOR1",
        );
        expect((await store.claimDelivery(claimAt(T0, { ordering: "patient" })))?.messageId).toBe(
          third,
        );
        expect(await store.claimDelivery(claimAt(T0, { ordering: "patient" }))).toBeUndefined();
      });

      it("a message past its lease is claimed again: the same bytes, the next send", async () => {
        const store = fresh();
        const id = await queued(store, "1001");
        await store.claimDelivery(claimAt(T0, { leaseUntil: T1 }));
        const again = await store.claimDelivery(claimAt(T1));
        expect(again).toMatchObject({ messageId: id, controlId: "HOR1", send: 2 });
      });

      it("an ERROR message holds the later messages of its patient, not the others", async () => {
        const store = fresh();
        const s12 = await queued(store, "1001", "SIU^S12");
        await queued(store, "1001", "SIU^S14");
        const other = await queued(store, "1002");
        await store.claimDelivery(claimAt(T0));
        await store.finishDelivery(s12, 1, {
          kind: "failed",
          at: T1,
          error: { code: "ACK_REJECTED", severity: "error", message: "AE: unknown schedule" },
        });
        expect((await store.claimDelivery(claimAt(T1)))?.messageId).toBe(other);
      });

      it("outbound messages only: an inbound NEW message is never claimed", async () => {
        const store = fresh();
        await store.receive({
          raw: new TextEncoder().encode("MSH|^~\\&|A|B|C|D|20260301||ADT^A04|X|P|2.5.1\r"),
          receivedAt: T0,
          sender: "mllp:1",
          controlId: "X",
          messageType: "ADT^A04",
          direction: "inbound",
        });
        expect(await store.claimDelivery(claimAt(T0))).toBeUndefined();
      });
    });

    describe("finishDelivery", () => {
      it("acknowledged: PROCESSED, the ACK kept with the send and the message", async () => {
        const store = fresh();
        const id = await queued(store, "1001");
        await store.claimDelivery(claimAt(T0));
        expect(
          await store.finishDelivery(id, 1, { kind: "acknowledged", at: T1, ack: aa("HOR1") }),
        ).toBe(true);
        const m = await store.message(id);
        expect(m?.state).toBe("PROCESSED");
        expect(m?.ack).toBe(aa("HOR1"));
        expect((await store.deliveryEvents(id))[1]).toEqual({
          number: 2,
          kind: "acknowledged",
          at: T1,
          send: 1,
          ack: aa("HOR1"),
        });
      });

      it("retry: PENDING with its cause, not sendable before the retry time", async () => {
        const store = fresh();
        const id = await queued(store, "1001");
        await store.claimDelivery(claimAt(T0));
        await store.finishDelivery(id, 1, {
          kind: "retry",
          at: T1,
          cause: "no connection: ECONNREFUSED",
          retryAt: T2,
        });
        expect((await store.message(id))?.state).toBe("PENDING");
        expect(await store.claimDelivery(claimAt(T1))).toBeUndefined();
        expect(await store.claimDelivery(claimAt(T2))).toMatchObject({ messageId: id, send: 2 });
        expect((await store.deliveryEvents(id)).map((e) => [e.kind, e.cause])).toEqual([
          ["sent", undefined],
          ["retry", "no connection: ECONNREFUSED"],
          ["sent", undefined],
        ]);
      });

      it("failed: ERROR with the error in the outcome", async () => {
        const store = fresh();
        const id = await queued(store, "1001");
        await store.claimDelivery(claimAt(T0));
        const error = {
          code: "DELIVERY_FAILED" as const,
          severity: "error" as const,
          message: "not delivered after 1 send: ACK timeout",
        };
        await store.finishDelivery(id, 1, { kind: "failed", at: T1, error });
        const m = await store.message(id);
        expect(m?.state).toBe("ERROR");
        expect(m?.outcome?.errors).toEqual([error]);
        expect(await store.messages({ code: "DELIVERY_FAILED" })).toHaveLength(1);
      });

      it("a late answer to an older send is recorded but moves nothing", async () => {
        const store = fresh();
        const id = await queued(store, "1001");
        await store.claimDelivery(claimAt(T0, { leaseUntil: T0 }));
        await store.claimDelivery(claimAt(T1));
        expect(
          await store.finishDelivery(id, 1, { kind: "acknowledged", at: T1, ack: aa("HOR1") }),
        ).toBe(false);
        expect((await store.message(id))?.state).toBe("PENDING");
      });
    });

    describe("scheduleDeliveries", () => {
      it("moves NEW outbound messages to SCHEDULED with the time they wait for; they are claimed later", async () => {
        const store = fresh();
        const id = await queued(store, "1001");
        expect(await store.scheduleDeliveries(T0, "2026-03-02T13:00:00.000Z")).toBe(1);
        expect((await store.message(id))?.state).toBe("SCHEDULED");
        expect((await store.deliveryEvents(id))[0]).toMatchObject({
          kind: "scheduled",
          cause: "outside the send windows until 2026-03-02T13:00:00.000Z",
        });
        expect((await store.claimDelivery(claimAt(T1)))?.messageId).toBe(id);
      });
    });

    describe("resendDelivery", () => {
      it("an ERROR message goes back to NEW, its sends counted from 0, the same bytes", async () => {
        const store = fresh();
        const id = await queued(store, "1001");
        const first = await store.claimDelivery(claimAt(T0));
        await store.finishDelivery(id, 1, {
          kind: "failed",
          at: T1,
          error: { code: "ACK_REJECTED", severity: "error", message: "AE" },
        });
        await store.resendDelivery(id, T2, "alice");
        const m = await store.message(id);
        expect(m?.state).toBe("NEW");
        expect(m?.outcome?.errors).toEqual([]);
        const again = await store.claimDelivery(claimAt(T2));
        expect(again).toMatchObject({ messageId: id, send: 1, controlId: "HOR1" });
        expect(again?.raw).toEqual(first?.raw);
        expect((await store.deliveryEvents(id)).map((e) => e.kind)).toEqual([
          "sent",
          "failed",
          "resend",
          "sent",
        ]);
      });

      it("refuses a message still waiting to be sent", async () => {
        const store = fresh();
        const id = await queued(store, "1001");
        await expect(store.resendDelivery(id, T0, "alice")).rejects.toBeInstanceOf(
          NotResendableError,
        );
      });
    });

    describe("receivers", () => {
      it("reports what the sender knew of each receiver beside the outbound queue", async () => {
        const store = fresh();
        const id = await queued(store, "1001");
        await queued(store, "1002");
        await store.setReceiverState({ receiver: RECEIVER, connected: false, since: T0 });
        await store.claimDelivery(claimAt(T0));
        await store.setReceiverState({
          receiver: RECEIVER,
          connected: true,
          since: T1,
          lastAckAt: T1,
        });
        await store.setReceiverState({ receiver: RECEIVER, connected: true, since: T2 });
        expect(await store.receiverStatuses()).toEqual([
          {
            receiver: RECEIVER,
            connected: true,
            since: T1,
            lastAckAt: T1,
            pending: 1,
            waiting: 2,
            oldestWaitingSince: T0,
          },
        ]);
        expect(id).toBe("q-000001");
      });
    });
  });
}
