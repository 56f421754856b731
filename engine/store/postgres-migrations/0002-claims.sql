-- Claims by several workers (postgres-claims.ts, decision 0023): a lease per
-- message, the NEW messages by lane (sender and patient key) for the claim's
-- "no earlier unfinished message" test, and a claimed message completed as
-- received at most once, so a worker whose lease ran out cannot apply a
-- message that another worker finished (its complete fails and rolls back).
-- Completes run one at a time (they lock store_version first), so the
-- trigger's read sees every earlier completion.
ALTER TABLE messages ADD COLUMN lease_owner TEXT;
ALTER TABLE messages ADD COLUMN lease_until TEXT;
CREATE INDEX messages_new_by_lane
  ON messages (patient_key, sending_application, sending_facility, seq) WHERE state = 'NEW';

CREATE FUNCTION claimed_received_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind = 'receive'
     AND EXISTS (SELECT 1 FROM messages WHERE seq = NEW.message_seq AND lease_owner IS NOT NULL)
     AND EXISTS (SELECT 1 FROM attempts WHERE message_seq = NEW.message_seq AND kind = 'receive') THEN
    RAISE EXCEPTION 'the message was already completed as received (another worker finished it)'
      USING ERRCODE = 'unique_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER attempts_claimed_received_once BEFORE INSERT ON attempts
  FOR EACH ROW EXECUTE FUNCTION claimed_received_once();
