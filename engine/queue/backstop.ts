import type { Outcome } from "../model/outcome.js";

/**
 * The expression backstop (`limits.expressions.timeoutMs`) reads the wall
 * clock, so hitting it says more about the machine than about the message:
 * a message whose decision hit it is decided once more, and only a second
 * hit is its outcome (ATHENAERROR EXPRESSION_TIMEOUT).
 *
 *   defer   the first try of a message among others (a frame, a file,
 *           crash recovery's NEW messages): a hit leaves the message NEW,
 *           to be decided again after the rest
 *   final   that second try: the outcome stands, hit or not
 *   retry   a message decided on its own (reprocess, a review): a hit is
 *           decided again at once, and the second outcome stands
 */
export type BackstopTry = "defer" | "final" | "retry";

export function hitBackstop(outcome: Outcome): boolean {
  return outcome.errors.some((e) => e.code === "EXPRESSION_TIMEOUT");
}

/** Decide under the backstop rule; a deferred outcome is NEW and must not be completed. */
export async function decideUnderBackstop(
  decideOnce: () => Promise<Outcome>,
  attempt: BackstopTry,
): Promise<Outcome> {
  const outcome = await decideOnce();
  if (attempt === "final" || !hitBackstop(outcome)) return outcome;
  if (attempt === "defer") return { ...outcome, state: "NEW", actions: [] };
  return decideOnce();
}
