-- The version of each key a decision reads (decision 0037,
-- postgres-key-versions.ts): a patient, an appointment, a patient's
-- unbilled claims of a day, an external ID or blocking key looked up, the
-- next ID of a kind, the master data. A commit bumps the keys it writes;
-- complete refuses a decision only when a key it read has moved since,
-- instead of whenever anything was committed (store_version).
CREATE TABLE read_key_versions (
  key TEXT PRIMARY KEY,
  version BIGINT NOT NULL
);
