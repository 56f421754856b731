import type { ReceivedMessage } from "./types.js";

/**
 * Receiving several messages in one commit (issue 18, decision 0039): each
 * stored NEW as `receive` stores it, and, when the receipt says so, with its
 * first attempt begun as `beginAttempt` marks it (counted in `unfinished`,
 * step `decide`). All are committed or none is, so a caller answers each
 * sender only once the commit that holds its message is done.
 *
 * `receive` with `attemptAt` is the same for one message: the NEW row of a
 * message decided at once carries its attempt marker (intake.ts).
 */
export interface Receipt extends ReceiveOptions {
  readonly message: ReceivedMessage;
}

/** `receive`'s options. */
export interface ReceiveOptions {
  /** ISO-8601: begin the message's first attempt in the same commit (`beginAttempt`'s `at`). */
  readonly attemptAt?: string;
}

/** The operation, synchronous as the embedded stores implement it. */
export interface SyncReceiveMany {
  /** Store every receipt's message NEW in one transaction; their message IDs in order. */
  receiveMany(receipts: readonly Receipt[]): readonly string[];
}
