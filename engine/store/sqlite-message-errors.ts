/**
 * SQLite migration 14 (issue 17, the queue list at 10^5 messages):
 *
 * - `message_errors`: the code and value of every error of a message's
 *   outcome, one row each, kept by triggers on `messages` (insert, a new
 *   outcome, delete) and filled for existing rows here, so the error-code
 *   filter looks codes up in an index instead of parsing every outcome's
 *   JSON. The triggers keep it whichever statement writes the outcome.
 * - `messages_by_state_type`: covers the grouped counts per state,
 *   direction and type (message-counts.ts).
 * - `messages_inbound_by_sender`: covers the summary's last message
 *   received, overall and per sender, without reading the rows (their raw
 *   bytes).
 */
export const MESSAGE_ERRORS_MIGRATION = `
  CREATE TABLE message_errors (
    message_seq INTEGER NOT NULL,
    code TEXT NOT NULL,
    value TEXT
  );
  CREATE INDEX message_errors_by_code ON message_errors (code, value, message_seq);
  CREATE INDEX message_errors_by_message ON message_errors (message_seq);
  INSERT INTO message_errors (message_seq, code, value)
    SELECT m.seq, json_extract(e.value, '$.code'), json_extract(e.value, '$.value')
    FROM messages m, json_each(m.outcome, '$.errors') e
    WHERE m.outcome IS NOT NULL AND json_extract(e.value, '$.code') IS NOT NULL;
  CREATE TRIGGER message_errors_on_insert AFTER INSERT ON messages
    WHEN NEW.outcome IS NOT NULL
  BEGIN
    INSERT INTO message_errors (message_seq, code, value)
      SELECT NEW.seq, json_extract(e.value, '$.code'), json_extract(e.value, '$.value')
      FROM json_each(NEW.outcome, '$.errors') e
      WHERE json_extract(e.value, '$.code') IS NOT NULL;
  END;
  CREATE TRIGGER message_errors_on_outcome AFTER UPDATE OF outcome ON messages
    WHEN NEW.outcome IS NOT OLD.outcome
  BEGIN
    DELETE FROM message_errors WHERE message_seq = OLD.seq;
    INSERT INTO message_errors (message_seq, code, value)
      SELECT NEW.seq, json_extract(e.value, '$.code'), json_extract(e.value, '$.value')
      FROM json_each(NEW.outcome, '$.errors') e
      WHERE NEW.outcome IS NOT NULL AND json_extract(e.value, '$.code') IS NOT NULL;
  END;
  CREATE TRIGGER message_errors_on_delete AFTER DELETE ON messages
  BEGIN
    DELETE FROM message_errors WHERE message_seq = OLD.seq;
  END;
  CREATE INDEX messages_by_state_type ON messages (state, direction, message_type);
  CREATE INDEX messages_inbound_by_sender
    ON messages (direction, sending_application, sending_facility, received_at);
`;

/** The error-code condition of the list query, on `message_errors` (named parameters). */
export function errorCodeCondition(withValue: boolean): string {
  return `seq IN (SELECT message_seq FROM message_errors WHERE code = @code${withValue ? " AND value = @value" : ""})`;
}
