import { parseHl7 } from "../hl7/parse.js";
import type { ProcessOptions } from "../inbound/process.js";
import { unparseableOutcome } from "../inbound/process.js";
import type { Outcome } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import type { Completion, Store } from "../store/types.js";
import type { BackstopTry } from "./backstop.js";
import { completeSafely, decide, decideAndComplete, duplicateOutcome } from "./intake.js";

/**
 * Process a message already in the queue again, from its stored bytes,
 * against the current pack and store: crash recovery of NEW messages,
 * reprocessing after a fix, a review decision. The attempt is recorded
 * with its own clock.
 */
export interface StoredProcessing {
  readonly now: Date;
  readonly completion: Omit<Completion, "now">;
  readonly process?: ProcessOptions;
  readonly ackFor?: (outcome: Outcome) => string | Promise<string>;
  /** A hit of the expression backstop (backstop.ts): by default decided again at once. */
  readonly backstop?: BackstopTry;
  /** Decisions taken before giving up when other writers keep changing the store (decideAndComplete). */
  readonly maxDecisions?: number;
}

export type StoredOutcome =
  | { readonly ok: true; readonly outcome: Outcome }
  | { readonly ok: false; readonly code: "UNKNOWN_MESSAGE"; readonly message: string };

export async function processStored(
  pack: CompiledPack,
  store: Store,
  messageId: string,
  options: StoredProcessing,
): Promise<StoredOutcome> {
  const stored = await store.message(messageId);
  if (!stored) return { ok: false, code: "UNKNOWN_MESSAGE", message: `no message ${messageId}` };
  const doc = parseHl7(stored.raw);
  const message = doc.messages[0];
  const completion = async (outcome: Outcome): Promise<Completion> => ({
    ...options.completion,
    now: options.now.toISOString(),
    ...(options.ackFor && { ack: await options.ackFor(outcome) }),
  });
  if (stored.duplicateOf !== undefined) {
    // A transport duplicate (a resend left NEW by a crash): its original was
    // processed; processing the resend would apply the message twice.
    const original = (await store.message(stored.duplicateOf)) ?? {
      ...stored,
      messageId: stored.duplicateOf,
    };
    const outcome = duplicateOutcome(messageId, original);
    return {
      ok: true,
      outcome: await completeSafely(store, outcome, async (o) => ({
        ...(await completion(o)),
        kind: "duplicate",
      })),
    };
  }
  if (!message) {
    const issues = doc.issues.filter((i) => i.severity === "error");
    return {
      ok: true,
      outcome: await completeSafely(store, unparseableOutcome(messageId, issues), completion),
    };
  }
  const issues = doc.issues.filter((i) => i.messageIndex === message.index);
  const outcome = await decideAndComplete(
    store,
    (view) =>
      decide(pack, view, message, messageId, issues, { ...options.process, now: options.now }),
    completion,
    { messageId, at: options.now.toISOString() },
    options.backstop,
    options.maxDecisions,
  );
  return { ok: true, outcome };
}
