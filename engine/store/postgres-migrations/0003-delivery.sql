-- Outbound delivery (postgres-delivery.ts, decision 0025), as the SQLite
-- store's migration 8: the sends of each outbound message (counted against
-- the pack's max attempts, with the time it may be sent again), the story
-- of its sends (`queue show`), and what the sender last knew of each
-- receiver (`rulepack status`). The claim locks the message row FOR UPDATE
-- SKIP LOCKED, so two processes never send the same message.
CREATE TABLE deliveries (
  message_seq BIGINT PRIMARY KEY REFERENCES messages (seq) ON DELETE CASCADE,
  sends INTEGER NOT NULL DEFAULT 0,
  due_at TEXT
);
CREATE TABLE delivery_events (
  message_seq BIGINT NOT NULL REFERENCES messages (seq) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  kind TEXT NOT NULL,
  at TEXT NOT NULL,
  receiver TEXT,
  send INTEGER,
  ack TEXT,
  cause TEXT,
  PRIMARY KEY (message_seq, number)
);
CREATE TABLE delivery_receivers (
  receiver TEXT PRIMARY KEY,
  connected BOOLEAN NOT NULL,
  since TEXT NOT NULL,
  last_ack_at TEXT
);
CREATE INDEX messages_outbound_by_state ON messages (direction, state, seq);
