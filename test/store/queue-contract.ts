import { describe, expect, it } from "vitest";
import type { Outcome } from "../../engine/model/outcome.js";
import { UnknownMessageError } from "../../engine/store/errors.js";
import type { Completion, Store } from "../../engine/store/types.js";
import { ALICE, createPatient, freshStores, outcomeOf, received } from "./contract.js";

/**
 * The queue half of the Store contract (attempts, filters, duplicates,
 * retention, summary), run against every implementation.
 */

const at = (iso: string, extra: Partial<Completion> = {}): Completion => ({
  kind: "receive",
  now: iso,
  ...extra,
});

function withError(outcome: Outcome, code: string, value?: string): Outcome {
  return {
    ...outcome,
    state: "ERROR",
    actions: [],
    errors: [
      {
        code: code as Outcome["errors"][number]["code"],
        severity: "error",
        message: code,
        ...(value !== undefined && { value, table: "insurancePlan" }),
      },
    ],
  };
}

export function queueContract(name: string, make: () => Store): void {
  describe(`Store contract (queue): ${name}`, () => {
    const fresh = freshStores(make);

    describe("attempts", () => {
      it("each complete records one attempt with its clock, kind, actor, note and ACK", async () => {
        const store = fresh();
        const id = await store.receive(received());
        const first = withError(outcomeOf(id, []), "UNMAPPED_INSURANCE", "HMP-100");
        await store.complete(first, at("2026-01-01T12:00:01.000Z", { ack: "MSH|ack1" }));
        const second = outcomeOf(id, [createPatient()]);
        await store.complete(
          second,
          at("2026-01-02T09:00:00.000Z", {
            kind: "reprocess",
            at: "2026-01-02T09:00:05.000Z",
            actor: "dana",
            note: "blocked-on UNMAPPED_INSURANCE:HMP-100",
          }),
        );
        expect(await store.attempts(id)).toEqual([
          {
            number: 1,
            kind: "receive",
            now: "2026-01-01T12:00:01.000Z",
            at: "2026-01-01T12:00:01.000Z",
            state: "ERROR",
            outcome: first,
          },
          {
            number: 2,
            kind: "reprocess",
            now: "2026-01-02T09:00:00.000Z",
            at: "2026-01-02T09:00:05.000Z",
            actor: "dana",
            note: "blocked-on UNMAPPED_INSURANCE:HMP-100",
            state: "PROCESSED",
            outcome: second,
          },
        ]);
        const stored = await store.message(id);
        expect(stored?.state).toBe("PROCESSED");
        expect(stored?.stateAt).toBe("2026-01-02T09:00:05.000Z");
        expect(stored?.ack).toBe("MSH|ack1");
        expect(stored?.patientId).toBe(ALICE.id);
      });

      it("setState DELETED keeps the outcome and records who and when", async () => {
        const store = fresh();
        const id = await store.receive(received());
        const outcome = withError(outcomeOf(id, []), "REVIEW_REQUIRED");
        await store.complete(outcome, at("2026-01-01T12:00:00.000Z"));
        await store.setState(id, "DELETED", {
          kind: "delete",
          now: "2026-01-03T08:00:00.000Z",
          actor: "lee",
        });
        expect(await store.message(id)).toMatchObject({
          state: "DELETED",
          stateAt: "2026-01-03T08:00:00.000Z",
          outcome,
        });
        expect((await store.attempts(id)).map((a) => [a.kind, a.state, a.actor])).toEqual([
          ["receive", "ERROR", undefined],
          ["delete", "DELETED", "lee"],
        ]);
        await expect(
          async () => await store.setState("q-000404", "DELETED", at("2026-01-01T00:00:00Z")),
        ).rejects.toThrow();
      });

      it("a message never completed has no attempts", async () => {
        const store = fresh();
        expect(await store.attempts(await store.receive(received()))).toEqual([]);
        expect(await store.attempts("q-000404")).toEqual([]);
      });
    });

    describe("beginAttempt and reachStep: processing that never ended", () => {
      it("a begun attempt is counted with its step and time until the message completes", async () => {
        const store = fresh();
        const id = await store.receive(received());
        expect((await store.message(id))?.unfinished).toBeUndefined();
        await store.beginAttempt(id, "2026-01-01T12:00:01.000Z");
        expect((await store.message(id))?.unfinished).toEqual({
          count: 1,
          step: "decide",
          at: "2026-01-01T12:00:01.000Z",
        });
        await store.reachStep(id, "complete");
        await store.beginAttempt(id, "2026-01-01T12:05:00.000Z");
        expect((await store.message(id))?.unfinished).toEqual({
          count: 2,
          step: "decide",
          at: "2026-01-01T12:05:00.000Z",
        });
        await store.reachStep(id, "complete");
        expect((await store.message(id))?.unfinished?.step).toBe("complete");
        expect((await store.messages({ state: "NEW" }))[0]?.unfinished?.count).toBe(2);
        await store.complete(outcomeOf(id, []), at("2026-01-01T12:05:01.000Z"));
        expect((await store.message(id))?.unfinished).toBeUndefined();
        expect((await store.message(id))?.state).toBe("PROCESSED");
      });

      it("a message deleted by a person has no unfinished attempt", async () => {
        const store = fresh();
        const id = await store.receive(received());
        await store.beginAttempt(id, "2026-01-01T12:00:01.000Z");
        await store.setState(id, "DELETED", at("2026-01-02T00:00:00.000Z", { kind: "delete" }));
        expect((await store.message(id))?.unfinished).toBeUndefined();
      });

      it("an unknown message is refused", async () => {
        const store = fresh();
        await expect(
          async () => await store.beginAttempt("q-000404", "2026-01-01T12:00:00.000Z"),
        ).rejects.toThrow(UnknownMessageError);
        await expect(async () => await store.reachStep("q-000404", "complete")).rejects.toThrow(
          UnknownMessageError,
        );
      });
    });

    describe("record: received and completed at once", () => {
      it("is never NEW: one attempt, the outcome's state, its message ID given to the outcome", async () => {
        const store = fresh();
        const id = await store.record(
          { ...received(), direction: "outbound" },
          (messageId) => ({ ...outcomeOf(messageId, []), messageType: "appointmentCancel" }),
          at("2026-01-01T12:00:00.000Z"),
        );
        expect(await store.message(id)).toMatchObject({
          state: "PROCESSED",
          direction: "outbound",
        });
        expect((await store.message(id))?.outcome?.messageId).toBe(id);
        expect(await store.attempts(id)).toHaveLength(1);
      });

      it("an outcome that cannot be completed leaves no message behind", async () => {
        const store = fresh();
        await expect(
          async () =>
            await store.record(
              received(),
              () => outcomeOf("q-000404", [], "ERROR"),
              at("2026-01-01T12:00:00.000Z"),
            ),
        ).rejects.toThrow();
        expect(await store.messages()).toEqual([]);
        // The next message is the only one (a database sequence may have skipped the ID taken).
        const next = await store.receive(received());
        expect((await store.messages()).map((m) => m.messageId)).toEqual([next]);
      });
    });

    describe("messages(filter)", async () => {
      const setUp = async (store: Store) => {
        const a04 = await store.receive(
          received({ messageType: "ADT^A04^ADT_A01", patientKey: "MRN1^^^EHR" }),
        );
        await store.complete(
          withError(outcomeOf(a04, []), "UNMAPPED_INSURANCE", "HMP-100"),
          at("2026-01-01T00:00:00.000Z"),
        );
        const siu = await store.receive(
          received({
            messageType: "SIU^S12",
            patientKey: "MRN1^^^EHR",
            receivedAt: "2026-01-02T00:00:00.000Z",
          }),
        );
        await store.complete(
          withError(outcomeOf(siu, []), "PATIENT_NOT_FOUND"),
          at("2026-01-01T00:00:00.000Z"),
        );
        const a08 = await store.receive(
          received({ messageType: "ADT^A08", receivedAt: "2026-01-03T00:00:00.000Z" }),
        );
        await store.complete(outcomeOf(a08, [createPatient()]), at("2026-01-01T00:00:00.000Z"));
        const other = await store.receive(
          received({ messageType: "ADT^A04", receivedAt: "2026-01-04T00:00:00.000Z" }),
        );
        await store.complete(
          withError(outcomeOf(other, []), "UNMAPPED_INSURANCE", "OTHER"),
          at("2026-01-01T00:00:00.000Z"),
        );
        return { a04, siu, a08, other };
      };
      const ids = async (store: Store, filter: Parameters<Store["messages"]>[0]) =>
        (await store.messages(filter)).map((m) => m.messageId);

      it("by type: the message code, or code and trigger with or without structure", async () => {
        const store = fresh();
        const m = await setUp(store);
        expect(await ids(store, { type: "ADT" })).toEqual([m.a04, m.a08, m.other]);
        expect(await ids(store, { type: "ADT^A04" })).toEqual([m.a04, m.other]);
        expect(await ids(store, { type: "SIU^S12" })).toEqual([m.siu]);
        expect(await ids(store, { type: "AD" })).toEqual([]);
      });

      it("by error code, and by code and value (what a message waits on)", async () => {
        const store = fresh();
        const m = await setUp(store);
        expect(await ids(store, { code: "UNMAPPED_INSURANCE" })).toEqual([m.a04, m.other]);
        expect(await ids(store, { code: "UNMAPPED_INSURANCE", value: "HMP-100" })).toEqual([m.a04]);
        expect(await ids(store, { code: "PATIENT_NOT_FOUND" })).toEqual([m.siu]);
      });

      it("by states, since, patient key, patient and sequence, combined", async () => {
        const store = fresh();
        const m = await setUp(store);
        expect(await ids(store, { states: ["ERROR", "CBOERROR"] })).toEqual([
          m.a04,
          m.siu,
          m.other,
        ]);
        expect(await ids(store, { since: "2026-01-02T00:00:00.000Z" })).toEqual([
          m.siu,
          m.a08,
          m.other,
        ]);
        expect(await ids(store, { patientKey: "MRN1^^^EHR" })).toEqual([m.a04, m.siu]);
        expect(await ids(store, { patientId: ALICE.id })).toEqual([m.a08]);
        const first = (await store.message(m.a04))?.sequence ?? 0;
        expect(await ids(store, { afterSequence: first, state: "ERROR" })).toEqual([
          m.siu,
          m.other,
        ]);
        expect(await ids(store, { direction: "outbound" })).toEqual([]);
        expect(await ids(store, { states: [] })).toEqual([]);
      });
    });

    describe("findDuplicate", () => {
      const key = {
        sendingApplication: "EHR",
        sendingFacility: "FAC",
        controlId: "CTRL1",
        contentHash: "abc",
      };
      const header = { sendingApplication: "EHR", sendingFacility: "FAC", contentHash: "abc" };

      it("finds the earliest original with the same key within the window", async () => {
        const store = fresh();
        const original = await store.receive(received(header));
        await store.receive(received({ ...header, duplicateOf: original }));
        expect((await store.findDuplicate(key, "2026-01-01T00:00:00.000Z"))?.messageId).toBe(
          original,
        );
        expect(await store.findDuplicate(key, "2026-01-01T12:00:00.001Z")).toBeUndefined();
      });

      it("a reused control ID with other content, sender or facility is not a duplicate", async () => {
        const store = fresh();
        await store.receive(received(header));
        const since = "2026-01-01T00:00:00.000Z";
        expect(await store.findDuplicate({ ...key, contentHash: "other" }, since)).toBeUndefined();
        expect(
          await store.findDuplicate({ ...key, sendingApplication: "LAB" }, since),
        ).toBeUndefined();
        expect(await store.findDuplicate({ ...key, sendingFacility: "F2" }, since)).toBeUndefined();
        expect(await store.findDuplicate({ ...key, controlId: "CTRL2" }, since)).toBeUndefined();
      });
    });

    describe("prune", () => {
      it("removes PROCESSED and DELETED messages that entered their state before the cutoff", async () => {
        const store = fresh();
        const old = await store.receive(received());
        await store.complete(outcomeOf(old, []), at("2025-01-01T00:00:00.000Z"));
        const recent = await store.receive(received());
        await store.complete(outcomeOf(recent, []), at("2026-01-01T00:00:00.000Z"));
        const deleted = await store.receive(received());
        await store.complete(
          withError(outcomeOf(deleted, []), "REVIEW_REQUIRED"),
          at("2025-01-15T00:00:00.000Z"),
        );
        await store.setState(
          deleted,
          "DELETED",
          at("2025-02-01T00:00:00.000Z", { kind: "delete" }),
        );
        const error = await store.receive(received());
        await store.complete(
          withError(outcomeOf(error, []), "PATIENT_NOT_FOUND"),
          at("2024-01-01T00:00:00.000Z"),
        );
        expect(
          await store.prune({
            PROCESSED: "2025-06-01T00:00:00.000Z",
            DELETED: "2025-06-01T00:00:00.000Z",
          }),
        ).toBe(2);
        expect((await store.messages()).map((m) => m.messageId)).toEqual([recent, error]);
        expect(await store.attempts(old)).toEqual([]);
        expect(await store.prune({ PROCESSED: "2025-06-01T00:00:00.000Z" })).toBe(0);
      });
    });

    describe("queueSummary", () => {
      it("the newest receipt of each sender (MSH-3^MSH-4), inbound only", async () => {
        const store = fresh();
        const from = (app: string, facility: string, receivedAt: string) =>
          received({ sendingApplication: app, sendingFacility: facility, receivedAt });
        await store.receive(from("EHR", "MAIN", "2026-01-01T00:00:00.000Z"));
        await store.receive(from("EHR", "MAIN", "2026-01-03T00:00:00.000Z"));
        await store.receive(from("EHR", "MAIN", "2026-01-02T00:00:00.000Z"));
        await store.receive(from("LAB", "", "2026-01-01T06:00:00.000Z"));
        await store.receive({
          ...from("PM", "X", "2026-02-01T00:00:00.000Z"),
          direction: "outbound",
        });
        expect((await store.queueSummary()).lastReceivedBySender).toEqual({
          "EHR^MAIN": "2026-01-03T00:00:00.000Z",
          "LAB^": "2026-01-01T06:00:00.000Z",
        });
      });

      it("counts per state, the oldest waiting error and the last received", async () => {
        const store = fresh();
        expect(await store.queueSummary()).toEqual({ counts: {} });
        await store.receive(received({ receivedAt: "2026-01-05T00:00:00.000Z" }));
        const e1 = await store.receive(received());
        await store.complete(
          withError(outcomeOf(e1, []), "PATIENT_NOT_FOUND"),
          at("2026-01-02T00:00:00.000Z"),
        );
        const e2 = await store.receive(received());
        await store.complete(
          withError(outcomeOf(e2, []), "PATIENT_NOT_FOUND"),
          at("2026-01-01T00:00:00.000Z"),
        );
        const ok = await store.receive(received());
        await store.complete(outcomeOf(ok, []), at("2026-01-01T00:00:00.000Z"));
        await store.receive({
          ...received({ receivedAt: "2026-02-01T00:00:00.000Z" }),
          direction: "outbound",
        });
        expect(await store.queueSummary()).toEqual({
          counts: { NEW: 2, ERROR: 2, PROCESSED: 1 },
          oldestWaitingSince: "2026-01-01T00:00:00.000Z",
          lastReceivedAt: "2026-01-05T00:00:00.000Z",
        });
      });
    });
  });
}
