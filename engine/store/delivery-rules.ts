import type { Outcome, QueueState } from "../model/outcome.js";
import type { DeliveryOrdering } from "../pack/delivery-options.js";
import type { DeliveryEvent, DeliveryResult } from "./delivery.js";

/**
 * What every store decides alike about delivery (memory, SQLite and
 * PostgreSQL read their rows, then ask here): which message is next, and
 * what a send's result does to the message.
 */

/** An outbound message waiting or in ERROR, as the claim reads it (queue order). */
export interface PickRow {
  readonly sequence: number;
  readonly state: QueueState;
  readonly patientKey?: string | null;
  /** Not sendable before (a retry time or a send's lease). */
  readonly dueAt?: string | null;
}

/**
 * The first sendable row, or undefined. A row after an ERROR row of its
 * patient is held and ignored (it does not stop the queue for others).
 * `queue`: only the first row not held may go, when it is due. `patient`:
 * the first not-held row of each patient may go, when due. A `busy` row
 * (another process holds its lock) counts as in flight: it is never
 * picked, and blocks what it would block when not due.
 */
export function pickSendable(
  rows: readonly PickRow[],
  ordering: DeliveryOrdering,
  now: string,
  busy: ReadonlySet<number> = new Set(),
): PickRow | undefined {
  const errored = new Set<string>();
  const started = new Set<string>();
  for (const row of rows) {
    const key = row.patientKey ?? undefined;
    if (row.state === "ERROR") {
      if (key !== undefined) errored.add(key);
      continue;
    }
    if (key !== undefined && errored.has(key)) continue;
    const due = !busy.has(row.sequence) && (row.dueAt == null || row.dueAt <= now);
    if (ordering === "queue") return due ? row : undefined;
    if (key !== undefined) {
      if (started.has(key)) continue;
      started.add(key);
    }
    if (due) return row;
  }
  return undefined;
}

/** The state a send's result leaves the message in. */
export function stateAfter(result: DeliveryResult): QueueState {
  if (result.kind === "acknowledged") return "PROCESSED";
  return result.kind === "retry" ? "PENDING" : "ERROR";
}

/** The event a send's result is recorded as: its ACK when one came, why it waits or failed. */
export function resultEvent(send: number, result: DeliveryResult): Omit<DeliveryEvent, "number"> {
  return {
    kind: result.kind,
    at: result.at,
    send,
    ...(result.ack !== undefined && { ack: result.ack }),
    ...(result.kind === "retry" && { cause: result.cause }),
    ...(result.kind === "failed" && { cause: result.error.message }),
  };
}

/** Which message an outcome is about (an outbound message is queued without one). */
export interface OutcomeIdentity {
  readonly messageId: string;
  readonly controlId: string;
  readonly messageType: string;
}

/**
 * The outcome kept with the message, moved to `state` (a failure's error
 * added, a delivery error dropped when it is sent again or delivered); one
 * is made for a message queued without an outcome.
 */
export function outcomeAfter(
  json: string | null | undefined,
  identity: OutcomeIdentity,
  state: QueueState,
  result?: DeliveryResult,
): string {
  const outcome: Outcome =
    json == null
      ? { ...identity, state, actions: [], errors: [], review: [], trace: [] }
      : (JSON.parse(json) as Outcome);
  const kept = outcome.errors.filter((e) => !DELIVERY_CODES.has(e.code));
  const errors =
    result?.kind === "failed"
      ? [...kept, result.error]
      : state === "PENDING" || state === "SCHEDULED"
        ? outcome.errors
        : kept;
  return JSON.stringify({ ...outcome, state, errors });
}

const DELIVERY_CODES: ReadonlySet<string> = new Set(["DELIVERY_FAILED", "ACK_REJECTED"]);

/** Why a message cannot be resent, or undefined when it can. */
export function resendRefusal(message: {
  direction: string;
  state: QueueState;
  controlId: string;
}): string | undefined {
  if (message.direction !== "outbound") return "it is an inbound message";
  if (message.controlId === "") return "no message was built for it (nothing to send)";
  if (message.state !== "ERROR" && message.state !== "PROCESSED") {
    return `it is ${message.state}: only ERROR and PROCESSED outbound messages are resent`;
  }
  return undefined;
}
