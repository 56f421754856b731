import type { ReceivedMessage } from "./types.js";

/**
 * Receiving several messages in one commit (issue 18, decision 0039): each
 * stored NEW as `receive` stores it, and, when the receipt says so, with its
 * first attempt begun as `beginAttempt` marks it (counted in `unfinished`,
 * step `decide`). All are committed or none is, so a caller answers each
 * sender only once the commit that holds its message is done.
 *
 * The listener uses it for the NEW row of the message it decides next (its
 * attempt marker in the same commit) and for the rows of frames that arrive
 * together (group-receive.ts); `receive` and `beginAttempt` stay the
 * operations of everything else.
 */
export interface Receipt {
  readonly message: ReceivedMessage;
  /** ISO-8601: begin the message's first attempt in the same commit (`beginAttempt`'s `at`). */
  readonly attemptAt?: string;
}

/** The operation, synchronous as the embedded stores implement it. */
export interface SyncReceiveMany {
  /** Store every receipt's message NEW in one transaction; their message IDs in order. */
  receiveMany(receipts: readonly Receipt[]): readonly string[];
}
