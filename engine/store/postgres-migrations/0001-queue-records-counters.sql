-- The PostgreSQL store's schema, version 1: the SQLite store's tables as
-- they stand after its migration 6 (sqlite-schema.ts), with identifiers
-- from sequences and one change counter row for decisions' basedOn.
-- Records are JSON text columns (`record`), read and written whole; the
-- columns beside them exist only to be looked up by, each with its index.

-- Bumped by every committing transaction; `complete` compares basedOn with it.
CREATE TABLE store_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version BIGINT NOT NULL
);
INSERT INTO store_version (id, version) VALUES (1, 1);

CREATE SEQUENCE message_seq START 1;
-- Record IDs: nextId reads the sequence; a create moves it past the ID it took.
CREATE SEQUENCE patient_id START 1001 MINVALUE 1;
CREATE SEQUENCE appointment_id START 1001 MINVALUE 1;
CREATE SEQUENCE claim_id START 1001 MINVALUE 1;

CREATE TABLE outbound_counters (
  pack TEXT PRIMARY KEY,
  next BIGINT NOT NULL
);

CREATE TABLE messages (
  seq BIGINT PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  raw BYTEA NOT NULL,
  received_at TEXT NOT NULL,
  sender TEXT NOT NULL,
  control_id TEXT NOT NULL,
  message_type TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  state TEXT NOT NULL,
  state_at TEXT NOT NULL,
  outcome TEXT,
  sending_application TEXT,
  sending_facility TEXT,
  content_hash TEXT,
  patient_key TEXT,
  duplicate_of TEXT,
  patient_id TEXT,
  ack TEXT,
  unfinished_attempts INTEGER NOT NULL DEFAULT 0,
  attempt_step TEXT,
  attempt_at TEXT
);
CREATE INDEX messages_by_state ON messages (state, seq);
CREATE INDEX messages_by_duplicate_key ON messages (control_id, sending_application, sending_facility, content_hash);
CREATE INDEX messages_by_patient_key ON messages (patient_key, seq);
CREATE INDEX messages_by_patient_id ON messages (patient_id, seq);
CREATE INDEX messages_by_state_at ON messages (state, state_at);

CREATE TABLE attempts (
  message_seq BIGINT NOT NULL REFERENCES messages (seq) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  kind TEXT NOT NULL,
  at TEXT NOT NULL,
  now TEXT NOT NULL,
  actor TEXT,
  note TEXT,
  state TEXT NOT NULL,
  outcome TEXT,
  PRIMARY KEY (message_seq, number)
);

CREATE TABLE patients (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  self_pay BOOLEAN NOT NULL DEFAULT false,
  record TEXT NOT NULL
);
-- Blocking keys ('lastNameSoundex+birthYear:S530|1980', 'sender:...').
CREATE TABLE patient_keys (
  key TEXT NOT NULL,
  patient_seq BIGINT NOT NULL REFERENCES patients (seq),
  PRIMARY KEY (key, patient_seq)
);
CREATE INDEX patient_keys_by_patient ON patient_keys (patient_seq);

CREATE TABLE external_ids (
  record TEXT NOT NULL CHECK (record IN ('patient', 'appointment')),
  record_id TEXT NOT NULL,
  name TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (record, record_id, name)
);
CREATE INDEX external_ids_by_key ON external_ids (record, name, key);

CREATE TABLE policies (
  ref BIGSERIAL PRIMARY KEY,
  patient_id TEXT NOT NULL REFERENCES patients (id),
  sequence INTEGER NOT NULL,
  package_id TEXT NOT NULL,
  cancelled BOOLEAN NOT NULL DEFAULT false,
  record TEXT NOT NULL
);
CREATE INDEX policies_by_patient ON policies (patient_id, cancelled, sequence);

CREATE TABLE appointments (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  patient_id TEXT REFERENCES patients (id),
  status TEXT,
  record TEXT NOT NULL
);
CREATE INDEX appointments_by_patient ON appointments (patient_id);
CREATE INDEX appointments_by_status ON appointments (status);

CREATE TABLE claims (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  patient_id TEXT NOT NULL REFERENCES patients (id),
  appointment_id TEXT REFERENCES appointments (id),
  service_date TEXT NOT NULL,
  status TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX claims_by_patient_day ON claims (patient_id, service_date, status);

CREATE TABLE master_data (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  data TEXT NOT NULL
);

-- The blocking passes' version the keys were made by (as SQLite's blocking_index).
CREATE TABLE blocking_index (version INTEGER NOT NULL);
