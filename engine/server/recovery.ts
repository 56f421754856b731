import { parseHl7 } from "../hl7/parse.js";
import type { Outcome, QueueState } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import type { BackstopTry } from "../queue/backstop.js";
import { processStored } from "../queue/process-stored.js";
import type { Store, StoredMessage } from "../store/types.js";
import { storedAck } from "./frame.js";

/**
 * Crash recovery: a message still NEW was stored but never completed (the
 * listener died between the two). Before the listener accepts connections,
 * each is processed in receipt order, completed with the ACK it would have
 * been answered with, so that the sender's resend is answered from the
 * store as a duplicate instead of being processed again.
 *
 * A message the process died on twice (two attempts begun and never
 * completed: an out-of-memory kill, a fatal error in the runtime) would kill
 * every start again, before the listener listens. It is set aside instead:
 * ATHENAERROR with POISON_MESSAGE and the last step reached, not processed,
 * and the listener goes on.
 *
 * A decision that hits the expression backstop (engine/queue/backstop.ts)
 * leaves its message NEW; it is decided once more after the other messages,
 * as the listener does within a frame, and that second outcome stands.
 */
export interface RecoveryReport {
  readonly recovered: number;
  /** How many ended in each state. */
  readonly states: Readonly<Partial<Record<QueueState, number>>>;
  /** Messages that could not be processed (they stay NEW for the next start). */
  readonly failed: number;
  /** Messages set aside as POISON_MESSAGE (counted in `recovered` and `states` too). */
  readonly poisoned: number;
}

/** Attempts a NEW message may die in before recovery sets it aside. */
export const POISON_AFTER_ATTEMPTS = 2;

export async function recoverNewMessages(
  pack: CompiledPack,
  store: Store,
  now: () => Date,
  log: (line: string) => void,
): Promise<RecoveryReport> {
  const pending = await store.messages({ state: "NEW", direction: "inbound" });
  const states: Partial<Record<QueueState, number>> = {};
  let failed = 0;
  let poisoned = 0;
  const deferred: StoredMessage[] = [];
  const recover = async (stored: StoredMessage, backstop: BackstopTry): Promise<void> => {
    const at = now();
    const message = parseHl7(stored.raw).messages[0];
    const ackFor = (o: Outcome) => storedAck(pack, store, message, o, at);
    try {
      let outcome: Outcome;
      if (isPoisoned(stored)) {
        outcome = await setAsidePoisoned(store, stored, at, ackFor);
        poisoned += 1;
      } else {
        const result = await processStored(pack, store, stored.messageId, {
          now: at,
          completion: { kind: "receive" },
          ackFor,
          backstop,
        });
        if (!result.ok) {
          failed += 1;
          log(`recovery failed messageId=${stored.messageId} ${result.code}`);
          return;
        }
        outcome = result.outcome;
        if (outcome.state === "NEW") {
          deferred.push(stored);
          return;
        }
      }
      states[outcome.state] = (states[outcome.state] ?? 0) + 1;
      log(
        `recovered messageId=${outcome.messageId} controlId=${outcome.controlId || "-"} type=${outcome.messageType || "-"} state=${outcome.state}${outcome.errors.some((e) => e.code === "POISON_MESSAGE") ? ` errors=POISON_MESSAGE step=${stored.unfinished?.step}` : ""}`,
      );
    } catch (e) {
      failed += 1;
      log(`recovery failed messageId=${stored.messageId} ${e instanceof Error ? e.name : "error"}`);
    }
  };
  for (const stored of pending) await recover(stored, "defer");
  for (const stored of deferred) await recover(stored, "final");
  return { recovered: pending.length - failed, states, failed, poisoned };
}

/** Whether the engine stopped POISON_AFTER_ATTEMPTS times while deciding the message. */
export function isPoisoned(stored: StoredMessage): boolean {
  return (stored.unfinished?.count ?? 0) >= POISON_AFTER_ATTEMPTS;
}

/** Completes a poisoned message with its poisonOutcome and the ACK `ackFor` builds for it. */
export async function setAsidePoisoned(
  store: Store,
  stored: StoredMessage,
  at: Date,
  ackFor: (outcome: Outcome) => Promise<string>,
): Promise<Outcome> {
  const outcome = poisonOutcome(stored);
  await store.complete(outcome, {
    kind: "receive",
    now: at.toISOString(),
    ack: await ackFor(outcome),
  });
  return outcome;
}

/** A message set aside without processing: the engine died on it twice. */
export function poisonOutcome(stored: StoredMessage): Outcome {
  const unfinished = stored.unfinished;
  return {
    messageId: stored.messageId,
    controlId: stored.controlId,
    messageType: stored.messageType,
    state: "ATHENAERROR",
    actions: [],
    errors: [
      {
        code: "POISON_MESSAGE",
        severity: "error",
        value: unfinished?.step ?? "decide",
        message: `the engine stopped ${unfinished?.count ?? POISON_AFTER_ATTEMPTS} times while processing this message (the last attempt began ${unfinished?.at ?? "?"} and reached step '${unfinished?.step ?? "decide"}'): set aside, not processed; reprocess it once the cause is fixed`,
      },
    ],
    review: [],
    trace: [],
  };
}

export function formatRecovery(report: RecoveryReport): string {
  const states = Object.entries(report.states)
    .map(([state, n]) => `${state}:${n}`)
    .join(",");
  return `recovery recovered=${report.recovered} failed=${report.failed} states=${states || "-"} poisoned=${report.poisoned}`;
}
