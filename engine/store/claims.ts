import type { StoredMessage } from "./types.js";

/**
 * Claims: how several workers (in one process or on several machines over
 * one database) share the inbound queue (docs/decisions/0023).
 *
 * A message is claimable when it is an inbound NEW message, its lease (if
 * any) has ended, and no earlier message of its lane is still NEW. A lane is
 * the sender's patient identifier as the queue records it (MSH-3, MSH-4 and
 * PID-3: `sendingApplication`, `sendingFacility`, `patientKey`); every
 * message without a `patientKey` is in one lane of its own. So one patient's
 * messages (as the sender names the patient) are decided one at a time in
 * receipt order, and different patients in parallel.
 *
 * Claiming takes the oldest claimable message, sets its lease (worker and
 * end) and counts the attempt as `beginAttempt` does, in one short committed
 * transaction: a worker that dies leaves the count behind, and the message is
 * claimable again once the lease ends (crash recovery's poison rule then
 * applies to it). The store never reads the clock: the caller passes `now`
 * and the lease's end.
 */
export interface ClaimRequest {
  /** Who claims (a name unique among the workers on the database: host, process, loop). */
  readonly worker: string;
  /** ISO-8601: the claimer's clock; a lease ending at or before it has expired. */
  readonly now: string;
  /** ISO-8601: the end of the lease taken. */
  readonly leaseUntil: string;
}

/** A message taken by `claimNext`. */
export interface ClaimedMessage {
  /**
   * The message as it was before the claim: its `unfinished` are the attempts
   * earlier claimers (or listeners) began and never completed.
   */
  readonly message: StoredMessage;
  readonly worker: string;
  readonly leaseUntil: string;
}

/** The claim operations, synchronous as the embedded stores implement them. */
export interface SyncClaimOperations {
  /** Take the oldest claimable message (see above); undefined when none is. */
  claimNext(request: ClaimRequest): ClaimedMessage | undefined;
  /**
   * Move the lease's end while the worker is still deciding: true when the
   * message is still NEW and leased to `worker`, false when it is not (it
   * was finished, or another worker claimed it after the lease ended).
   */
  renewClaim(messageId: string, worker: string, leaseUntil: string): boolean;
  /** Of these messages, the ones no longer NEW (the listener waits on them to answer). */
  finishedAmong(messageIds: readonly string[]): readonly StoredMessage[];
}

/** The lane of a message: the sender's patient key, or the one lane of messages without one. */
export function laneOf(m: {
  readonly patientKey?: string;
  readonly sendingApplication?: string;
  readonly sendingFacility?: string;
}): string {
  return m.patientKey === undefined
    ? ""
    : `${m.sendingApplication ?? ""}\u0000${m.sendingFacility ?? ""}\u0000${m.patientKey}`;
}

/**
 * The claimable message among the NEW inbound ones (receipt order): the
 * rule every store implements, written once over a list (the memory store's
 * implementation; the SQL stores say the same in SQL).
 */
export function firstClaimable(
  pending: readonly StoredMessage[],
  leaseOf: (messageId: string) => string | undefined,
  now: string,
): StoredMessage | undefined {
  const blocked = new Set<string>();
  for (const m of pending) {
    const lane = laneOf(m);
    if (blocked.has(lane)) continue;
    blocked.add(lane);
    const until = leaseOf(m.messageId);
    if (until === undefined || until <= now) return m;
  }
  return undefined;
}

/**
 * A claimed message is completed as received once: a second `complete` of
 * kind `receive` is refused and writes nothing (the memory store's error;
 * the SQL stores refuse it by a trigger). A worker whose lease ran out while
 * another finished the message gets it and applies nothing. Messages never
 * claimed (the single lane, `rulepack run`) are not checked.
 */
export class ReceivedTwiceError extends Error {
  override readonly name = "ReceivedTwiceError";
  constructor(readonly messageId: string) {
    super(`${messageId} was already completed as received (another worker finished it)`);
  }
}
