import { describe, expect, it } from "vitest";
import type { ClaimRequest } from "../../engine/store/claims.js";
import type { ReceivedMessage, Store } from "../../engine/store/types.js";
import { ALICE, createPatient, freshStores, outcomeOf, RECEIVED, received } from "./contract.js";

/**
 * The claim half of the Store contract (engine/store/claims.ts, decision
 * 0023), run against every implementation (claims.test.ts): which message
 * a worker takes, its lease, its attempt, and a message completed as
 * received once.
 */

const T0 = "2026-01-01T12:00:00.000Z";
const T10 = "2026-01-01T12:00:10.000Z";
const T30 = "2026-01-01T12:00:30.000Z";
const T60 = "2026-01-01T12:01:00.000Z";

/** A claim by `worker` at `now`, leased 30 s. */
const by = (worker: string, now = T0, leaseUntil = T30): ClaimRequest => ({
  worker,
  now,
  leaseUntil,
});

/** A message of patient `key` (PID-3) from sender EHR^FAC. */
const of = (controlId: string, patientKey?: string, extra: Partial<ReceivedMessage> = {}) =>
  received({
    controlId,
    sendingApplication: "EHR",
    sendingFacility: "FAC",
    ...(patientKey !== undefined && { patientKey }),
    ...extra,
  });

async function claimedId(store: Store, request: ClaimRequest): Promise<string | undefined> {
  return (await store.claimNext(request))?.message.messageId;
}

