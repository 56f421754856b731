import type BetterSqlite3 from "better-sqlite3";
import type { QueueState } from "../model/outcome.js";
import {
  type ClaimedDelivery,
  type DeliveryClaimRequest,
  type DeliveryEvent,
  type DeliveryOperations,
  type DeliveryResult,
  NotResendableError,
  type ReceiverState,
  type ReceiverStatus,
} from "./delivery.js";
import {
  type EventRow,
  eventOf,
  identityOf,
  type ReceiverRow,
  receiverOf,
} from "./delivery-rows.js";
import {
  outcomeAfter,
  type PickRow,
  pickSendable,
  resendRefusal,
  resultEvent,
  stateAfter,
} from "./delivery-rules.js";
import { UnknownMessageError } from "./errors.js";

/**
 * The SQLite store's delivery operations (delivery.ts) over its migration
 * 8 tables (deliveries, delivery_events, delivery_receivers). Each claim
 * and each result is one IMMEDIATE transaction: two processes on one file
 * never claim the same send.
 */

export function sqliteDelivery(db: BetterSqlite3.Database): DeliveryOperations {
  const s = {
    candidates: db.prepare(
      `SELECT m.seq AS sequence, m.state, m.patient_key AS patientKey, d.due_at AS dueAt
       FROM messages m LEFT JOIN deliveries d ON d.message_seq = m.seq
       WHERE m.direction = 'outbound' AND m.state IN ('NEW', 'SCHEDULED', 'PENDING', 'ERROR')
       ORDER BY m.seq`,
    ),
    bySeq: db.prepare("SELECT * FROM messages WHERE seq = ?"),
    byId: db.prepare(
      `SELECT m.*, d.sends FROM messages m LEFT JOIN deliveries d ON d.message_seq = m.seq
       WHERE m.message_id = ?`,
    ),
    countSend: db
      .prepare(
        `INSERT INTO deliveries (message_seq, sends, due_at) VALUES (?, 1, ?)
         ON CONFLICT (message_seq) DO UPDATE SET sends = sends + 1, due_at = excluded.due_at
         RETURNING sends`,
      )
      .pluck(),
    resetSends: db.prepare(
      `INSERT INTO deliveries (message_seq, sends, due_at) VALUES (?, 0, NULL)
       ON CONFLICT (message_seq) DO UPDATE SET sends = 0, due_at = NULL`,
    ),
    setDue: db.prepare("UPDATE deliveries SET due_at = ? WHERE message_seq = ?"),
    setState: db.prepare(
      `UPDATE messages SET state = @state,
         state_at = CASE WHEN state = @state THEN state_at ELSE @at END,
         outcome = @outcome, ack = coalesce(@ack, ack)
       WHERE seq = @seq`,
    ),
    insertEvent: db.prepare(
      `INSERT INTO delivery_events (message_seq, number, kind, at, receiver, send, ack, cause)
       SELECT @seq, coalesce(max(number), 0) + 1, @kind, @at, @receiver, @send, @ack, @cause
       FROM delivery_events WHERE message_seq = @seq`,
    ),
    events: db.prepare(
      `SELECT e.* FROM delivery_events e JOIN messages m ON m.seq = e.message_seq
       WHERE m.message_id = ? ORDER BY e.number`,
    ),
    newOutbound: db.prepare(
      "SELECT * FROM messages WHERE direction = 'outbound' AND state = 'NEW' ORDER BY seq",
    ),
    upsertReceiver: db.prepare(
      `INSERT INTO delivery_receivers (receiver, connected, since, last_ack_at)
       VALUES (@receiver, @connected, @since, @lastAckAt)
       ON CONFLICT (receiver) DO UPDATE SET
         since = CASE WHEN connected = excluded.connected THEN since ELSE excluded.since END,
         connected = excluded.connected,
         last_ack_at = coalesce(excluded.last_ack_at, last_ack_at)`,
    ),
    receivers: db.prepare("SELECT * FROM delivery_receivers ORDER BY receiver"),
    queue: db.prepare(
      `SELECT coalesce(sum(CASE WHEN state = 'PENDING' THEN 1 ELSE 0 END), 0) AS pending,
         count(*) AS waiting, min(received_at) AS oldest
       FROM messages WHERE direction = 'outbound' AND state IN ('NEW', 'SCHEDULED', 'PENDING')`,
    ),
  };

  const event = (seq: number, e: Omit<DeliveryEvent, "number">): void => {
    s.insertEvent.run({
      seq,
      kind: e.kind,
      at: e.at,
      receiver: e.receiver ?? null,
      send: e.send ?? null,
      ack: e.ack ?? null,
      cause: e.cause ?? null,
    });
  };

  const claim = db.transaction((request: DeliveryClaimRequest): ClaimedDelivery | undefined => {
    const row = pickSendable(s.candidates.all() as PickRow[], request.ordering, request.now);
    if (!row) return undefined;
    const m = s.bySeq.get(row.sequence) as MessageLike;
    const send = s.countSend.get(row.sequence, request.leaseUntil) as number;
    s.setState.run({
      seq: row.sequence,
      state: "PENDING",
      at: request.now,
      outcome: outcomeAfter(m.outcome, identityOf(m), "PENDING"),
      ack: null,
    });
    event(row.sequence, { kind: "sent", at: request.now, receiver: request.receiver, send });
    return {
      messageId: m.message_id,
      sequence: row.sequence,
      controlId: m.control_id,
      messageType: m.message_type,
      raw: new Uint8Array(m.raw),
      ...(m.patient_key !== null && { patientKey: m.patient_key }),
      send,
    };
  });

  const finish = db.transaction(
    (messageId: string, send: number, result: DeliveryResult): boolean => {
      const m = s.byId.get(messageId) as (MessageLike & { sends: number | null }) | undefined;
      if (!m) throw new UnknownMessageError(messageId);
      event(m.seq, resultEvent(send, result));
      if (m.state !== "PENDING" || m.sends !== send) return false;
      const state = stateAfter(result);
      s.setState.run({
        seq: m.seq,
        state,
        at: result.at,
        outcome: outcomeAfter(m.outcome, identityOf(m), state, result),
        ack: result.ack ?? null,
      });
      s.setDue.run(result.kind === "retry" ? result.retryAt : null, m.seq);
      return true;
    },
  );

  const schedule = db.transaction((at: string, until: string): number => {
    const rows = s.newOutbound.all() as MessageLike[];
    for (const r of rows) {
      s.setState.run({
        seq: r.seq,
        state: "SCHEDULED",
        at,
        outcome: outcomeAfter(r.outcome, identityOf(r), "SCHEDULED"),
        ack: null,
      });
      event(r.seq, { kind: "scheduled", at, cause: `outside the send windows until ${until}` });
    }
    return rows.length;
  });

  const resend = db.transaction((messageId: string, at: string, by: string): void => {
    const m = s.byId.get(messageId) as MessageLike | undefined;
    if (!m) throw new UnknownMessageError(messageId);
    const why = resendRefusal({ direction: m.direction, state: m.state, controlId: m.control_id });
    if (why !== undefined) throw new NotResendableError(messageId, why);
    s.resetSends.run(m.seq);
    s.setState.run({
      seq: m.seq,
      state: "NEW",
      at,
      outcome: outcomeAfter(m.outcome, identityOf(m), "NEW"),
      ack: null,
    });
    event(m.seq, { kind: "resend", at, cause: `resent as stored by ${by}` });
  });

  return {
    claimDelivery: (request) => claim.immediate(request),
    finishDelivery: (messageId, send, result) => finish.immediate(messageId, send, result),
    scheduleDeliveries: (at, until) => schedule.immediate(at, until),
    resendDelivery: (messageId, at, by) => resend.immediate(messageId, at, by),
    deliveryEvents: (messageId) => (s.events.all(messageId) as EventRow[]).map(eventOf),
    setReceiverState(state: ReceiverState): void {
      s.upsertReceiver.run({
        receiver: state.receiver,
        connected: state.connected ? 1 : 0,
        since: state.since,
        lastAckAt: state.lastAckAt ?? null,
      });
    },
    receiverStatuses(): readonly ReceiverStatus[] {
      const queue = s.queue.get() as { pending: number; waiting: number; oldest: string | null };
      return (s.receivers.all() as ReceiverRow[]).map((r) => receiverOf(r, queue));
    },
  };
}

interface MessageLike {
  seq: number;
  message_id: string;
  raw: Buffer;
  control_id: string;
  message_type: string;
  direction: string;
  state: QueueState;
  outcome: string | null;
  patient_key: string | null;
}
