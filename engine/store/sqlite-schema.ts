import type { Database } from "better-sqlite3";
import { FIRST_RECORD_ID } from "./ids.js";
import { OUTCOME_ONCE_MIGRATION } from "./outcome-once.js";
import { KEY_STAMPS_MIGRATION } from "./sqlite-key-stamps.js";
import { MESSAGE_ERRORS_MIGRATION } from "./sqlite-message-errors.js";

/**
 * The SQLite file's schema, as ordered migrations. A new file is migrated
 * from version 0 on first open; an older file is brought up to date; a file
 * written by a newer engine is refused. Migrations are append-only: never
 * edit one that has shipped, add the next. Versions 9-12 (and PostgreSQL's
 * 0004-0007) were reserved during parallel work and never used: the next
 * is one above the highest here, never a gap below it, which a store
 * already at the highest would skip.
 *
 * Records are JSON columns (`record`), read and written whole; the columns
 * beside them exist only to be looked up by, each with its index.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "queue, records, lookup indexes, counters, master data",
    sql: `
      CREATE TABLE counters (
        kind TEXT PRIMARY KEY,
        next INTEGER NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO counters (kind, next) VALUES
        ('message', 1),
        ('patient', ${FIRST_RECORD_ID}),
        ('appointment', ${FIRST_RECORD_ID}),
        ('claim', ${FIRST_RECORD_ID});

      CREATE TABLE messages (
        seq INTEGER PRIMARY KEY,
        message_id TEXT NOT NULL UNIQUE,
        raw BLOB NOT NULL,
        received_at TEXT NOT NULL,
        sender TEXT NOT NULL,
        control_id TEXT NOT NULL,
        message_type TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
        state TEXT NOT NULL,
        outcome TEXT
      );
      CREATE INDEX messages_by_state ON messages (state, seq);
      CREATE INDEX messages_by_control_id ON messages (control_id);

      CREATE TABLE patients (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        self_pay INTEGER NOT NULL DEFAULT 0,
        record TEXT NOT NULL
      );
      -- Blocking keys ('dob:1980-02-14', 'ssn:...', 'phone:...', 'name:S530').
      CREATE TABLE patient_keys (
        key TEXT NOT NULL,
        patient_seq INTEGER NOT NULL REFERENCES patients (seq),
        PRIMARY KEY (key, patient_seq)
      ) WITHOUT ROWID;
      CREATE INDEX patient_keys_by_patient ON patient_keys (patient_seq);

      CREATE TABLE external_ids (
        record TEXT NOT NULL CHECK (record IN ('patient', 'appointment')),
        record_id TEXT NOT NULL,
        name TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (record, record_id, name)
      ) WITHOUT ROWID;
      CREATE INDEX external_ids_by_key ON external_ids (record, name, key);

      CREATE TABLE policies (
        ref INTEGER PRIMARY KEY,
        patient_id TEXT NOT NULL REFERENCES patients (id),
        sequence INTEGER NOT NULL,
        package_id TEXT NOT NULL,
        cancelled INTEGER NOT NULL DEFAULT 0,
        record TEXT NOT NULL
      );
      CREATE INDEX policies_by_patient ON policies (patient_id, cancelled, sequence);

      CREATE TABLE appointments (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        patient_id TEXT REFERENCES patients (id),
        record TEXT NOT NULL
      );
      CREATE INDEX appointments_by_patient ON appointments (patient_id);

      CREATE TABLE claims (
        seq INTEGER PRIMARY KEY,
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
    `,
  },
  {
    version: 2,
    description: "appointments by status, for the Missing Slips worklist",
    sql: `
      CREATE INDEX appointments_by_status ON appointments (json_extract(record, '$.status'));
    `,
  },
  {
    version: 3,
    description: "outbound control-ID counters, one per pack",
    sql: `
      CREATE TABLE outbound_counters (
        pack TEXT PRIMARY KEY,
        next INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    description: "queue: duplicate keys, patient keys, ACKs, state times, attempts",
    sql: `
      ALTER TABLE messages ADD COLUMN sending_application TEXT;
      ALTER TABLE messages ADD COLUMN sending_facility TEXT;
      ALTER TABLE messages ADD COLUMN content_hash TEXT;
      ALTER TABLE messages ADD COLUMN patient_key TEXT;
      ALTER TABLE messages ADD COLUMN duplicate_of TEXT;
      ALTER TABLE messages ADD COLUMN patient_id TEXT;
      ALTER TABLE messages ADD COLUMN ack TEXT;
      ALTER TABLE messages ADD COLUMN state_at TEXT NOT NULL DEFAULT '';
      UPDATE messages SET state_at = received_at;
      CREATE INDEX messages_by_duplicate_key ON messages (control_id, sending_application, sending_facility, content_hash);
      CREATE INDEX messages_by_patient_key ON messages (patient_key, seq);
      CREATE INDEX messages_by_patient_id ON messages (patient_id, seq);
      CREATE INDEX messages_by_state_at ON messages (state, state_at);

      CREATE TABLE attempts (
        message_seq INTEGER NOT NULL REFERENCES messages (seq) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        kind TEXT NOT NULL,
        at TEXT NOT NULL,
        now TEXT NOT NULL,
        actor TEXT,
        note TEXT,
        state TEXT NOT NULL,
        outcome TEXT,
        PRIMARY KEY (message_seq, number)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    description: "queue: attempts begun and never completed (poison messages)",
    sql: `
      ALTER TABLE messages ADD COLUMN unfinished_attempts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE messages ADD COLUMN attempt_step TEXT;
      ALTER TABLE messages ADD COLUMN attempt_at TEXT;
    `,
  },
  {
    version: 6,
    description:
      "matching: blocking passes; patient_keys is rebuilt at open when blocking_index is not this engine's (sqlite-blocking-index.ts)",
    sql: `
      CREATE TABLE blocking_index (version INTEGER NOT NULL);
      INSERT INTO blocking_index (version) VALUES (1);
    `,
  },
  {
    version: 7,
    description:
      "queue: claims by several workers (sqlite-claims.ts, decision 0023): a lease per message, NEW messages by lane, a claimed message completed as received once",
    sql: `
      ALTER TABLE messages ADD COLUMN lease_owner TEXT;
      ALTER TABLE messages ADD COLUMN lease_until TEXT;
      CREATE INDEX messages_new_by_lane
        ON messages (patient_key, sending_application, sending_facility, seq) WHERE state = 'NEW';
      CREATE TRIGGER attempts_received_once BEFORE INSERT ON attempts
        WHEN NEW.kind = 'receive'
          AND (SELECT lease_owner FROM messages WHERE seq = NEW.message_seq) IS NOT NULL
          AND EXISTS (SELECT 1 FROM attempts WHERE message_seq = NEW.message_seq AND kind = 'receive')
      BEGIN
        SELECT RAISE(ABORT, 'the message was already completed as received (another worker finished it)');
      END;
    `,
  },
  {
    version: 8,
    description:
      "outbound delivery (sqlite-delivery.ts, decision 0025): sends per message, their story, what the sender knows of each receiver",
    sql: `
      CREATE TABLE deliveries (
        message_seq INTEGER PRIMARY KEY REFERENCES messages (seq) ON DELETE CASCADE,
        sends INTEGER NOT NULL DEFAULT 0,
        due_at TEXT
      );
      CREATE TABLE delivery_events (
        message_seq INTEGER NOT NULL REFERENCES messages (seq) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        kind TEXT NOT NULL,
        at TEXT NOT NULL,
        receiver TEXT,
        send INTEGER,
        ack TEXT,
        cause TEXT,
        PRIMARY KEY (message_seq, number)
      ) WITHOUT ROWID;
      CREATE TABLE delivery_receivers (
        receiver TEXT PRIMARY KEY,
        connected INTEGER NOT NULL,
        since TEXT NOT NULL,
        last_ack_at TEXT
      ) WITHOUT ROWID;
      CREATE INDEX messages_outbound_by_state ON messages (direction, state, seq);
    `,
  },
  {
    version: 13,
    description:
      "the practice event each outbound message was built from (sqlite-outbound-events.ts, decision 0035): reprocess builds it again",
    sql: "ALTER TABLE messages ADD COLUMN event TEXT;",
  },
  {
    version: 14,
    description:
      "the queue list at 10^5 messages (sqlite-message-errors.ts): error codes indexed, counts and last received covered by indexes",
    sql: MESSAGE_ERRORS_MIGRATION,
  },
  {
    version: 15,
    description:
      "the version of each key a decision reads (sqlite-key-stamps.ts, decision 0037): complete refuses a decision only when a key it read was written since",
    sql: KEY_STAMPS_MIGRATION,
  },
  {
    version: 16,
    description:
      "a message's outcome stored once (outcome-once.ts, decision 0039): the attempt that recorded it refers to messages.outcome",
    sql: OUTCOME_ONCE_MIGRATION,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.reduce((v, m) => Math.max(v, m.version), 0);

/** Bring the file to SCHEMA_VERSION, each migration in its own transaction. */
export function migrate(db: Database): void {
  db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const current = (): number =>
    (db.prepare("SELECT max(version) FROM schema_version").pluck().get() as number | null) ?? 0;
  const found = current();
  if (found > SCHEMA_VERSION) {
    throw new Error(
      `the database schema is version ${found}, newer than this engine's ${SCHEMA_VERSION}: upgrade rulepack`,
    );
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= found) continue;
    db.transaction(() => {
      // Another process may have migrated between our read and this write lock.
      if (current() >= migration.version) return;
      db.exec(migration.sql);
      db.prepare("DELETE FROM schema_version").run();
      db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(migration.version);
    }).immediate();
  }
}
