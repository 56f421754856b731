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
      it("each complete records one attempt with its clock, kind, actor, note and ACK", () => {
        const store = fresh();
        const id = store.receive(received());
        const first = withError(outcomeOf(id, []), "UNMAPPED_INSURANCE", "HMP-100");
        store.complete(first, at("2026-01-01T12:00:01.000Z", { ack: "MSH|ack1" }));
        const second = outcomeOf(id, [createPatient()]);
        store.complete(
          second,
          at("2026-01-02T09:00:00.000Z", {
            kind: "reprocess",
            at: "2026-01-02T09:00:05.000Z",
            actor: "dana",
            note: "blocked-on UNMAPPED_INSURANCE:HMP-100",
          }),
        );
        expect(store.attempts(id)).toEqual([
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
        const stored = store.message(id);
        expect(stored?.state).toBe("PROCESSED");
        expect(stored?.stateAt).toBe("2026-01-02T09:00:05.000Z");
        expect(stored?.ack).toBe("MSH|ack1");
        expect(stored?.patientId).toBe(ALICE.id);
      });

      it("setState DELETED keeps the outcome and records who and when", () => {
        const store = fresh();
        const id = store.receive(received());
        const outcome = withError(outcomeOf(id, []), "REVIEW_REQUIRED");
        store.complete(outcome, at("2026-01-01T12:00:00.000Z"));
        store.setState(id, "DELETED", {
          kind: "delete",
          now: "2026-01-03T08:00:00.000Z",
          actor: "lee",
        });
        expect(store.message(id)).toMatchObject({
          state: "DELETED",
          stateAt: "2026-01-03T08:00:00.000Z",
          outcome,
        });
        expect(store.attempts(id).map((a) => [a.kind, a.state, a.actor])).toEqual([
          ["receive", "ERROR", undefined],
          ["delete", "DELETED", "lee"],
        ]);
        expect(() => store.setState("q-000404", "DELETED", at("2026-01-01T00:00:00Z"))).toThrow();
      });

      it("a message never completed has no attempts", () => {
        const store = fresh();
        expect(store.attempts(store.receive(received()))).toEqual([]);
        expect(store.attempts("q-000404")).toEqual([]);
      });
    });

    describe("beginAttempt and reachStep: processing that never ended", () => {
      it("a begun attempt is counted with its step and time until the message completes", () => {
        const store = fresh();
        const id = store.receive(received());
        expect(store.message(id)?.unfinished).toBeUndefined();
        store.beginAttempt(id, "2026-01-01T12:00:01.000Z");
        expect(store.message(id)?.unfinished).toEqual({
          count: 1,
          step: "decide",
          at: "2026-01-01T12:00:01.000Z",
        });
        store.reachStep(id, "complete");
        store.beginAttempt(id, "2026-01-01T12:05:00.000Z");
        expect(store.message(id)?.unfinished).toEqual({
          count: 2,
          step: "decide",
          at: "2026-01-01T12:05:00.000Z",
        });
        store.reachStep(id, "complete");
        expect(store.message(id)?.unfinished?.step).toBe("complete");
        expect(store.messages({ state: "NEW" })[0]?.unfinished?.count).toBe(2);
        store.complete(outcomeOf(id, []), at("2026-01-01T12:05:01.000Z"));
        expect(store.message(id)?.unfinished).toBeUndefined();
        expect(store.message(id)?.state).toBe("PROCESSED");
      });

      it("a message deleted by a person has no unfinished attempt", () => {
        const store = fresh();
        const id = store.receive(received());
        store.beginAttempt(id, "2026-01-01T12:00:01.000Z");
        store.setState(id, "DELETED", at("2026-01-02T00:00:00.000Z", { kind: "delete" }));
        expect(store.message(id)?.unfinished).toBeUndefined();
      });

      it("an unknown message is refused", () => {
        const store = fresh();
        expect(() => store.beginAttempt("q-000404", "2026-01-01T12:00:00.000Z")).toThrow(
          UnknownMessageError,
        );
        expect(() => store.reachStep("q-000404", "complete")).toThrow(UnknownMessageError);
      });
    });

    describe("record: received and completed at once", () => {
      it("is never NEW: one attempt, the outcome's state, its message ID given to the outcome", () => {
        const store = fresh();
        const id = store.record(
          { ...received(), direction: "outbound" },
          (messageId) => ({ ...outcomeOf(messageId, []), messageType: "appointmentCancel" }),
          at("2026-01-01T12:00:00.000Z"),
        );
        expect(store.message(id)).toMatchObject({ state: "PROCESSED", direction: "outbound" });
        expect(store.message(id)?.outcome?.messageId).toBe(id);
        expect(store.attempts(id)).toHaveLength(1);
      });

      it("an outcome that cannot be completed leaves no message behind", () => {
        const store = fresh();
        expect(() =>
          store.record(
            received(),
            () => outcomeOf("q-000404", [], "ERROR"),
            at("2026-01-01T12:00:00.000Z"),
          ),
        ).toThrow();
        expect(store.messages()).toEqual([]);
        expect(store.receive(received())).toBe("q-000001");
      });
    });

    describe("messages(filter)", () => {
      const setUp = (store: Store) => {
        const a04 = store.receive(
          received({ messageType: "ADT^A04^ADT_A01", patientKey: "MRN1^^^EHR" }),
        );
        store.complete(
          withError(outcomeOf(a04, []), "UNMAPPED_INSURANCE", "HMP-100"),
          at("2026-01-01T00:00:00.000Z"),
        );
        const siu = store.receive(
          received({
            messageType: "SIU^S12",
            patientKey: "MRN1^^^EHR",
            receivedAt: "2026-01-02T00:00:00.000Z",
          }),
        );
        store.complete(
          withError(outcomeOf(siu, []), "PATIENT_NOT_FOUND"),
          at("2026-01-01T00:00:00.000Z"),
        );
        const a08 = store.receive(
          received({ messageType: "ADT^A08", receivedAt: "2026-01-03T00:00:00.000Z" }),
        );
        store.complete(outcomeOf(a08, [createPatient()]), at("2026-01-01T00:00:00.000Z"));
        const other = store.receive(
          received({ messageType: "ADT^A04", receivedAt: "2026-01-04T00:00:00.000Z" }),
        );
        store.complete(
          withError(outcomeOf(other, []), "UNMAPPED_INSURANCE", "OTHER"),
          at("2026-01-01T00:00:00.000Z"),
        );
        return { a04, siu, a08, other };
      };
      const ids = (store: Store, filter: Parameters<Store["messages"]>[0]) =>
        store.messages(filter).map((m) => m.messageId);

      it("by type: the message code, or code and trigger with or without structure", () => {
        const store = fresh();
        const m = setUp(store);
        expect(ids(store, { type: "ADT" })).toEqual([m.a04, m.a08, m.other]);
        expect(ids(store, { type: "ADT^A04" })).toEqual([m.a04, m.other]);
        expect(ids(store, { type: "SIU^S12" })).toEqual([m.siu]);
        expect(ids(store, { type: "AD" })).toEqual([]);
      });

      it("by error code, and by code and value (what a message waits on)", () => {
        const store = fresh();
        const m = setUp(store);
        expect(ids(store, { code: "UNMAPPED_INSURANCE" })).toEqual([m.a04, m.other]);
        expect(ids(store, { code: "UNMAPPED_INSURANCE", value: "HMP-100" })).toEqual([m.a04]);
        expect(ids(store, { code: "PATIENT_NOT_FOUND" })).toEqual([m.siu]);
      });

      it("by states, since, patient key, patient and sequence, combined", () => {
        const store = fresh();
        const m = setUp(store);
        expect(ids(store, { states: ["ERROR", "CBOERROR"] })).toEqual([m.a04, m.siu, m.other]);
        expect(ids(store, { since: "2026-01-02T00:00:00.000Z" })).toEqual([m.siu, m.a08, m.other]);
        expect(ids(store, { patientKey: "MRN1^^^EHR" })).toEqual([m.a04, m.siu]);
        expect(ids(store, { patientId: ALICE.id })).toEqual([m.a08]);
        const first = store.message(m.a04)?.sequence ?? 0;
        expect(ids(store, { afterSequence: first, state: "ERROR" })).toEqual([m.siu, m.other]);
        expect(ids(store, { direction: "outbound" })).toEqual([]);
        expect(ids(store, { states: [] })).toEqual([]);
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

      it("finds the earliest original with the same key within the window", () => {
        const store = fresh();
        const original = store.receive(received(header));
        store.receive(received({ ...header, duplicateOf: original }));
        expect(store.findDuplicate(key, "2026-01-01T00:00:00.000Z")?.messageId).toBe(original);
        expect(store.findDuplicate(key, "2026-01-01T12:00:00.001Z")).toBeUndefined();
      });

      it("a reused control ID with other content, sender or facility is not a duplicate", () => {
        const store = fresh();
        store.receive(received(header));
        const since = "2026-01-01T00:00:00.000Z";
        expect(store.findDuplicate({ ...key, contentHash: "other" }, since)).toBeUndefined();
        expect(store.findDuplicate({ ...key, sendingApplication: "LAB" }, since)).toBeUndefined();
        expect(store.findDuplicate({ ...key, sendingFacility: "F2" }, since)).toBeUndefined();
        expect(store.findDuplicate({ ...key, controlId: "CTRL2" }, since)).toBeUndefined();
      });
    });

    describe("prune", () => {
      it("removes PROCESSED and DELETED messages that entered their state before the cutoff", () => {
        const store = fresh();
        const old = store.receive(received());
        store.complete(outcomeOf(old, []), at("2025-01-01T00:00:00.000Z"));
        const recent = store.receive(received());
        store.complete(outcomeOf(recent, []), at("2026-01-01T00:00:00.000Z"));
        const deleted = store.receive(received());
        store.complete(
          withError(outcomeOf(deleted, []), "REVIEW_REQUIRED"),
          at("2025-01-15T00:00:00.000Z"),
        );
        store.setState(deleted, "DELETED", at("2025-02-01T00:00:00.000Z", { kind: "delete" }));
        const error = store.receive(received());
        store.complete(
          withError(outcomeOf(error, []), "PATIENT_NOT_FOUND"),
          at("2024-01-01T00:00:00.000Z"),
        );
        expect(
          store.prune({
            PROCESSED: "2025-06-01T00:00:00.000Z",
            DELETED: "2025-06-01T00:00:00.000Z",
          }),
        ).toBe(2);
        expect(store.messages().map((m) => m.messageId)).toEqual([recent, error]);
        expect(store.attempts(old)).toEqual([]);
        expect(store.prune({ PROCESSED: "2025-06-01T00:00:00.000Z" })).toBe(0);
      });
    });

    describe("queueSummary", () => {
      it("the newest receipt of each sender (MSH-3^MSH-4), inbound only", () => {
        const store = fresh();
        const from = (app: string, facility: string, receivedAt: string) =>
          received({ sendingApplication: app, sendingFacility: facility, receivedAt });
        store.receive(from("EHR", "MAIN", "2026-01-01T00:00:00.000Z"));
        store.receive(from("EHR", "MAIN", "2026-01-03T00:00:00.000Z"));
        store.receive(from("EHR", "MAIN", "2026-01-02T00:00:00.000Z"));
        store.receive(from("LAB", "", "2026-01-01T06:00:00.000Z"));
        store.receive({ ...from("PM", "X", "2026-02-01T00:00:00.000Z"), direction: "outbound" });
        expect(store.queueSummary().lastReceivedBySender).toEqual({
          "EHR^MAIN": "2026-01-03T00:00:00.000Z",
          "LAB^": "2026-01-01T06:00:00.000Z",
        });
      });

      it("counts per state, the oldest waiting error and the last received", () => {
        const store = fresh();
        expect(store.queueSummary()).toEqual({ counts: {} });
        store.receive(received({ receivedAt: "2026-01-05T00:00:00.000Z" }));
        const e1 = store.receive(received());
        store.complete(
          withError(outcomeOf(e1, []), "PATIENT_NOT_FOUND"),
          at("2026-01-02T00:00:00.000Z"),
        );
        const e2 = store.receive(received());
        store.complete(
          withError(outcomeOf(e2, []), "PATIENT_NOT_FOUND"),
          at("2026-01-01T00:00:00.000Z"),
        );
        const ok = store.receive(received());
        store.complete(outcomeOf(ok, []), at("2026-01-01T00:00:00.000Z"));
        store.receive({
          ...received({ receivedAt: "2026-02-01T00:00:00.000Z" }),
          direction: "outbound",
        });
        expect(store.queueSummary()).toEqual({
          counts: { NEW: 2, ERROR: 2, PROCESSED: 1 },
          oldestWaitingSince: "2026-01-01T00:00:00.000Z",
          lastReceivedAt: "2026-01-05T00:00:00.000Z",
        });
      });
    });
  });
}
