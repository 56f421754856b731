import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import type { MasterData } from "../model/master-data.js";
import type { Outcome, QueueState } from "../model/outcome.js";
import type { Appointment, Claim, Patient, Policy } from "../model/records.js";
import type {
  ExternalIdEntry,
  Repository,
  StoredAppointment,
  StoredClaim,
  StoredPatient,
} from "./apply.js";
import { asyncStore } from "./async-store.js";
import { StaleViewError, UnknownMessageError } from "./errors.js";
import { blockingKeyList, counterAfter, messageIdOf } from "./ids.js";
import { refuseStale } from "./key-stamps.js";
import { MESSAGE_COUNTS_SQL, type MessageCount } from "./message-counts.js";
import { MISSING_SLIP_STATUSES, missesSlip, noSlipTypes } from "./missing-slips.js";
import { ATTEMPT_COLUMNS, attemptOutcome } from "./outcome-once.js";
import { type PageQuery, pageSql, type QueuePage } from "./queue-page.js";
import { subjectPatientId, WAITING_STATES } from "./queue-records.js";
import { type AttemptRow, attemptOf, type MessageRow, storedMessage } from "./queue-rows.js";
import { isReadBasis, type ReadBasis, readKeys } from "./read-keys.js";
import type { Receipt, ReceiveOptions } from "./receive-many.js";
import {
  CANDIDATES_SQL,
  MAX_BLOCKING_KEYS,
  refreshBlockingIndex,
} from "./sqlite-blocking-index.js";
import { sqliteClaims } from "./sqlite-claims.js";
import { sqliteDelivery } from "./sqlite-delivery.js";
import {
  applySynchronous,
  type SqliteSynchronous,
  sqliteSynchronous,
} from "./sqlite-durability.js";
import { sqliteKeyStamps } from "./sqlite-key-stamps.js";
import { sqliteMasterData } from "./sqlite-master-data.js";
import { errorCodeCondition } from "./sqlite-message-errors.js";
import { sqliteOutboundEvents } from "./sqlite-outbound-events.js";
import { sqliteRecordListing } from "./sqlite-record-listing.js";
import { migrate } from "./sqlite-schema.js";
import {
  APPLYING_STATES,
  type Attempt,
  type AttemptStep,
  type BlockingKeys,
  type Completion,
  type DuplicateKey,
  type InsuranceHistory,
  type LocalStore,
  type MessageFilter,
  type OutboundMessage,
  type PrunableState,
  type QueueSummary,
  type ReceivedMessage,
  type RecordIdKind,
  type StoredMessage,
  type SyncStore,
} from "./types.js";
import { applyTouching } from "./written-keys.js";

/**
 * The embedded default store: one SQLite file (better-sqlite3, synchronous),
 * created and migrated on first open (sqlite-schema.ts). WAL, so readers
 * (`rulepack queue list` in another process) never block the writer; a busy
 * timeout, so two writers wait for each other instead of failing; foreign
 * keys on. Every `complete` is one IMMEDIATE transaction: the actions, the
 * state and the outcome are all written or none is.
 */

export interface SqliteStoreOptions {
  /** How long a writer waits for another's lock before SQLITE_BUSY (ms). */
  readonly busyTimeoutMs?: number;
  /** When a commit waits for the disk (sqlite-durability.ts); default RULEPACK_SQLITE_SYNC, else NORMAL. */
  readonly synchronous?: SqliteSynchronous;
}

export { CANDIDATES_SQL };

const parse = <T>(json: string | undefined): T | undefined =>
  json === undefined ? undefined : (JSON.parse(json) as T);

export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): LocalStore {
  const synchronous = options.synchronous ?? sqliteSynchronous(process.env);
  if (file !== ":memory:" && file !== "") mkdirSync(dirname(file), { recursive: true });
  const db = new BetterSqlite3(file);
  try {
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    db.pragma("journal_mode = WAL");
    applySynchronous(db, synchronous);
    db.pragma("foreign_keys = ON");
    migrate(db);
    refreshBlockingIndex(db);
    return asyncStore(sqliteStore(db));
  } catch (e) {
    db.close();
    throw e;
  }
}

