-- A message's outcome stored once (engine/store/outcome-once.ts, decision
-- 0039): the attempt that recorded the message's current outcome holds the
-- marker '@message' instead of a copy of messages.outcome; when that is
-- replaced, the trigger moves the one replaced into that attempt.
CREATE FUNCTION messages_outcome_kept_by_attempt() RETURNS trigger AS $$
BEGIN
  UPDATE attempts SET outcome = OLD.outcome
  WHERE message_seq = OLD.seq AND outcome = '@message';
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER messages_outcome_kept_by_attempt BEFORE UPDATE OF outcome ON messages
  FOR EACH ROW WHEN (OLD.outcome IS NOT NULL AND NEW.outcome IS DISTINCT FROM OLD.outcome)
  EXECUTE FUNCTION messages_outcome_kept_by_attempt();

UPDATE attempts SET outcome = '@message'
WHERE outcome IS NOT NULL AND outcome <> '@message'
  AND number = (SELECT max(b.number) FROM attempts b
                WHERE b.message_seq = attempts.message_seq AND b.outcome IS NOT NULL)
  AND outcome = (SELECT m.outcome FROM messages m WHERE m.seq = attempts.message_seq);