export function claimContract(name: string, make: () => Store): void {
  describe(`Store contract (claims): ${name}`, () => {
    const fresh = freshStores(make);

    describe("claimNext", () => {
      it("takes the oldest NEW inbound message and counts the attempt as begun", async () => {
        const store = fresh();
        const first = await store.receive(of("C1", "100"));
        await store.receive(of("C2", "200"));
        const claimed = await store.claimNext(by("w1"));
        expect(claimed?.message.messageId).toBe(first);
        expect(claimed?.message.controlId).toBe("C1");
        expect(claimed?.message.unfinished).toBeUndefined();
        expect(claimed?.worker).toBe("w1");
        expect(claimed?.leaseUntil).toBe(T30);
        expect((await store.message(first))?.unfinished).toEqual({
          count: 1,
          step: "decide",
          at: T0,
        });
      });

      it("keeps a patient's order: a later message waits while an earlier one of its lane is NEW; other patients go meanwhile", async () => {
        const store = fresh();
        const a1 = await store.receive(of("A1", "100"));
        const a2 = await store.receive(of("A2", "100"));
        const b1 = await store.receive(of("B1", "200"));
        expect(await claimedId(store, by("w1"))).toBe(a1);
        expect(await claimedId(store, by("w2"))).toBe(b1);
        expect(await claimedId(store, by("w3"))).toBeUndefined();
        await store.complete(outcomeOf(a1, []), RECEIVED);
        expect(await claimedId(store, by("w3"))).toBe(a2);
      });

      it("a message in a final state does not hold its lane (ERROR waits for a person, not the lane)", async () => {
        const store = fresh();
        const a1 = await store.receive(of("A1", "100"));
        const a2 = await store.receive(of("A2", "100"));
        await store.claimNext(by("w1"));
        await store.complete(outcomeOf(a1, [], "ERROR"), RECEIVED);
        expect(await claimedId(store, by("w1"))).toBe(a2);
      });

      it("the lane is the sender's and the patient key: the same PID-3 from another facility goes in parallel", async () => {
        const store = fresh();
        const a = await store.receive(of("A1", "100"));
        const b = await store.receive(of("B1", "100", { sendingFacility: "OTHER" }));
        expect(await claimedId(store, by("w1"))).toBe(a);
        expect(await claimedId(store, by("w2"))).toBe(b);
      });

      it("messages without a patient key go through one lane, whatever their sender", async () => {
        const store = fresh();
        const x = await store.receive(of("X1"));
        const y = await store.receive(of("Y1", undefined, { sendingApplication: "LAB" }));
        const keyed = await store.receive(of("K1", "100"));
        expect(await claimedId(store, by("w1"))).toBe(x);
        expect(await claimedId(store, by("w2"))).toBe(keyed);
        expect(await claimedId(store, by("w3"))).toBeUndefined();
        await store.complete(outcomeOf(x, []), RECEIVED);
        expect(await claimedId(store, by("w3"))).toBe(y);
      });

      it("takes no outbound message, no message already decided, and nothing from an empty queue", async () => {
        const store = fresh();
        expect(await store.claimNext(by("w1"))).toBeUndefined();
        await store.queueOutbound("pack", (n) => ({ ...of(`O${n}`, "100") }));
        const done = await store.receive(of("D1", "200"));
        await store.complete(outcomeOf(done, []), RECEIVED);
        expect(await store.claimNext(by("w1"))).toBeUndefined();
      });

      it("a lease that has not ended keeps the message from other workers; an ended one lets the next take it", async () => {
        const store = fresh();
        const a = await store.receive(of("A1", "100"));
        expect(await claimedId(store, by("w1", T0, T30))).toBe(a);
        expect(await claimedId(store, by("w2", T10, "2026-01-01T12:00:40.000Z"))).toBeUndefined();
        const again = await store.claimNext(by("w2", T30, T60));
        expect(again?.message.messageId).toBe(a);
        expect(again?.worker).toBe("w2");
        // The attempt the first worker began (and never completed) is still counted.
        expect(again?.message.unfinished).toEqual({ count: 1, step: "decide", at: T0 });
        expect((await store.message(a))?.unfinished?.count).toBe(2);
      });

      it("the attempt count survives claims by workers that died, so a message claimed twice is known as a poison message", async () => {
        const store = fresh();
        const a = await store.receive(of("A1", "100"));
        await store.claimNext(by("w1", T0, T10));
        await store.reachStep(a, "complete");
        await store.claimNext(by("w2", T10, T30));
        const third = await store.claimNext(by("w3", T30, T60));
        expect(third?.message.unfinished).toEqual({ count: 2, step: "decide", at: T10 });
      });

      it("a completed message clears its count; a claim after a listener's begun attempt counts on", async () => {
        const store = fresh();
        const a = await store.receive(of("A1", "100"));
        await store.beginAttempt(a, T0);
        const claimed = await store.claimNext(by("w1", T10, T30));
        expect(claimed?.message.unfinished?.count).toBe(1);
        await store.complete(outcomeOf(a, []), RECEIVED);
        expect((await store.message(a))?.unfinished).toBeUndefined();
      });
    });

    describe("renewClaim", () => {
      it("moves the lease of the worker that holds it, so another worker waits on", async () => {
        const store = fresh();
        const a = await store.receive(of("A1", "100"));
        await store.claimNext(by("w1", T0, T10));
        expect(await store.renewClaim(a, "w1", T60)).toBe(true);
        expect(await claimedId(store, by("w2", T30, T60))).toBeUndefined();
        expect(await claimedId(store, by("w2", T60, "2026-01-01T12:02:00.000Z"))).toBe(a);
      });

      it("refuses another worker, a lease taken over, and a finished message", async () => {
        const store = fresh();
        const a = await store.receive(of("A1", "100"));
        await store.claimNext(by("w1", T0, T10));
        expect(await store.renewClaim(a, "w2", T60)).toBe(false);
        await store.claimNext(by("w2", T10, T30));
        expect(await store.renewClaim(a, "w1", T60)).toBe(false);
        await store.complete(outcomeOf(a, []), RECEIVED);
        expect(await store.renewClaim(a, "w2", T60)).toBe(false);
      });
    });

    describe("finishedAmong", () => {
      it("answers the given messages that are no longer NEW, with their outcome and ACK", async () => {
        const store = fresh();
        const a = await store.receive(of("A1", "100"));
        const b = await store.receive(of("B1", "200"));
        expect(await store.finishedAmong([a, b])).toEqual([]);
        await store.complete(outcomeOf(b, []), { ...RECEIVED, ack: "MSH|ack-b" });
        const finished = await store.finishedAmong([a, b, "q-999999"]);
        expect(finished.map((m) => [m.messageId, m.state, m.ack])).toEqual([
          [b, "PROCESSED", "MSH|ack-b"],
        ]);
        expect(await store.finishedAmong([])).toEqual([]);
      });
    });

    describe("complete: a claimed message is completed as received once", () => {
      it("refuses a second receive completion (a worker whose lease ran out) and applies nothing of it", async () => {
        const store = fresh();
        const a = await store.receive(of("A1", "100"));
        await store.claimNext(by("w1", T0, T10));
        await store.claimNext(by("w2", T10, T30));
        await store.complete(outcomeOf(a, [], "ERROR"), { ...RECEIVED, ack: "MSH|first" });
        await expect(
          store.complete(outcomeOf(a, [createPatient()]), { ...RECEIVED, ack: "MSH|second" }),
        ).rejects.toThrow();
        const stored = await store.message(a);
        expect(stored?.state).toBe("ERROR");
        expect(stored?.ack).toBe("MSH|first");
        expect((await store.openView()).view.patientById(ALICE.id)).toBeUndefined();
        expect((await store.attempts(a)).map((x) => x.kind)).toEqual(["receive"]);
      });

      it("still lets a person reprocess it", async () => {
        const store = fresh();
        const a = await store.receive(of("A1", "100"));
        await store.claimNext(by("w1"));
        await store.complete(outcomeOf(a, [], "ERROR"), RECEIVED);
        await store.complete(outcomeOf(a, [createPatient()]), { ...RECEIVED, kind: "reprocess" });
        expect((await store.message(a))?.state).toBe("PROCESSED");
      });
    });
  });
}
