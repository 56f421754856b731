import type { OutcomeError } from "../model/outcome.js";
import type { DeliveryOrdering } from "../pack/delivery-options.js";

/**
 * The store's half of sending outbound messages (engine/delivery/, decision
 * 0025): which message goes next, and the history of its sends. A message
 * is claimed PENDING in the transaction that records its send; the sender
 * then records what the receiver answered. Every time is the caller's: the
 * store never reads the clock.
 */

/** What the sender asks for: the next message it may send to `receiver` now. */
export interface DeliveryClaimRequest {
  readonly receiver: string;
  readonly ordering: DeliveryOrdering;
  /** ISO-8601: a message waiting for a retry until later is not sendable. */
  readonly now: string;
  /**
   * ISO-8601: the claimed message is not claimed again before this (the
   * send's lease: connect and ACK timeouts). A sender killed in the send
   * leaves it PENDING; it is sent again once the lease has passed.
   */
  readonly leaseUntil: string;
}

/** A message claimed for one send, PENDING. */
export interface ClaimedDelivery {
  readonly messageId: string;
  readonly sequence: number;
  readonly controlId: string;
  readonly messageType: string;
  /** The stored bytes: every send of the message repeats them. */
  readonly raw: Uint8Array;
  readonly patientKey?: string;
  /** This send's number, 1, 2, ... (counted against max attempts). */
  readonly send: number;
}

/** What came of one send. */
export type DeliveryResult =
  /** The receiver took it (AA, or CA then the application ACK AA/CA): PROCESSED. */
  | { readonly kind: "acknowledged"; readonly at: string; readonly ack: string }
  /** Not delivered this time: PENDING until `retryAt`. */
  | {
      readonly kind: "retry";
      readonly at: string;
      readonly cause: string;
      readonly retryAt: string;
      readonly ack?: string;
    }
  /** Refused, or out of attempts: ERROR with `error` in its outcome. */
  | {
      readonly kind: "failed";
      readonly at: string;
      readonly error: OutcomeError;
      readonly ack?: string;
    };

export type DeliveryEventKind =
  | "scheduled"
  | "sent"
  | "acknowledged"
  | "retry"
  | "failed"
  | "resend";

/** One line of a message's delivery story (`queue show`), oldest first. */
export interface DeliveryEvent {
  /** 1, 2, ... per message. */
  readonly number: number;
  readonly kind: DeliveryEventKind;
  readonly at: string;
  readonly receiver?: string;
  /** The send it belongs to (sent, acknowledged, retry, failed). */
  readonly send?: number;
  /** The ACK as received, whole. */
  readonly ack?: string;
  /** Why it waits or failed; for scheduled, until when; for resend, who. */
  readonly cause?: string;
}

/** What the sender last knew of a receiver. */
export interface ReceiverState {
  readonly receiver: string;
  readonly connected: boolean;
  /** When `connected` last changed (ISO-8601). */
  readonly since: string;
  readonly lastAckAt?: string;
}

/** A receiver with its queue: `rulepack status`, `queue list --direction outbound`, alerts. */
export interface ReceiverStatus extends ReceiverState {
  /** Outbound messages PENDING (sent, or waiting for a retry). */
  readonly pending: number;
  /** Outbound messages not yet delivered: NEW, SCHEDULED, PENDING. */
  readonly waiting: number;
  /** Receipt (build) time of the oldest of them. */
  readonly oldestWaitingSince?: string;
}

/**
 * The delivery operations of a synchronous store (SyncStore extends it;
 * the asynchronous `Store` gets each as a promise).
 */
export interface DeliveryOperations {
  /**
   * The next message that may be sent now, claimed: PENDING, its send
   * counted and recorded (`sent`), leased until `leaseUntil`, in one
   * transaction. Queue order: an outbound message NEW, SCHEDULED or PENDING
   * whose retry time has come, not held by an earlier ERROR message of the
   * same patient; with `queue` ordering only the first such message of the
   * queue, with `patient` ordering the first of each patient. Undefined:
   * nothing to send now.
   */
  claimDelivery(request: DeliveryClaimRequest): ClaimedDelivery | undefined;
  /**
   * Record what came of send `send` of the message; its state moves
   * (PROCESSED, PENDING, ERROR) only while that send is the message's
   * latest, so a late answer never undoes a newer send. Returns whether it
   * moved.
   */
  finishDelivery(messageId: string, send: number, result: DeliveryResult): boolean;
  /** Outbound messages NEW move to SCHEDULED until `until` (outside the send windows); returns how many. */
  scheduleDeliveries(at: string, until: string): number;
  /**
   * Send the message again as stored (same bytes, same MSH-10): an outbound
   * message in ERROR or PROCESSED goes back to NEW with its sends counted
   * from 0 (`deliver --resend`). `by` is recorded.
   */
  resendDelivery(messageId: string, at: string, by: string): void;
  /** The message's delivery story, oldest first. */
  deliveryEvents(messageId: string): readonly DeliveryEvent[];
  /** Record what the sender knows of the receiver now. */
  setReceiverState(state: ReceiverState): void;
  /** Every receiver the sender has known, with the outbound queue. */
  receiverStatuses(): readonly ReceiverStatus[];
}

/** The states an outbound message waits in before it is delivered. */
export const UNDELIVERED_STATES = ["NEW", "SCHEDULED", "PENDING"] as const;

/**
 * Thrown by `resendDelivery` for a message that is not an outbound message
 * in ERROR or PROCESSED with bytes to send.
 */
export class NotResendableError extends Error {
  override readonly name = "NotResendableError";
  constructor(
    readonly messageId: string,
    why: string,
  ) {
    super(`${messageId} cannot be resent: ${why}`);
  }
}
