import { parseHl7 } from "../hl7/parse.js";
import { matchingKey } from "../inbound/external-ids.js";
import type { StaleReprocess } from "../inbound/stale.js";
import type { ErrorCode, Outcome, QueueState, ReviewDecision } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import { subjectPatientId } from "../store/queue-records.js";
import type { Completion, Store, StoredMessage } from "../store/types.js";
import { decide } from "./intake.js";
import { processStored } from "./process-stored.js";
import { heldBehind, outboundSource, rebuildWithHeld } from "./rebuild-outbound.js";
import { standingDecision } from "./review-notes.js";

/**
 * Reprocessing (the spec's "map the foreign ID ... the message goes
 * through"): messages waiting in the queue are processed again against the
 * current store and pack, in receipt order; after each one that succeeds,
 * the same patient's later messages that failed only because of it follow,
 * and theirs after them. Each attempt reads the clock once and is recorded
 * with that `now`.
 */

/** States a message waits in for a person, the only ones reprocessing takes. */
export const REPROCESSABLE: readonly QueueState[] = ["ERROR", "CBOERROR", "ATHENAERROR"];

/**
 * What a message of this type, once processed, may have been blocking: per
 * dependent message type, the errors that were only its absence. An ADT
 * registers the patient an SIU or DFT did not find; an SIU (the S12) makes
 * the appointment a later SIU or DFT did not find.
 */
const UNBLOCKS: Readonly<Record<string, Readonly<Record<string, readonly ErrorCode[]>>>> = {
  ADT: { SIU: ["PATIENT_NOT_FOUND"], DFT: ["PATIENT_NOT_FOUND"] },
  SIU: { SIU: ["APPOINTMENT_NOT_FOUND"], DFT: ["APPOINTMENT_NOT_MATCHED"] },
};

export interface ReprocessOptions {
  /** Read once per attempt. */
  readonly clock: () => Date;
  readonly actor?: string;
  /** Apply a stale message's actions over newer values. */
  readonly force: boolean;
  /** Why the roots are reprocessed, recorded with their attempts (`blocked-on CODE:VALUE`). */
  readonly note?: string;
}

/** The first message is processed with a person's review decision, recorded as a `review` attempt. */
export interface ReviewedRoot {
  readonly decision: ReviewDecision;
  readonly note: string;
}

/** One attempt as the commands report it. */
export interface ReprocessAttempt {
  readonly messageId: string;
  readonly controlId: string;
  readonly messageType: string;
  readonly from: QueueState;
  readonly to: QueueState;
  /** The new outcome; absent for a rejected review, which is not processed. */
  readonly outcome?: Outcome;
  /** For a dependent: the message whose success let it through. */
  readonly after?: string;
  /** For an outbound message built again (a new message): the one it replaces. */
  readonly replaces?: string;
}

export type Selection =
  | { readonly ok: true; readonly messages: readonly StoredMessage[] }
  | { readonly ok: false; readonly message: string; readonly code?: string };

const typeCode = (m: StoredMessage): string => m.messageType.split("^")[0] ?? "";

const waiting = (m: StoredMessage): boolean =>
  m.direction === "inbound" ? REPROCESSABLE.includes(m.state) : m.state === "ERROR";

/**
 * `ID...`: every one must be a waiting inbound message or an outbound
 * message in ERROR with the event it was built from; receipt order.
 */
export async function selectByIds(store: Store, ids: readonly string[]): Promise<Selection> {
  const messages: StoredMessage[] = [];
  for (const id of ids) {
    const m = await store.message(id);
    if (!m) return { ok: false, message: `no message ${id} in the store` };
    if (!waiting(m)) {
      return {
        ok: false,
        message:
          m.direction === "inbound"
            ? `${id} is ${m.state}: only inbound messages waiting in ${REPROCESSABLE.join(", ")} are reprocessed`
            : `${id} is outbound ${m.state}: only outbound messages in ERROR are built again`,
      };
    }
    if (m.direction === "outbound") {
      // It and the patient's messages held behind it, built again after it, need their events.
      for (const each of [m, ...(await heldBehind(store, m))]) {
        const source = await outboundSource(store, each);
        if (!source.ok) return { ok: false, message: source.message, code: source.code };
      }
    }
    if (!messages.some((s) => s.messageId === id)) messages.push(m);
  }
  return { ok: true, messages: messages.sort((a, b) => a.sequence - b.sequence) };
}

/** `--blocked-on CODE[:VALUE]`: the waiting messages with an error of that code (and value). */
export async function selectBlockedOn(
  store: Store,
  code: string,
  value?: string,
): Promise<Selection> {
  const messages = (
    await store.messages({
      states: REPROCESSABLE,
      direction: "inbound",
      code,
      ...(value !== undefined && { value }),
    })
  ).filter((m) =>
    (m.outcome?.errors ?? []).some(
      (e) =>
        e.severity === "error" && e.code === code && (value === undefined || e.value === value),
    ),
  );
  if (messages.length === 0) {
    const what = value === undefined ? code : `${code}:${value}`;
    return { ok: false, message: `no message in ${REPROCESSABLE.join(", ")} waits on ${what}` };
  }
  return { ok: true, messages };
}

/**
 * Reprocess `roots` and, after each success, its dependents, all in receipt
 * order; a message is attempted at most once per call.
 */
