import type { Database } from "better-sqlite3";
import type { ClaimRequest, SyncClaimOperations } from "./claims.js";
import { type MessageRow, storedMessage } from "./queue-rows.js";
import type { StoredMessage } from "./types.js";

/**
 * Claims on the SQLite file (claims.ts), for workers in one process or in
 * several sharing the file: the lease is in the row (migration 7), and the
 * claim is one IMMEDIATE transaction, so two claimers take turns on the
 * write lock and never take the same message.
 */

/** The oldest claimable message: NEW, lease ended, no earlier NEW message in its lane. */
const CLAIMABLE = `SELECT * FROM messages m
  WHERE m.state = 'NEW' AND m.direction = 'inbound'
    AND (m.lease_until IS NULL OR m.lease_until <= @now)
    AND NOT EXISTS (
      SELECT 1 FROM messages e
      WHERE e.state = 'NEW' AND e.direction = 'inbound' AND e.seq < m.seq
        AND e.patient_key IS m.patient_key
        AND (m.patient_key IS NULL OR (e.sending_application IS m.sending_application
          AND e.sending_facility IS m.sending_facility)))
  ORDER BY m.seq LIMIT 1`;

export function sqliteClaims(db: Database): SyncClaimOperations {
  const claimable = db.prepare(CLAIMABLE);
  const lease = db.prepare(
    `UPDATE messages SET lease_owner = @worker, lease_until = @leaseUntil,
       unfinished_attempts = unfinished_attempts + 1, attempt_step = 'decide', attempt_at = @now
     WHERE seq = @seq`,
  );
  const renew = db.prepare(
    `UPDATE messages SET lease_until = @leaseUntil
     WHERE message_id = @messageId AND lease_owner = @worker AND state = 'NEW'`,
  );
  const byId = db.prepare("SELECT * FROM messages WHERE message_id = ? AND state <> 'NEW'");
  const claim = db.transaction((request: ClaimRequest) => {
    const row = claimable.get({ now: request.now }) as MessageRow | undefined;
    if (!row) return undefined;
    lease.run({ ...request, seq: row.seq });
    return { message: storedMessage(row), worker: request.worker, leaseUntil: request.leaseUntil };
  });
  return {
    claimNext: (request) => claim.immediate(request),
    renewClaim: (messageId, worker, leaseUntil) =>
      renew.run({ messageId, worker, leaseUntil }).changes > 0,
    finishedAmong: (messageIds) =>
      messageIds
        .map((id) => byId.get(id) as MessageRow | undefined)
        .filter((row): row is MessageRow => row !== undefined)
        .map((row): StoredMessage => storedMessage(row)),
  };
}
