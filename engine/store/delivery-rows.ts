import type { DeliveryEvent, ReceiverStatus } from "./delivery.js";

/** Delivery rows as the SQL stores read them (SQLite and PostgreSQL name the columns alike). */

export interface EventRow {
  number: number;
  kind: DeliveryEvent["kind"];
  at: string;
  receiver: string | null;
  send: number | null;
  ack: string | null;
  cause: string | null;
}

export interface ReceiverRow {
  receiver: string;
  connected: number;
  since: string;
  last_ack_at: string | null;
}

/** The optional parts of an event or receiver row, present only when set. */
export function eventOf(row: EventRow): DeliveryEvent {
  return {
    number: Number(row.number),
    kind: row.kind,
    at: row.at,
    ...(row.receiver !== null && { receiver: row.receiver }),
    ...(row.send !== null && { send: Number(row.send) }),
    ...(row.ack !== null && { ack: row.ack }),
    ...(row.cause !== null && { cause: row.cause }),
  };
}

export function receiverOf(
  row: ReceiverRow,
  queue: { pending: number; waiting: number; oldest: string | null },
): ReceiverStatus {
  return {
    receiver: row.receiver,
    connected: Boolean(row.connected),
    since: row.since,
    ...(row.last_ack_at !== null && { lastAckAt: row.last_ack_at }),
    pending: Number(queue.pending),
    waiting: Number(queue.waiting),
    ...(queue.oldest !== null && { oldestWaitingSince: queue.oldest }),
  };
}

/** Which message a `messages` row is (the outcome's identity, delivery-rules.ts). */
export function identityOf(row: { message_id: string; control_id: string; message_type: string }): {
  messageId: string;
  controlId: string;
  messageType: string;
} {
  return { messageId: row.message_id, controlId: row.control_id, messageType: row.message_type };
}
