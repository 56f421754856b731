-- The practice event each outbound message was built from (outbound-events.ts,
-- decision 0035), as the SQLite store's migration 13: `reprocess` of an
-- outbound message in ERROR builds it again from its event. A message queued
-- before this migration has none (NULL).
ALTER TABLE messages ADD COLUMN event TEXT;