function sqliteStore(db: BetterSqlite3.Database): SyncStore {
  const s = {
    counter: db.prepare("SELECT next FROM counters WHERE kind = ?").pluck(),
    takeCounter: db
      .prepare("UPDATE counters SET next = next + 1 WHERE kind = ? RETURNING next - 1")
      .pluck(),
    raiseCounter: db.prepare("UPDATE counters SET next = max(next, ?) WHERE kind = ?"),
    takeOutbound: db
      .prepare(
        `INSERT INTO outbound_counters (pack, next) VALUES (?, 2)
         ON CONFLICT (pack) DO UPDATE SET next = next + 1 RETURNING next - 1`,
      )
      .pluck(),

    insertMessage: db.prepare(
      `INSERT INTO messages (message_id, raw, received_at, sender, control_id, message_type, direction, state,
         state_at, sending_application, sending_facility, content_hash, patient_key, duplicate_of)
       VALUES (@messageId, @raw, @receivedAt, @sender, @controlId, @messageType, @direction, 'NEW',
         @receivedAt, @sendingApplication, @sendingFacility, @contentHash, @patientKey, @duplicateOf)`,
    ),
    finishMessage: db.prepare(
      `UPDATE messages SET state = @state, state_at = @at, outcome = coalesce(@outcome, outcome),
         patient_id = coalesce(@patientId, patient_id), ack = coalesce(@ack, ack),
       unfinished_attempts = 0, attempt_step = NULL, attempt_at = NULL
       WHERE message_id = @messageId RETURNING seq`,
    ),
    beginAttempt: db.prepare(
      `UPDATE messages SET unfinished_attempts = unfinished_attempts + 1, attempt_step = 'decide',
         attempt_at = ? WHERE message_id = ?`,
    ),
    reachStep: db.prepare("UPDATE messages SET attempt_step = ? WHERE message_id = ?"),
    insertAttempt: db.prepare(
      `INSERT INTO attempts (message_seq, number, kind, at, now, actor, note, state, outcome)
       SELECT @seq, coalesce(max(number), 0) + 1, @kind, @at, @now, @actor, @note, @state, @outcome
       FROM attempts WHERE message_seq = @seq`,
    ),
    attempts: db.prepare(
      `SELECT ${ATTEMPT_COLUMNS} FROM attempts a JOIN messages m ON m.seq = a.message_seq
       WHERE m.message_id = ? ORDER BY a.number`,
    ),
    message: db.prepare("SELECT * FROM messages WHERE message_id = ?"),
    findDuplicate: db.prepare(
      `SELECT * FROM messages WHERE control_id = @controlId AND sending_application = @sendingApplication
         AND sending_facility = @sendingFacility AND content_hash = @contentHash
         AND direction = 'inbound' AND duplicate_of IS NULL AND received_at >= @since
       ORDER BY seq LIMIT 1`,
    ),
    prune: db.prepare("DELETE FROM messages WHERE state = ? AND state_at < ?"),
    pruneAttempts: db.prepare(
      "DELETE FROM attempts WHERE message_seq IN (SELECT seq FROM messages WHERE state = ? AND state_at < ?)",
    ),
    counts: db.prepare("SELECT state, count(*) AS n FROM messages GROUP BY state"),
    messageCounts: db.prepare(MESSAGE_COUNTS_SQL),
    oldestWaiting: db
      .prepare(
        `SELECT min(state_at) FROM messages WHERE state IN (${WAITING_STATES.map((w) => `'${w}'`).join(", ")})`,
      )
      .pluck(),
    lastReceived: db
      .prepare("SELECT max(received_at) FROM messages WHERE direction = 'inbound'")
      .pluck(),
    // The same name as queue-records.ts senderName: MSH-3^MSH-4.
    lastReceivedBySender: db.prepare(
      `SELECT sending_application || '^' || coalesce(sending_facility, '') AS name, max(received_at) AS at
       FROM messages WHERE direction = 'inbound' AND sending_application <> '' GROUP BY name`,
    ),

    patient: db.prepare("SELECT record FROM patients WHERE id = ?").pluck(),
    insertPatient: db.prepare("INSERT INTO patients (id, record) VALUES (?, ?)"),
    replacePatient: db.prepare("UPDATE patients SET record = ? WHERE id = ?"),
    selfPay: db.prepare("SELECT self_pay FROM patients WHERE id = ?").pluck(),
    setSelfPay: db.prepare("UPDATE patients SET self_pay = ? WHERE id = ?"),
    deleteKeys: db.prepare(
      "DELETE FROM patient_keys WHERE patient_seq = (SELECT seq FROM patients WHERE id = ?)",
    ),
    insertKey: db.prepare(
      "INSERT OR IGNORE INTO patient_keys (key, patient_seq) SELECT ?, seq FROM patients WHERE id = ?",
    ),
    candidates: db.prepare(CANDIDATES_SQL).pluck(),

    externalIds: db.prepare(
      "SELECT name, key, value FROM external_ids WHERE record = ? AND record_id = ?",
    ),
    deleteExternalIds: db.prepare("DELETE FROM external_ids WHERE record = ? AND record_id = ?"),
    insertExternalId: db.prepare(
      "INSERT INTO external_ids (record, record_id, name, key, value) VALUES (?, ?, ?, ?, ?)",
    ),
    patientsByExternalId: db
      .prepare(
        `SELECT p.record FROM external_ids e JOIN patients p ON p.id = e.record_id
         WHERE e.record = 'patient' AND e.name = ? AND e.key = ? ORDER BY p.seq`,
      )
      .pluck(),
    appointmentsByExternalId: db
      .prepare(
        `SELECT a.record FROM external_ids e JOIN appointments a ON a.id = e.record_id
         WHERE e.record = 'appointment' AND e.name = ? AND e.key = ? ORDER BY a.seq`,
      )
      .pluck(),

    activePolicyRows: db.prepare(
      "SELECT ref, record FROM policies WHERE patient_id = ? AND cancelled = 0 ORDER BY ref",
    ),
    policiesOf: db
      .prepare(
        "SELECT record FROM policies WHERE patient_id = ? AND cancelled = 0 ORDER BY sequence, ref",
      )
      .pluck(),
    policyHistory: db.prepare(
      "SELECT record, cancelled FROM policies WHERE patient_id = ? ORDER BY ref",
    ),
    insertPolicy: db.prepare(
      "INSERT INTO policies (patient_id, sequence, package_id, record) VALUES (?, ?, ?, ?)",
    ),
    replacePolicy: db.prepare(
      "UPDATE policies SET sequence = ?, package_id = ?, record = ? WHERE ref = ?",
    ),
    cancelPolicy: db.prepare("UPDATE policies SET cancelled = 1 WHERE ref = ?"),

    appointment: db.prepare("SELECT record FROM appointments WHERE id = ?").pluck(),
    // The expression is the one the appointments_by_status index is on (sqlite-schema.ts).
    appointmentsInStatus: db
      .prepare(
        `SELECT record FROM appointments WHERE json_extract(record, '$.status') IN (${MISSING_SLIP_STATUSES.map(() => "?").join(", ")}) ORDER BY seq`,
      )
      .pluck(),
    insertAppointment: db.prepare(
      "INSERT INTO appointments (id, patient_id, record) VALUES (?, ?, ?)",
    ),
    replaceAppointment: db.prepare(
      "UPDATE appointments SET patient_id = ?, record = ? WHERE id = ?",
    ),

    claim: db.prepare("SELECT record FROM claims WHERE id = ?").pluck(),
    insertClaim: db.prepare(
      `INSERT INTO claims (id, patient_id, appointment_id, service_date, status, record)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    replaceClaim: db.prepare(
      `UPDATE claims SET patient_id = ?, appointment_id = ?, service_date = ?, status = ?, record = ?
       WHERE id = ?`,
    ),
    unbilledClaims: db
      .prepare(
        `SELECT record FROM claims WHERE patient_id = ? AND service_date = ? AND status = 'unbilled'
         ORDER BY seq`,
      )
      .pluck(),

    saveMasterData: db.prepare(
      "INSERT INTO master_data (id, data) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data",
    ),
    dataVersion: db.prepare("PRAGMA data_version").pluck(),
  };

  const repository: Repository = {
    patient: (id) => parse<StoredPatient>(s.patient.get(id) as string | undefined),
    insertPatient(patient) {
      s.insertPatient.run(patient.id, JSON.stringify(patient));
    },
    replacePatient(patient) {
      s.replacePatient.run(JSON.stringify(patient), patient.id);
    },
    setBlockingKeys(patientId, keys) {
      s.deleteKeys.run(patientId);
      for (const key of keys) s.insertKey.run(key, patientId);
    },
    externalIds(record, id) {
      const rows = s.externalIds.all(record, id) as { name: string; key: string; value: string }[];
      return new Map<string, ExternalIdEntry>(
        rows.map((r) => [r.name, { key: r.key, value: r.value }]),
      );
    },
    setExternalIds(record, id, entries) {
      s.deleteExternalIds.run(record, id);
      for (const [name, e] of entries) s.insertExternalId.run(record, id, name, e.key, e.value);
    },
    activePolicies(patientId) {
      const rows = s.activePolicyRows.all(patientId) as { ref: number; record: string }[];
      return rows.map((r) => ({ ref: r.ref, policy: JSON.parse(r.record) as Policy }));
    },
    insertPolicy(patientId, policy) {
      s.insertPolicy.run(patientId, policy.sequence, policy.packageId, JSON.stringify(policy));
    },
    replacePolicy(ref, policy) {
      s.replacePolicy.run(policy.sequence, policy.packageId, JSON.stringify(policy), ref);
    },
    cancelPolicy(ref) {
      s.cancelPolicy.run(ref);
    },
    setSelfPay(patientId, selfPay) {
      s.setSelfPay.run(selfPay ? 1 : 0, patientId);
    },
    appointment: (id) => parse<StoredAppointment>(s.appointment.get(id) as string | undefined),
    insertAppointment(a) {
      s.insertAppointment.run(a.id, a.patientId ?? null, JSON.stringify(a));
    },
    replaceAppointment(a) {
      s.replaceAppointment.run(a.patientId ?? null, JSON.stringify(a), a.id);
    },
    claim: (id) => parse<StoredClaim>(s.claim.get(id) as string | undefined),
    insertClaim(c) {
      s.insertClaim.run(
        c.id,
        c.patientId,
        c.appointmentId ?? null,
        c.serviceDate,
        c.status,
        JSON.stringify(c),
      );
    },
    replaceClaim(c) {
      s.replaceClaim.run(
        c.patientId,
        c.appointmentId ?? null,
        c.serviceDate,
        c.status,
        JSON.stringify(c),
        c.id,
      );
    },
    takeId(kind, id) {
      s.raiseCounter.run(counterAfter(0, id), kind);
    },
  };

  const receive = db.transaction((message: ReceivedMessage): string => {
    const messageId = messageIdOf(s.takeCounter.get("message") as number);
    s.insertMessage.run({
      messageId,
      raw: Buffer.from(message.raw.buffer, message.raw.byteOffset, message.raw.byteLength),
      receivedAt: message.receivedAt,
      sender: message.sender,
      controlId: message.controlId,
      messageType: message.messageType,
      direction: message.direction,
      sendingApplication: message.sendingApplication ?? null,
      sendingFacility: message.sendingFacility ?? null,
      contentHash: message.contentHash ?? null,
      patientKey: message.patientKey ?? null,
      duplicateOf: message.duplicateOf ?? null,
    });
    return messageId;
  });

  const receiveMany = db.transaction((receipts: readonly Receipt[]): string[] =>
    receipts.map(({ message, attemptAt }) => {
      const messageId = receive(message);
      if (attemptAt !== undefined) s.beginAttempt.run(attemptAt, messageId);
      return messageId;
    }),
  );

  /** Set the state and write one attempt row; the message must exist. */
  const recordAttempt = (
    messageId: string,
    state: QueueState,
    completion: Completion,
    outcome?: { json: string; patientId: string | undefined },
  ): void => {
    const at = completion.at ?? completion.now;
    const seq = s.finishMessage.pluck().get({
      messageId,
      state,
      at,
      outcome: outcome?.json ?? null,
      patientId: outcome?.patientId ?? null,
      ack: completion.ack ?? null,
    }) as number | undefined;
    if (seq === undefined) throw new UnknownMessageError(messageId);
    s.insertAttempt.run({
      seq,
      kind: completion.kind,
      at,
      now: completion.now,
      actor: completion.actor ?? null,
      note: completion.note ?? null,
      state,
      // Its outcome is the message's, stored once there (outcome-once.ts).
      outcome: attemptOutcome(outcome !== undefined),
    });
  };

  const outboundEvents = sqliteOutboundEvents(db);
  const stamps = sqliteKeyStamps(db);
  const queueOutbound = db.transaction(
    (packId: string, build: (sequence: number) => OutboundMessage): string => {
      const { event, ...message } = build(s.takeOutbound.get(packId) as number);
      const messageId = receive({ ...message, direction: "outbound" });
      if (event !== undefined) outboundEvents.keep(messageId, event);
      return messageId;
    },
  );

  const complete = db.transaction(
    (outcome: Outcome, completion: Completion, basedOn: number | ReadBasis | undefined): void => {
      // Under the write lock: was a key the decision read written since (0037), or anything committed?
      if (isReadBasis(basedOn)) refuseStale(basedOn, stamps.current, outcome.messageId);
      else if (basedOn !== undefined && (s.dataVersion.get() as number) !== basedOn) {
        throw new StaleViewError(outcome.messageId);
      }
      const applying = APPLYING_STATES.has(outcome.state);
      if (applying) {
        if (s.message.get(outcome.messageId) === undefined) {
          throw new UnknownMessageError(outcome.messageId);
        }
        stamps.bump(applyTouching(repository, outcome.actions).written);
      }
      recordAttempt(outcome.messageId, outcome.state, completion, {
        json: JSON.stringify(outcome),
        patientId: applying ? subjectPatientId(outcome) : undefined,
      });
    },
  );
  const record = db.transaction(
    (
      message: ReceivedMessage,
      outcomeFor: (messageId: string) => Outcome,
      completion: Completion,
    ): string => {
      const messageId = receive(message);
      complete(outcomeFor(messageId), completion, undefined);
      return messageId;
    },
  );
  const setState = db.transaction((messageId: string, state: QueueState, completion: Completion) =>
    recordAttempt(messageId, state, completion),
  );
  const prune = db.transaction((cutoffs: Readonly<Partial<Record<PrunableState, string>>>) => {
    let removed = 0;
    for (const [state, cutoff] of Object.entries(cutoffs)) {
      if (cutoff === undefined) continue;
      s.pruneAttempts.run(state, cutoff);
      removed += s.prune.run(state, cutoff).changes;
    }
    return removed;
  });

  /** Prepared list queries by their SQL: one per combination of filter conditions used. */
  const listStatements = new Map<string, BetterSqlite3.Statement>();

  const masterDataCache = sqliteMasterData(db);

  return {
    ...sqliteRecordListing(db),
    ...sqliteClaims(db),
    ...sqliteDelivery(db),
    ...outboundEvents.operations,
    patientById: (id: string): Patient | undefined =>
      parse<Patient>(s.patient.get(id) as string | undefined),
    patientsByExternalId: (name: string, key: string): readonly Patient[] =>
      parseAll<Patient>(s.patientsByExternalId.all(name, key)),
    patientCandidates(block: BlockingKeys): readonly Patient[] {
      const keys: (string | null)[] = blockingKeyList(block).slice(0, MAX_BLOCKING_KEYS);
      if (keys.length === 0) return [];
      while (keys.length < MAX_BLOCKING_KEYS) keys.push(null);
      return parseAll<Patient>(s.candidates.all(...keys));
    },
    policiesOf: (patientId: string): readonly Policy[] =>
      parseAll<Policy>(s.policiesOf.all(patientId)),
    appointmentById: (id: string): Appointment | undefined =>
      parse<Appointment>(s.appointment.get(id) as string | undefined),
    appointmentsByExternalId: (name: string, key: string): readonly Appointment[] =>
      parseAll<Appointment>(s.appointmentsByExternalId.all(name, key)),
    unbilledClaims: (patientId: string, serviceDate: string): readonly Claim[] =>
      parseAll<Claim>(s.unbilledClaims.all(patientId, serviceDate)),
    nextId: (kind: RecordIdKind): string => String(s.counter.get(kind) as number),
    get masterData(): MasterData {
      return masterDataCache.read();
    },
    claimById: (id: string): Claim | undefined =>
      parse<Claim>(s.claim.get(id) as string | undefined),
    appointmentsMissingSlips(): readonly Appointment[] {
      const noSlip = noSlipTypes(masterDataCache.current());
      return parseAll<Appointment>(s.appointmentsInStatus.all(...MISSING_SLIP_STATUSES)).filter(
        (a) => missesSlip(a, noSlip),
      );
    },
    insuranceHistory(patientId: string): InsuranceHistory {
      const rows = s.policyHistory.all(patientId) as { record: string; cancelled: number }[];
      return {
        selfPay: (s.selfPay.get(patientId) as number | undefined) === 1,
        policies: rows.map((r) => ({
          policy: JSON.parse(r.record) as Policy,
          cancelled: r.cancelled === 1,
        })),
      };
    },
    receive: (message: ReceivedMessage, options?: ReceiveOptions): string =>
      options?.attemptAt === undefined
        ? receive.immediate(message)
        : (receiveMany.immediate([{ message, attemptAt: options.attemptAt }])[0] as string),
    receiveMany: (receipts: readonly Receipt[]): readonly string[] =>
      receiveMany.immediate(receipts),
    queueOutbound: (packId: string, build: (sequence: number) => OutboundMessage): string =>
      queueOutbound.immediate(packId, build),
    complete(outcome: Outcome, completion: Completion, basedOn?: number | ReadBasis): void {
      complete.immediate(outcome, completion, basedOn);
    },
    viewVersion(): number {
      const version = s.dataVersion.get() as number;
      masterDataCache.seen(version);
      return version;
    },
    keyStamp: () => stamps.keyStamp(),
    record(
      message: ReceivedMessage,
      outcomeFor: (messageId: string) => Outcome,
      completion: Completion,
    ): string {
      return record.immediate(message, outcomeFor, completion);
    },
    beginAttempt(messageId: string, at: string): void {
      if (s.beginAttempt.run(at, messageId).changes === 0) throw new UnknownMessageError(messageId);
    },
    reachStep(messageId: string, step: AttemptStep): void {
      if (s.reachStep.run(step, messageId).changes === 0) throw new UnknownMessageError(messageId);
    },
    setState(messageId: string, state: "DELETED", completion: Completion): void {
      setState.immediate(messageId, state, completion);
    },
    attempts(messageId: string): readonly Attempt[] {
      return (s.attempts.all(messageId) as AttemptRow[]).map(attemptOf);
    },
    findDuplicate(key: DuplicateKey, since: string): StoredMessage | undefined {
      const row = s.findDuplicate.get({ ...key, since }) as MessageRow | undefined;
      return row && storedMessage(row);
    },
    prune(cutoffs: Readonly<Partial<Record<PrunableState, string>>>): number {
      return prune.immediate(cutoffs);
    },
    queueSummary(): QueueSummary {
      const counts: Partial<Record<QueueState, number>> = {};
      for (const r of s.counts.all() as { state: QueueState; n: number }[]) counts[r.state] = r.n;
      const oldest = s.oldestWaiting.get() as string | null;
      const last = s.lastReceived.get() as string | null;
      const bySender = s.lastReceivedBySender.all() as { name: string; at: string }[];
      return {
        counts,
        ...(oldest !== null && { oldestWaitingSince: oldest }),
        ...(last !== null && { lastReceivedAt: last }),
        ...(bySender.length > 0 && {
          lastReceivedBySender: Object.fromEntries(bySender.map((r) => [r.name, r.at])),
        }),
      };
    },
    message(messageId: string): StoredMessage | undefined {
      const row = s.message.get(messageId) as MessageRow | undefined;
      return row && storedMessage(row);
    },
    messages(filter: MessageFilter = {}): readonly StoredMessage[] {
      const { sql, params } = messageQuery(filter);
      let statement = listStatements.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        listStatements.set(sql, statement);
      }
      return (statement.all(params) as MessageRow[]).map(storedMessage);
    },
    messageCounts(): readonly MessageCount[] {
      return s.messageCounts.all() as MessageCount[];
    },
    messagePage(query: PageQuery): QueuePage {
      const { sql, params } = messageQuery(query.filter);
      const named: Record<string, unknown> = { ...params };
      let n = 0;
      const page = pageSql(sql, query, (value) => {
        const name = `page${n++}`;
        named[name] = value;
        return `@${name}`;
      });
      const total = (db.prepare(page.count).get(named) as { n: number }).n;
      const rows = db.prepare(page.rows).all(named) as MessageRow[];
      return { total, messages: rows.map(storedMessage) };
    },
    loadMasterData(data: MasterData): void {
      const json = JSON.stringify(data);
      db.transaction(() => {
        s.saveMasterData.run(json);
        stamps.bump(new Set([readKeys.masterData]));
      }).immediate();
      masterDataCache.loaded(json);
    },
    close(): void {
      db.close();
    },
  };
}

function parseAll<T>(rows: unknown[]): T[] {
  return rows.map((json) => JSON.parse(json as string) as T);
}

/** The SQL of `matchesFilter` (queue-records.ts), with named parameters. */
function messageQuery(f: MessageFilter): { sql: string; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  const add = (condition: string, values: Record<string, unknown>) => {
    where.push(condition);
    Object.assign(params, values);
  };
  if (f.state !== undefined) add("state = @state", { state: f.state });
  if (f.states !== undefined) {
    const names = f.states.map((_, i) => `@state${i}`);
    add(
      `state IN (${names.join(", ") || "NULL"})`,
      Object.fromEntries(f.states.map((st, i) => [`state${i}`, st])),
    );
  }
  if (f.direction !== undefined) add("direction = @direction", { direction: f.direction });
  if (f.type !== undefined) {
    add("(message_type = @type OR substr(message_type, 1, length(@type) + 1) = @type || '^')", {
      type: f.type,
    });
  }
  if (f.since !== undefined) add("received_at >= @since", { since: f.since });
  if (f.patientKey !== undefined) add("patient_key = @patientKey", { patientKey: f.patientKey });
  if (f.patientId !== undefined) add("patient_id = @patientId", { patientId: f.patientId });
  if (f.afterSequence !== undefined)
    add("seq > @afterSequence", { afterSequence: f.afterSequence });
  if (f.code !== undefined) {
    add(errorCodeCondition(f.value !== undefined), {
      code: f.code,
      ...(f.value !== undefined && { value: f.value }),
    });
  }
  const clause = where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "";
  return { sql: `SELECT * FROM messages${clause} ORDER BY seq`, params };
}
