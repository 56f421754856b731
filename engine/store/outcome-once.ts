/**
 * A message's outcome is stored once (issue 18, decision 0039): the latest
 * one in `messages.outcome` (the queue list, its error-code index and every
 * page read it there), and the attempt that recorded it refers to it (its
 * `outcome` is the marker OUTCOME_IN_MESSAGE, never valid JSON) instead of
 * holding a second copy. When the message's outcome is replaced (a
 * reprocess, a review, a delivery result), a trigger first moves the one
 * replaced into the attempt that referred to it, so every attempt still
 * reads its own outcome, whichever statement replaced it.
 *
 * SQLite's migration is here (sqlite-schema.ts, version 16: it may run again
 * over a file that has it, as the migration tests do, so it adds no
 * column); PostgreSQL's is postgres-migrations/0011-outcome-once.sql.
 */

/** An attempt's `outcome` when it is the message's current one, stored in `messages.outcome`. */
export const OUTCOME_IN_MESSAGE = "@message";

/** SQLite migration 16: the trigger, and existing attempts' copies of their message's outcome. */
export const OUTCOME_ONCE_MIGRATION = `
  CREATE TRIGGER IF NOT EXISTS messages_outcome_kept_by_attempt BEFORE UPDATE OF outcome ON messages
    WHEN OLD.outcome IS NOT NULL AND NEW.outcome IS NOT OLD.outcome
  BEGIN
    UPDATE attempts SET outcome = OLD.outcome
    WHERE message_seq = OLD.seq AND outcome = '${OUTCOME_IN_MESSAGE}';
  END;
  UPDATE attempts SET outcome = '${OUTCOME_IN_MESSAGE}'
  WHERE outcome IS NOT NULL AND outcome <> '${OUTCOME_IN_MESSAGE}'
    AND number = (SELECT max(b.number) FROM attempts b
                  WHERE b.message_seq = attempts.message_seq AND b.outcome IS NOT NULL)
    AND outcome = (SELECT m.outcome FROM messages m WHERE m.seq = attempts.message_seq);
`;

/** An attempt's columns as the stores read them, its outcome resolved (`attempts a JOIN messages m`). */
export const ATTEMPT_COLUMNS = `a.message_seq, a.number, a.kind, a.at, a.now, a.actor, a.note, a.state,
  CASE WHEN a.outcome = '${OUTCOME_IN_MESSAGE}' THEN m.outcome ELSE a.outcome END AS outcome`;

/** The `outcome` an attempt row is written with: the marker when it recorded one. */
export const attemptOutcome = (recorded: boolean): string | null =>
  recorded ? OUTCOME_IN_MESSAGE : null;
