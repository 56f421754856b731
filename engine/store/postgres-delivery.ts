import type pg from "pg";
import type { QueueState } from "../model/outcome.js";
import {
  type DeliveryEvent,
  type DeliveryOperations,
  NotResendableError,
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
 * The PostgreSQL store's delivery operations (delivery.ts) over migration
 * 0003, for senders in several processes. A claim reads the waiting
 * outbound messages (READ COMMITTED), picks the next one as every store
 * does (delivery-rules.ts), and locks its row `FOR UPDATE SKIP LOCKED`: a
 * row another sender is claiming is passed over and counts as in flight
 * (it blocks what it would block), a row claimed since the read is
 * re-checked on locking. Two processes never send the same message.
 */

type Async<T> = {
  readonly [K in keyof T]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<R>
    : never;
};

export interface DeliveryConnection {
  /** `work` in one transaction begun with `begin`, committed when it returns. */
  inTransaction<T>(begin: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
}

interface MessageLike {
  seq: string;
  message_id: string;
  raw: Buffer;
  control_id: string;
  message_type: string;
  direction: string;
  state: QueueState;
  outcome: string | null;
  patient_key: string | null;
  sends: number | null;
  due_at: string | null;
}

const CANDIDATES = `SELECT m.seq AS sequence, m.state, m.patient_key AS "patientKey", d.due_at AS "dueAt"
  FROM messages m LEFT JOIN deliveries d ON d.message_seq = m.seq
  WHERE m.direction = 'outbound' AND m.state IN ('NEW', 'SCHEDULED', 'PENDING', 'ERROR')
  ORDER BY m.seq`;

const SET_STATE = `UPDATE messages SET state = $2,
    state_at = CASE WHEN state = $2 THEN state_at ELSE $3 END,
    outcome = $4, ack = coalesce($5, ack)
  WHERE seq = $1`;

const INSERT_EVENT = `INSERT INTO delivery_events (message_seq, number, kind, at, receiver, send, ack, cause)
  SELECT $1, coalesce(max(number), 0) + 1, $2, $3, $4, $5, $6, $7
  FROM delivery_events WHERE message_seq = $1`;

export function postgresDelivery(db: DeliveryConnection): Async<DeliveryOperations> {
  const transaction = <T>(work: (client: pg.PoolClient) => Promise<T>) =>
    db.inTransaction("BEGIN", work);
  const event = async (
    client: pg.PoolClient,
    seq: string | number,
    e: Omit<DeliveryEvent, "number">,
  ): Promise<void> => {
    // One writer of a message's events at a time: the message row is locked by the caller.
    await client.query(INSERT_EVENT, [
      seq,
      e.kind,
      e.at,
      e.receiver ?? null,
      e.send ?? null,
      e.ack ?? null,
      e.cause ?? null,
    ]);
  };
  /**
   * The message row locked, then its delivery row read by a second
   * statement. One `SELECT ... JOIN deliveries ... FOR UPDATE OF m` is not
   * enough at READ COMMITTED: when the message row changed after the
   * statement's snapshot, PostgreSQL re-reads the locked row only and keeps
   * the joined deliveries row from the old snapshot, so a send claimed and
   * committed by another process in that window looked unclaimed (its lease
   * missing) and was claimed twice. Every claimer locks the message row
   * before writing its delivery row, so the read after the lock sees the
   * latest one.
   */
  const lockRow = async (
    client: pg.PoolClient,
    where: string,
    key: string | number,
    skipLocked: boolean,
  ): Promise<MessageLike | undefined> => {
    const m = (
      await client.query<Omit<MessageLike, "sends" | "due_at">>(
        `SELECT * FROM messages WHERE ${where} = $1 FOR UPDATE${skipLocked ? " SKIP LOCKED" : ""}`,
        [key],
      )
    ).rows[0];
    if (!m) return undefined;
    const d = (
      await client.query<Pick<MessageLike, "sends" | "due_at">>(
        "SELECT sends, due_at FROM deliveries WHERE message_seq = $1",
        [m.seq],
      )
    ).rows[0];
    return { ...m, sends: d?.sends ?? null, due_at: d?.due_at ?? null };
  };
  const lockMessage = async (client: pg.PoolClient, messageId: string): Promise<MessageLike> => {
    const row = await lockRow(client, "message_id", messageId, false);
    if (!row) throw new UnknownMessageError(messageId);
    return row;
  };

  return {
    claimDelivery: (request) =>
      transaction(async (client) => {
        const rows = (await client.query<PickRow & { sequence: string }>(CANDIDATES)).rows.map(
          (r) => ({ ...r, sequence: Number(r.sequence) }),
        );
        const busy = new Set<number>();
        for (;;) {
          const row = pickSendable(rows, request.ordering, request.now, busy);
          if (!row) return undefined;
          const locked = await lockRow(client, "seq", row.sequence, true);
          // Claimed by another sender since the read (or being claimed now): in flight.
          if (
            !locked ||
            !["NEW", "SCHEDULED", "PENDING"].includes(locked.state) ||
            (locked.due_at !== null && locked.due_at > request.now)
          ) {
            busy.add(row.sequence);
            continue;
          }
          const send = Number(
            (
              await client.query<{ sends: number }>(
                `INSERT INTO deliveries (message_seq, sends, due_at) VALUES ($1, 1, $2)
                 ON CONFLICT (message_seq) DO UPDATE SET sends = deliveries.sends + 1, due_at = $2
                 RETURNING sends`,
                [row.sequence, request.leaseUntil],
              )
            ).rows[0]?.sends,
          );
          await client.query(SET_STATE, [
            row.sequence,
            "PENDING",
            request.now,
            outcomeAfter(locked.outcome, identityOf(locked), "PENDING"),
            null,
          ]);
          await event(client, row.sequence, {
            kind: "sent",
            at: request.now,
            receiver: request.receiver,
            send,
          });
          return {
            messageId: locked.message_id,
            sequence: row.sequence,
            controlId: locked.control_id,
            messageType: locked.message_type,
            raw: new Uint8Array(locked.raw),
            ...(locked.patient_key !== null && { patientKey: locked.patient_key }),
            send,
          };
        }
      }),
    finishDelivery: (messageId, send, result) =>
      transaction(async (client) => {
        const m = await lockMessage(client, messageId);
        await event(client, m.seq, resultEvent(send, result));
        if (m.state !== "PENDING" || Number(m.sends) !== send) return false;
        const state = stateAfter(result);
        await client.query(SET_STATE, [
          m.seq,
          state,
          result.at,
          outcomeAfter(m.outcome, identityOf(m), state, result),
          result.ack ?? null,
        ]);
        await client.query("UPDATE deliveries SET due_at = $2 WHERE message_seq = $1", [
          m.seq,
          result.kind === "retry" ? result.retryAt : null,
        ]);
        return true;
      }),
    scheduleDeliveries: (at, until) =>
      transaction(async (client) => {
        const rows = (
          await client.query<MessageLike>(
            `SELECT * FROM messages WHERE direction = 'outbound' AND state = 'NEW'
             ORDER BY seq FOR UPDATE SKIP LOCKED`,
          )
        ).rows;
        for (const r of rows) {
          await client.query(SET_STATE, [
            r.seq,
            "SCHEDULED",
            at,
            outcomeAfter(r.outcome, identityOf(r), "SCHEDULED"),
            null,
          ]);
          await event(client, r.seq, {
            kind: "scheduled",
            at,
            cause: `outside the send windows until ${until}`,
          });
        }
        return rows.length;
      }),
    resendDelivery: (messageId, at, by) =>
      transaction(async (client) => {
        const m = await lockMessage(client, messageId);
        const why = resendRefusal({
          direction: m.direction,
          state: m.state,
          controlId: m.control_id,
        });
        if (why !== undefined) throw new NotResendableError(messageId, why);
        await client.query(
          `INSERT INTO deliveries (message_seq, sends, due_at) VALUES ($1, 0, NULL)
           ON CONFLICT (message_seq) DO UPDATE SET sends = 0, due_at = NULL`,
          [m.seq],
        );
        await client.query(SET_STATE, [
          m.seq,
          "NEW",
          at,
          outcomeAfter(m.outcome, identityOf(m), "NEW"),
          null,
        ]);
        await event(client, m.seq, { kind: "resend", at, cause: `resent as stored by ${by}` });
      }),
    async deliveryEvents(messageId) {
      const rows = await db.query<EventRow>(
        `SELECT e.* FROM delivery_events e JOIN messages m ON m.seq = e.message_seq
         WHERE m.message_id = $1 ORDER BY e.number`,
        [messageId],
      );
      return rows.map(eventOf);
    },
    async setReceiverState(state) {
      await db.query(
        `INSERT INTO delivery_receivers (receiver, connected, since, last_ack_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (receiver) DO UPDATE SET
           since = CASE WHEN delivery_receivers.connected = excluded.connected
             THEN delivery_receivers.since ELSE excluded.since END,
           connected = excluded.connected,
           last_ack_at = coalesce(excluded.last_ack_at, delivery_receivers.last_ack_at)`,
        [state.receiver, state.connected, state.since, state.lastAckAt ?? null],
      );
    },
    async receiverStatuses(): Promise<readonly ReceiverStatus[]> {
      const [queue] = await db.query<{ pending: string; waiting: string; oldest: string | null }>(
        `SELECT count(*) FILTER (WHERE state = 'PENDING') AS pending, count(*) AS waiting,
           min(received_at) AS oldest
         FROM messages WHERE direction = 'outbound' AND state IN ('NEW', 'SCHEDULED', 'PENDING')`,
      );
      const rows = await db.query<ReceiverRow>(
        "SELECT * FROM delivery_receivers ORDER BY receiver",
      );
      return rows.map((r) =>
        receiverOf(r, {
          pending: Number(queue?.pending ?? 0),
          waiting: Number(queue?.waiting ?? 0),
          oldest: queue?.oldest ?? null,
        }),
      );
    },
  };
}
