import pg from "pg";
import { EMPTY_MASTER_DATA, type MasterData } from "../model/master-data.js";
import { deepFreeze } from "../model/merge.js";
import type { Outcome, QueueState } from "../model/outcome.js";
import type { Appointment, Claim } from "../model/records.js";
import { StaleViewError, UnknownMessageError } from "./errors.js";
import { messageIdOf } from "./ids.js";
import { MESSAGE_COUNTS_SQL, type MessageCount } from "./message-counts.js";
import { MISSING_SLIP_STATUSES, missesSlip, noSlipTypes } from "./missing-slips.js";
import { ATTEMPT_COLUMNS, attemptOutcome } from "./outcome-once.js";
import { refreshPostgresBlockingIndex } from "./postgres-blocking-index.js";
import { postgresClaims } from "./postgres-claims.js";
import { postgresDelivery } from "./postgres-delivery.js";
import { applyOnBasis, isRetryableFailure, writeKeys } from "./postgres-key-versions.js";
import { fillReads, openedLazyView, startViewCache, type ViewCache } from "./postgres-lazy-view.js";
import { postgresRecordListing } from "./postgres-record-listing.js";
import {
  type AttemptRow,
  attemptOf,
  type MessageRow,
  messageQuery,
  storedMessage,
} from "./postgres-rows.js";
import { migratePostgres } from "./postgres-schema.js";
import { readSnapshot } from "./postgres-view.js";
import { pageSql } from "./queue-page.js";
import { subjectPatientId, WAITING_STATES } from "./queue-records.js";
import { isReadBasis, type ReadBasis, readKeys } from "./read-keys.js";
import type { Receipt } from "./receive-many.js";
import {
  APPLYING_STATES,
  type Completion,
  type OpenedView,
  type ReceivedMessage,
  type Store,
  type StoreView,
} from "./types.js";

/**
 * The PostgreSQL store (`--db postgres://...`), on the `pg` driver: the
 * same contract as the SQLite store (one suite runs against both), for
 * several processes over one database. Opening migrates the database
 * (postgres-schema.ts; a database that does not exist yet is created, as
 * SQLite creates its file). Every message is one transaction; message and
 * record IDs come from database sequences. `store_version` counts the
 * commits that change what a decision reads (records, master data): a
 * decision completed with an older `basedOn` is refused (StaleViewError).
 */

type Client = pg.PoolClient;

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}

export interface PostgresStoreOptions {
  /** Create the database when it does not exist (default true; false for commands that only read a queue). */
  readonly createDatabase?: boolean;
}

