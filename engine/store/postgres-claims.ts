import type pg from "pg";
import type { ClaimedMessage, ClaimRequest } from "./claims.js";
import { type MessageRow, storedMessage } from "./queue-rows.js";
import type { StoredMessage } from "./types.js";

/**
 * Claims on PostgreSQL (claims.ts), for workers in many processes on many
 * machines: one short READ COMMITTED transaction takes the oldest claimable
 * message `FOR UPDATE SKIP LOCKED` (a row another claimer is taking is
 * passed over, not waited for) and sets its lease and attempt. A row
 * another claimer leased or a worker finished after this statement's
 * snapshot is re-checked on locking (state, lease) and passed over, and
 * a locked row is read as it is now (the attempts before the claim). Its
 * lane's earlier messages are read from the snapshot: one that is NEW keeps
 * the lane closed, whoever holds it.
 */

const CLAIM = `WITH next AS (
    SELECT m.* FROM messages m
    WHERE m.state = 'NEW' AND m.direction = 'inbound'
      AND (m.lease_until IS NULL OR m.lease_until <= $1)
      AND NOT EXISTS (
        SELECT 1 FROM messages e
        WHERE e.state = 'NEW' AND e.direction = 'inbound' AND e.seq < m.seq
          AND e.patient_key IS NOT DISTINCT FROM m.patient_key
          AND (m.patient_key IS NULL OR (e.sending_application IS NOT DISTINCT FROM m.sending_application
            AND e.sending_facility IS NOT DISTINCT FROM m.sending_facility)))
    ORDER BY m.seq LIMIT 1
    FOR UPDATE SKIP LOCKED
  )
  UPDATE messages SET lease_owner = $2, lease_until = $3,
    unfinished_attempts = messages.unfinished_attempts + 1, attempt_step = 'decide', attempt_at = $1
  FROM next WHERE messages.seq = next.seq
  RETURNING next.*`;

export interface ClaimConnection {
  /** `work` in one transaction begun with `begin`, committed when it returns. */
  inTransaction<T>(begin: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
}

export function postgresClaims(db: ClaimConnection) {
  return {
    claimNext: (request: ClaimRequest): Promise<ClaimedMessage | undefined> =>
      db.inTransaction("BEGIN ISOLATION LEVEL READ COMMITTED", async (client) => {
        const row = (
          await client.query<MessageRow>(CLAIM, [request.now, request.worker, request.leaseUntil])
        ).rows[0];
        return (
          row && {
            message: storedMessage(row),
            worker: request.worker,
            leaseUntil: request.leaseUntil,
          }
        );
      }),
    renewClaim: async (messageId: string, worker: string, leaseUntil: string): Promise<boolean> =>
      (
        await db.query(
          `UPDATE messages SET lease_until = $3
           WHERE message_id = $1 AND lease_owner = $2 AND state = 'NEW' RETURNING seq`,
          [messageId, worker, leaseUntil],
        )
      ).length > 0,
    finishedAmong: async (messageIds: readonly string[]): Promise<readonly StoredMessage[]> =>
      messageIds.length === 0
        ? []
        : (
            await db.query<MessageRow>(
              "SELECT * FROM messages WHERE message_id = ANY($1::text[]) AND state <> 'NEW' ORDER BY seq",
              [[...messageIds]],
            )
          ).map(storedMessage),
  };
}
