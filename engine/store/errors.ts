/**
 * An action the store cannot apply: a broken invariant between the decision
 * and the stored data (a duplicate ID, a record that is not there, a policy
 * that is not the one the action names). `complete` throws it after rolling
 * the whole message back; the caller records the message ATHENAERROR.
 */
export type StoreErrorCode = "DUPLICATE_ID" | "NOT_FOUND" | "CONFLICT" | "INVALID_ACTION";

export class StoreActionError extends Error {
  override readonly name = "StoreActionError";
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** The 0-based index of the failing action in the outcome, and its type. */
    readonly actionIndex?: number,
    readonly actionType?: string,
  ) {
    super(message);
  }
}

/**
 * Thrown by `complete` when another process committed to the store after
 * the decision read it (`basedOn` is no longer the view's version): the
 * decision may rest on stale records, so nothing is written and the caller
 * decides again.
 */
export class StaleViewError extends Error {
  override readonly name = "StaleViewError";
  constructor(readonly messageId: string) {
    super(`the store changed while ${messageId} was decided`);
  }
}

/** Thrown by `complete` for a message ID that `receive` never returned. */
export class UnknownMessageError extends Error {
  override readonly name = "UnknownMessageError";
  constructor(readonly messageId: string) {
    super(`no message ${messageId} in the store: receive() it before complete()`);
  }
}