export function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Store {
  const { connectionString, schema } = splitSchema(url);
  const pool = new pg.Pool({
    connectionString,
    max: 4,
    ...(schema !== undefined && { options: `-c search_path=${quoteIdentifier(schema)}` }),
  });
  // An idle client's error (the server went away) must not crash the process.
  pool.on("error", () => {});
  const ready = openDatabase(pool, connectionString, schema, options.createDatabase ?? true);
  ready.catch(() => {});

  /** `work` in one transaction begun with `begin`: committed when it returns, rolled back when it throws. */
  const inTransaction = async <T>(
    begin: string,
    work: (client: Client) => Promise<T>,
  ): Promise<T> => {
    await ready;
    const client = await pool.connect();
    try {
      await client.query(begin);
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  };
  const transaction = <T>(work: (client: Client) => Promise<T>): Promise<T> =>
    inTransaction("BEGIN", work);
  const query = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => {
    await ready;
    return (await pool.query<R>(sql, params)).rows;
  };

  const receiveIn = async (client: Client, message: ReceivedMessage): Promise<string> => {
    const seq = Number(
      (await client.query<{ seq: string }>("SELECT nextval('message_seq') AS seq")).rows[0]?.seq,
    );
    const messageId = messageIdOf(seq);
    await client.query(
      `INSERT INTO messages (seq, message_id, raw, received_at, sender, control_id, message_type,
         direction, state, state_at, sending_application, sending_facility, content_hash, patient_key,
         duplicate_of)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'NEW', $4, $9, $10, $11, $12, $13)`,
      [
        seq,
        messageId,
        Buffer.from(message.raw.buffer, message.raw.byteOffset, message.raw.byteLength),
        message.receivedAt,
        message.sender,
        message.controlId,
        message.messageType,
        message.direction,
        message.sendingApplication ?? null,
        message.sendingFacility ?? null,
        message.contentHash ?? null,
        message.patientKey ?? null,
        message.duplicateOf ?? null,
      ],
    );
    return messageId;
  };

  /** Count one attempt begun (step `decide`); the message must exist. */
  const beginAttemptIn = async (
    client: Pick<Client, "query">,
    messageId: string,
    at: string,
  ): Promise<void> => {
    const result = await client.query<{ seq: string }>(
      `UPDATE messages SET unfinished_attempts = unfinished_attempts + 1, attempt_step = 'decide',
         attempt_at = $1 WHERE message_id = $2 RETURNING seq`,
      [at, messageId],
    );
    if (result.rows.length === 0) throw new UnknownMessageError(messageId);
  };

  /** Store one receipt's message NEW, its first attempt begun when it says so (receive-many.ts). */
  const receiveReceiptIn = async (
    client: Client,
    { message, attemptAt }: Receipt,
  ): Promise<string> => {
    const messageId = await receiveIn(client, message);
    if (attemptAt !== undefined) await beginAttemptIn(client, messageId, attemptAt);
    return messageId;
  };

  /** Set the state and write one attempt row; the message must exist. */
  const recordAttempt = async (
    client: Client,
    messageId: string,
    state: QueueState,
    completion: Completion,
    outcome?: { json: string; patientId: string | undefined },
  ): Promise<void> => {
    const at = completion.at ?? completion.now;
    const updated = await client.query<{ seq: string }>(
      `UPDATE messages SET state = $2, state_at = $3, outcome = coalesce($4, outcome),
         patient_id = coalesce($5, patient_id), ack = coalesce($6, ack),
         unfinished_attempts = 0, attempt_step = NULL, attempt_at = NULL
       WHERE message_id = $1 RETURNING seq`,
      [
        messageId,
        state,
        at,
        outcome?.json ?? null,
        outcome?.patientId ?? null,
        completion.ack ?? null,
      ],
    );
    const seq = updated.rows[0]?.seq;
    if (seq === undefined) throw new UnknownMessageError(messageId);
    await client.query(
      `INSERT INTO attempts (message_seq, number, kind, at, now, actor, note, state, outcome)
       SELECT $1, coalesce(max(number), 0) + 1, $2, $3, $4, $5, $6, $7, $8
       FROM attempts WHERE message_seq = $1`,
      [
        seq,
        completion.kind,
        at,
        completion.now,
        completion.actor ?? null,
        completion.note ?? null,
        state,
        // Its outcome is the message's, stored once there (outcome-once.ts).
        attemptOutcome(outcome !== undefined),
      ],
    );
  };

  /** Lock the change counter (completes queue behind each other) and read it. */
  const lockVersion = async (client: Client): Promise<number> =>
    Number(
      (
        await client.query<{ version: string }>(
          "SELECT version FROM store_version WHERE id = 1 FOR UPDATE",
        )
      ).rows[0]?.version,
    );
  const bumpVersion = (client: Client) =>
    client.query("UPDATE store_version SET version = version + 1 WHERE id = 1");

  const completeIn = async (
    client: Client,
    outcome: Outcome,
    completion: Completion,
    basedOn: number | ReadBasis | undefined,
  ): Promise<void> => {
    if (typeof basedOn === "number" && (await lockVersion(client)) !== basedOn)
      throw new StaleViewError(outcome.messageId);
    const basis = isReadBasis(basedOn) ? basedOn : undefined;
    const applying = APPLYING_STATES.has(outcome.state);
    if (applying) {
      const found = await client.query("SELECT 1 FROM messages WHERE message_id = $1", [
        outcome.messageId,
      ]);
      if (found.rowCount === 0) throw new UnknownMessageError(outcome.messageId);
    }
    // Refused only when a key the decision read moved (0037); the actions' keys bumped.
    await applyOnBasis(client, outcome.messageId, applying ? outcome.actions : [], basis);
    await recordAttempt(client, outcome.messageId, outcome.state, completion, {
      json: JSON.stringify(outcome),
      patientId: applying ? subjectPatientId(outcome) : undefined,
    });
    // Last, so completes wait on each other's version row only for their commits.
    if (applying && outcome.actions.length > 0) await bumpVersion(client);
  };

  let snapshot: { version: number; view: StoreView } | undefined;
  let viewCache: ViewCache | undefined;
  /** A read-only REPEATABLE READ transaction: every read in it sees one committed state. */
  const readOnly = <T>(work: (client: Client) => Promise<T>): Promise<T> =>
    inTransaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", work);
  const versionIn = async (client: Client): Promise<number> =>
    Number(
      (await client.query<{ version: string }>("SELECT version FROM store_version WHERE id = 1"))
        .rows[0]?.version,
    );
  /** The message path's view: answers cached per version, misses filled (postgres-lazy-view.ts). */
  const openLazyView = (): Promise<OpenedView> =>
    readOnly(async (client) => {
      const version = await versionIn(client);
      if (viewCache?.version !== version) viewCache = await startViewCache(client, version);
      const cache = viewCache;
      // Read after the view's version, a fill may see a newer state: its keys' versions say so.
      return openedLazyView(cache, (reads) => readOnly((c) => fillReads(c, cache, reads)));
    });
  const readMasterData = async (): Promise<MasterData> => {
    const rows = await query<{ data: string }>("SELECT data FROM master_data WHERE id = 1");
    const json = rows[0]?.data;
    return deepFreeze(json === undefined ? EMPTY_MASTER_DATA : (JSON.parse(json) as MasterData));
  };
  const parseRecords = <T>(rows: { record: string }[]): T[] =>
    rows.map((r) => JSON.parse(r.record) as T);

  return {
    ...postgresClaims({ inTransaction, query }),
    ...postgresDelivery({ inTransaction, query }),
    ...postgresRecordListing(query),
    openView(options) {
      if (options?.lazy) return openLazyView();
      // A caller that cannot decide again on a miss gets every record at one version (postgres-view.ts).
      return readOnly(async (client) => {
        const version = await versionIn(client);
        if (snapshot?.version !== version) snapshot = { version, view: await readSnapshot(client) };
        return { view: snapshot.view, version };
      });
    },
    receive: (message, options) =>
      transaction((client) => receiveReceiptIn(client, { message, ...options })),
    receiveMany: (receipts) =>
      transaction(async (client) => {
        const ids: string[] = [];
        for (const receipt of receipts) ids.push(await receiveReceiptIn(client, receipt));
        return ids;
      }),
    complete: (outcome, completion, basedOn) =>
      transaction((client) => completeIn(client, outcome, completion, basedOn)).catch((e) => {
        throw isRetryableFailure(e) ? new StaleViewError(outcome.messageId) : e;
      }),
    record: (message, outcomeFor, completion) =>
      transaction(async (client) => {
        const messageId = await receiveIn(client, message);
        await completeIn(client, outcomeFor(messageId), completion, undefined);
        return messageId;
      }),
    async beginAttempt(messageId, at) {
      await ready;
      await beginAttemptIn(pool, messageId, at);
    },
    async reachStep(messageId, step) {
      const result = await query<{ seq: string }>(
        "UPDATE messages SET attempt_step = $1 WHERE message_id = $2 RETURNING seq",
        [step, messageId],
      );
      if (result.length === 0) throw new UnknownMessageError(messageId);
    },
    setState: (messageId, state, completion) =>
      transaction((client) => recordAttempt(client, messageId, state, completion)),
    async attempts(messageId) {
      const rows = await query<AttemptRow>(
        `SELECT ${ATTEMPT_COLUMNS} FROM attempts a JOIN messages m ON m.seq = a.message_seq
         WHERE m.message_id = $1 ORDER BY a.number`,
        [messageId],
      );
      return rows.map(attemptOf);
    },
    async findDuplicate(key, since) {
      const rows = await query<MessageRow>(
        `SELECT * FROM messages WHERE control_id = $1 AND sending_application = $2
           AND sending_facility = $3 AND content_hash = $4
           AND direction = 'inbound' AND duplicate_of IS NULL AND received_at >= $5
         ORDER BY seq LIMIT 1`,
        [key.controlId, key.sendingApplication, key.sendingFacility, key.contentHash, since],
      );
      return rows[0] && storedMessage(rows[0]);
    },
    prune: (cutoffs) =>
      transaction(async (client) => {
        let removed = 0;
        for (const [state, cutoff] of Object.entries(cutoffs)) {
          if (cutoff === undefined) continue;
          const result = await client.query(
            "DELETE FROM messages WHERE state = $1 AND state_at < $2",
            [state, cutoff],
          );
          removed += result.rowCount ?? 0;
        }
        return removed;
      }),
    async queueSummary() {
      const counts: Partial<Record<QueueState, number>> = {};
      for (const r of await query<{ state: QueueState; n: number }>(
        "SELECT state, count(*)::int AS n FROM messages GROUP BY state",
      )) {
        counts[r.state] = r.n;
      }
      const [ages] = await query<{ oldest: string | null; last: string | null }>(
        `SELECT (SELECT min(state_at) FROM messages WHERE state = ANY($1)) AS oldest,
           (SELECT max(received_at) FROM messages WHERE direction = 'inbound') AS last`,
        [WAITING_STATES],
      );
      // The same name as queue-records.ts senderName: MSH-3^MSH-4.
      const bySender = await query<{ name: string; at: string }>(
        `SELECT sending_application || '^' || coalesce(sending_facility, '') AS name, max(received_at) AS at
         FROM messages WHERE direction = 'inbound' AND sending_application <> '' GROUP BY 1`,
      );
      return {
        counts,
        ...(ages?.oldest != null && { oldestWaitingSince: ages.oldest }),
        ...(ages?.last != null && { lastReceivedAt: ages.last }),
        ...(bySender.length > 0 && {
          lastReceivedBySender: Object.fromEntries(bySender.map((r) => [r.name, r.at])),
        }),
      };
    },
    queueOutbound: (packId, build) =>
      transaction(async (client) => {
        const taken = await client.query<{ taken: string }>(
          `INSERT INTO outbound_counters (pack, next) VALUES ($1, 2)
           ON CONFLICT (pack) DO UPDATE SET next = outbound_counters.next + 1
           RETURNING next - 1 AS taken`,
          [packId],
        );
        const sequence = Number(taken.rows[0]?.taken);
        const { event, ...message } = build(sequence);
        const messageId = await receiveIn(client, { ...message, direction: "outbound" });
        if (event !== undefined)
          await client.query("UPDATE messages SET event = $1 WHERE message_id = $2", [
            event,
            messageId,
          ]);
        return messageId;
      }),
    async outboundEvent(messageId) {
      const rows = await query<{ event: string | null }>(
        "SELECT event FROM messages WHERE message_id = $1",
        [messageId],
      );
      return rows[0]?.event ?? undefined;
    },
    async message(messageId) {
      const rows = await query<MessageRow>("SELECT * FROM messages WHERE message_id = $1", [
        messageId,
      ]);
      return rows[0] && storedMessage(rows[0]);
    },
    async messages(filter = {}) {
      const { sql, params } = messageQuery(filter);
      return (await query<MessageRow>(sql, params)).map(storedMessage);
    },
    async messageCounts() {
      return (await query<MessageCount>(MESSAGE_COUNTS_SQL)).map((c) => ({ ...c, n: Number(c.n) }));
    },
    async messagePage(page) {
      const { sql, params } = messageQuery(page.filter);
      const all = [...params];
      const built = pageSql(sql, page, (value) => {
        all.push(value);
        return `$${all.length}::${typeof value === "number" ? "int" : "text"}`;
      });
      // LIMIT and OFFSET are the last two parameters; the count takes the others.
      const [count] = await query<{ n: string }>(built.count, all.slice(0, -2));
      const rows = await query<MessageRow>(built.rows, all);
      return { total: Number(count?.n ?? 0), messages: rows.map(storedMessage) };
    },
    async claimById(id) {
      return parseRecords<Claim>(await query("SELECT record FROM claims WHERE id = $1", [id]))[0];
    },
    async appointmentsMissingSlips() {
      const noSlip = noSlipTypes(await readMasterData());
      const rows = await query<{ record: string }>(
        "SELECT record FROM appointments WHERE status = ANY($1) ORDER BY seq",
        [MISSING_SLIP_STATUSES],
      );
      return parseRecords<Appointment>(rows).filter((a) => missesSlip(a, noSlip));
    },
    loadMasterData: (data) =>
      transaction(async (client) => {
        // The key's lock before the version row, in the order completes take them (no wait in a circle).
        await writeKeys(client, new Set([readKeys.masterData]), async () => {
          await lockVersion(client);
          const saved = await client.query(
            `INSERT INTO master_data (id, data) VALUES (1, $1)
             ON CONFLICT (id) DO UPDATE SET data = excluded.data
             WHERE master_data.data IS DISTINCT FROM excluded.data`,
            [JSON.stringify(data)],
          );
          if (saved.rowCount === 0) return false;
          await bumpVersion(client);
          return true;
        });
      }),
    async close() {
      await ready.catch(() => {});
      await pool.end();
    },
  };
}

/** Connect, creating the database when it does not exist yet, and migrate it. */
/**
 * `?schema=NAME` in the URL: the store's tables live in that schema of the
 * database (created on open like the database), so several stores can share
 * one database. The driver gets the URL without it.
 */
export function splitSchema(url: string): { connectionString: string; schema?: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema");
  if (schema === null || schema === "") return { connectionString: url };
  parsed.searchParams.delete("schema");
  return { connectionString: parsed.toString(), schema };
}

const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

async function openDatabase(
  pool: pg.Pool,
  url: string,
  schema: string | undefined,
  create: boolean,
): Promise<void> {
  let client: Client;
  try {
    client = await pool.connect();
  } catch (e) {
    if (!create || (e as { code?: string }).code !== "3D000") throw e; // invalid_catalog_name
    await createDatabase(url);
    client = await pool.connect();
  }
  try {
    if (schema !== undefined) {
      const found = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]);
      if (found.rowCount === 0) {
        if (!create) throw new Error(`schema "${schema}" does not exist`);
        // IF NOT EXISTS is not proof against another opener creating it at the same moment (23505).
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`).catch((e) => {
          if ((e as { code?: string }).code !== "23505") throw e;
        });
      }
    }
    await migratePostgres(client);
    await refreshPostgresBlockingIndex(client);
  } finally {
    client.release();
  }
}

async function createDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ""));
  const maintenance = new URL(url);
  maintenance.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: maintenance.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
  } catch (e) {
    // Another opener created it first: it exists (42P04), or both inserted its name at once (23505).
    const code = (e as { code?: string }).code;
    if (code !== "42P04" && code !== "23505") throw e;
  } finally {
    await admin.end();
  }
}