export async function reprocessMessages(
  pack: CompiledPack,
  store: Store,
  roots: readonly StoredMessage[],
  options: ReprocessOptions,
  reviewed?: ReviewedRoot,
): Promise<ReprocessAttempt[]> {
  const attempts: ReprocessAttempt[] = [];
  const pending: { message: StoredMessage; after?: string }[] = roots.map((message) => ({
    message,
  }));
  const seen = new Set(roots.map((m) => m.messageId));
  const reviewedId = reviewed && roots[0]?.messageId;
  pending.sort((a, b) => a.message.sequence - b.message.sequence);
  for (let next = pending.shift(); next; next = pending.shift()) {
    const { message, after } = next;
    if (message.direction === "outbound") {
      const source = await outboundSource(store, message);
      if (source.ok) {
        attempts.push(
          ...(await rebuildWithHeld(
            pack,
            store,
            message,
            source,
            options.clock,
            seen,
            options.actor,
          )),
        );
      }
      continue;
    }
    const review = message.messageId === reviewedId ? reviewed : undefined;
    // A decision taken in an earlier review still holds (not recorded again as a review).
    const decision = review?.decision ?? (await standingDecision(store, message.messageId));
    const now = options.clock();
    const stale = await staleness(pack, store, message, now, decision, options.force);
    const note = review?.note ?? (after ? `after ${after}` : options.note);
    const completion: Omit<Completion, "now"> = {
      kind: review ? "review" : "reprocess",
      ...(options.actor !== undefined && { actor: options.actor }),
      ...(note !== undefined && { note }),
    };
    const result = await processStored(pack, store, message.messageId, {
      now,
      completion,
      process: {
        ...(decision && { review: decision }),
        ...(stale && { stale }),
      },
    });
    // Gone since it was selected (another process pruned it): nothing was attempted.
    if (!result.ok) continue;
    const { outcome } = result;
    attempts.push({
      messageId: message.messageId,
      controlId: message.controlId,
      messageType: message.messageType,
      from: message.state,
      to: outcome.state,
      outcome,
      ...(after !== undefined && { after }),
    });
    if (outcome.state !== "PROCESSED") continue;
    for (const dependent of await dependentsOf(pack, store, message)) {
      if (seen.has(dependent.messageId)) continue;
      seen.add(dependent.messageId);
      pending.push({ message: dependent, after: message.messageId });
    }
    pending.sort((a, b) => a.message.sequence - b.message.sequence);
  }
  return attempts;
}

/**
 * The same patient's later messages in ERROR whose errors are all ones
 * `blocker`'s success removes. "The same patient" is the sender's patient
 * identifier (the queue's `patientKey`, PID-3 `ID^^^AUTHORITY`) as the
 * matcher normalises it: with the patient external ID used for matching
 * set to `leadingZeros: strip`, `00077` and `77` are one patient. The ERROR
 * messages received after the blocker are few (people work them), so the
 * comparison is made here rather than by the store.
 */
export async function dependentsOf(
  pack: CompiledPack,
  store: Store,
  blocker: StoredMessage,
): Promise<StoredMessage[]> {
  const unblocked = UNBLOCKS[typeCode(blocker)];
  if (!unblocked || blocker.patientKey === undefined) return [];
  const key = patientMatchingKey(pack, blocker.patientKey);
  return (
    await store.messages({ state: "ERROR", direction: "inbound", afterSequence: blocker.sequence })
  )
    .filter((m) => m.patientKey !== undefined && patientMatchingKey(pack, m.patientKey) === key)
    .filter((m) => {
      const codes = unblocked[typeCode(m)] ?? [];
      const errors = (m.outcome?.errors ?? []).filter((e) => e.severity === "error");
      return errors.length > 0 && errors.every((e) => codes.includes(e.code));
    });
}

/** `ID^^^AUTHORITY` with the ID as the pack's matching external ID keys it. */
function patientMatchingKey(pack: CompiledPack, patientKey: string): string {
  const matching = pack.externalIds.patient.find(
    (id) => id.useForMatching && id.direction !== "outbound",
  );
  const [id = "", ...rest] = patientKey.split("^");
  return [matchingKey(id, matching?.leadingZeros ?? "keep"), ...rest].join("^");
}

/**
 * Whether the message is older than what the store already applied to the
 * patient it concerns: a dry run (nothing applied) names the patient, then
 * the queue is asked for a PROCESSED message of that patient received later.
 */
async function staleness(
  pack: CompiledPack,
  store: Store,
  message: StoredMessage,
  now: Date,
  review: ReviewDecision | undefined,
  force: boolean,
): Promise<StaleReprocess | undefined> {
  const doc = parseHl7(message.raw);
  const tree = doc.messages[0];
  if (!tree) return undefined;
  const issues = doc.issues.filter((i) => i.messageIndex === tree.index);
  const { view } = await store.openView();
  const dry = await decide(pack, view, tree, message.messageId, issues, {
    now,
    ...(review && { review }),
  });
  const patientId = subjectPatientId(dry);
  if (patientId === undefined) return undefined;
  const newer = (
    await store.messages({
      patientId,
      state: "PROCESSED",
      direction: "inbound",
      afterSequence: message.sequence,
    })
  ).at(-1);
  return newer && { patientId, newerMessageId: newer.messageId, force };
}
