-- The queue list at 10^5 messages (issue 17), as the SQLite store's
-- migration 14 (sqlite-message-errors.ts): the code and value of every error
-- of a message's outcome in message_errors, kept by a trigger whichever
-- statement writes the outcome and filled here for existing rows, so the
-- error-code filter looks codes up in an index instead of parsing every
-- outcome; an index covering the grouped counts per state, direction and
-- type (message-counts.ts), and one covering the last message received.
CREATE TABLE message_errors (
  message_seq BIGINT NOT NULL REFERENCES messages (seq) ON DELETE CASCADE,
  code TEXT NOT NULL,
  value TEXT
);
CREATE INDEX message_errors_by_code ON message_errors (code, value, message_seq);
CREATE INDEX message_errors_by_message ON message_errors (message_seq);

INSERT INTO message_errors (message_seq, code, value)
  SELECT m.seq, e ->> 'code', e ->> 'value'
  FROM messages m, jsonb_array_elements(coalesce(m.outcome::jsonb -> 'errors', '[]'::jsonb)) e
  WHERE m.outcome IS NOT NULL AND e ->> 'code' IS NOT NULL;

CREATE FUNCTION message_errors_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF NEW.outcome IS NOT DISTINCT FROM OLD.outcome THEN
      RETURN NULL;
    END IF;
    DELETE FROM message_errors WHERE message_seq = OLD.seq;
  END IF;
  IF NEW.outcome IS NOT NULL THEN
    INSERT INTO message_errors (message_seq, code, value)
      SELECT NEW.seq, e ->> 'code', e ->> 'value'
      FROM jsonb_array_elements(coalesce(NEW.outcome::jsonb -> 'errors', '[]'::jsonb)) e
      WHERE e ->> 'code' IS NOT NULL;
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER message_errors_keep AFTER INSERT OR UPDATE OF outcome ON messages
  FOR EACH ROW EXECUTE FUNCTION message_errors_keep();

CREATE INDEX messages_by_state_type ON messages (state, direction, message_type);
CREATE INDEX messages_inbound_by_sender
  ON messages (direction, sending_application, sending_facility, received_at);
