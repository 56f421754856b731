import type { PoolClient } from "pg";
import type { TypedAction } from "../model/actions.js";
import type { Policy } from "../model/records.js";
import {
  applyActions,
  type ExternalIdEntry,
  type ExternalIdRecord,
  type PolicyRow,
  type Repository,
  type StoredAppointment,
  type StoredClaim,
  type StoredPatient,
} from "./apply.js";
import type { RecordIdKind } from "./types.js";
import { type KeysTouched, noKeysTouched, touchingRepository } from "./written-keys.js";

/**
 * Applying one message's actions inside a PostgreSQL transaction. The rules
 * (apply.ts) read the repository synchronously; the database answers with
 * promises. So the actions run against a cache of rows read in this
 * transaction: a read the cache cannot answer stops the run (RowMiss), the
 * row is fetched, and the actions run again from the start with their
 * writes discarded. When a run completes, its writes, kept in order, are
 * sent to the database. A failing action fails before anything is written.
 */

type RowRead =
  | { readonly kind: "patient"; readonly id: string }
  | { readonly kind: "appointment"; readonly id: string }
  | { readonly kind: "claim"; readonly id: string }
  | { readonly kind: "externalIds"; readonly record: ExternalIdRecord; readonly id: string }
  | { readonly kind: "activePolicies"; readonly patientId: string };

class RowMiss {
  constructor(readonly read: RowRead) {}
}

type Write = (client: PoolClient, refs: Map<number, number>) => Promise<unknown>;

/** Rows read so far in the transaction, by table and key (null: no such row). */
interface Rows {
  readonly patients: Map<string, StoredPatient | null>;
  readonly appointments: Map<string, StoredAppointment | null>;
  readonly claims: Map<string, StoredClaim | null>;
  readonly externalIds: Map<string, ReadonlyMap<string, ExternalIdEntry>>;
  readonly activePolicies: Map<string, readonly PolicyRow[]>;
}

/** Rounds of the actions the last `applyInTransaction` took (1: no miss). */
export interface ApplyRounds {
  rounds: number;
}

export async function applyInTransaction(
  client: PoolClient,
  actions: readonly TypedAction[],
  counter?: ApplyRounds,
): Promise<void> {
  await (await planInTransaction(client, actions, counter)).send();
}

/** A completed run of the actions: the keys it touches (written-keys.ts) and its writes, not sent yet. */
export interface PlannedActions {
  readonly touched: KeysTouched;
  send(): Promise<void>;
}

/** Run the actions over rows read in the transaction until they complete; write nothing yet. */
export async function planInTransaction(
  client: PoolClient,
  actions: readonly TypedAction[],
  counter?: ApplyRounds,
): Promise<PlannedActions> {
  const rows: Rows = {
    patients: new Map(),
    appointments: new Map(),
    claims: new Map(),
    externalIds: new Map(),
    activePolicies: new Map(),
  };
  for (let round = 1; ; round++) {
    const writes: Write[] = [];
    const touched = noKeysTouched();
    try {
      applyActions(touchingRepository(overlay(rows, writes), touched), actions);
    } catch (e) {
      if (!(e instanceof RowMiss)) throw e;
      await fetchRow(client, rows, e.read);
      continue;
    }
    if (counter) counter.rounds = round;
    return {
      touched,
      async send() {
        const refs = new Map<number, number>();
        for (const write of writes) await write(client, refs);
      },
    };
  }
}

const externalKey = (record: ExternalIdRecord, id: string) => `${record}\u0000${id}`;

async function fetchRow(client: PoolClient, rows: Rows, read: RowRead): Promise<void> {
  const one = async (sql: string, key: string) =>
    (await client.query<{ record: string }>(sql, [key])).rows[0]?.record;
  switch (read.kind) {
    case "patient": {
      const json = await one("SELECT record FROM patients WHERE id = $1", read.id);
      rows.patients.set(read.id, json === undefined ? null : JSON.parse(json));
      return;
    }
    case "appointment": {
      const json = await one("SELECT record FROM appointments WHERE id = $1", read.id);
      rows.appointments.set(read.id, json === undefined ? null : JSON.parse(json));
      return;
    }
    case "claim": {
      const json = await one("SELECT record FROM claims WHERE id = $1", read.id);
      rows.claims.set(read.id, json === undefined ? null : JSON.parse(json));
      return;
    }
    case "externalIds": {
      const result = await client.query<{ name: string; key: string; value: string }>(
        "SELECT name, key, value FROM external_ids WHERE record = $1 AND record_id = $2",
        [read.record, read.id],
      );
      rows.externalIds.set(
        externalKey(read.record, read.id),
        new Map(result.rows.map((r) => [r.name, { key: r.key, value: r.value }])),
      );
      return;
    }
    case "activePolicies": {
      const result = await client.query<{ ref: string; record: string }>(
        "SELECT ref, record FROM policies WHERE patient_id = $1 AND NOT cancelled ORDER BY ref",
        [read.patientId],
      );
      rows.activePolicies.set(
        read.patientId,
        result.rows.map((r) => ({ ref: Number(r.ref), policy: JSON.parse(r.record) as Policy })),
      );
      return;
    }
  }
}

/**
 * A repository over the rows read, for one run of the actions: its own
 * writes are seen by its later reads and queued in `writes`. Policies it
 * inserts get negative refs until written (`refs` maps them).
 */
function overlay(base: Rows, writes: Write[]): Repository {
  const patients = new Map(base.patients);
  const appointments = new Map(base.appointments);
  const claims = new Map(base.claims);
  const externalIds = new Map(base.externalIds);
  const policies = new Map<string, PolicyRow[]>();
  let nextTemporaryRef = -1;
  const known = <T>(map: Map<string, T | null>, id: string, read: RowRead): T | undefined => {
    const row = map.get(id);
    if (row === undefined) throw new RowMiss(read);
    return row ?? undefined;
  };
  const activeOf = (patientId: string): PolicyRow[] => {
    let list = policies.get(patientId);
    if (!list) {
      const stored = base.activePolicies.get(patientId);
      if (!stored) throw new RowMiss({ kind: "activePolicies", patientId });
      list = [...stored];
      policies.set(patientId, list);
    }
    return list;
  };
  const realRef = (refs: Map<number, number>, ref: number) => (ref < 0 ? refs.get(ref) : ref);
  const findPolicy = (ref: number) => {
    for (const list of policies.values()) {
      const index = list.findIndex((row) => row.ref === ref);
      if (index >= 0) return { list, index };
    }
    return undefined;
  };
  const write = (sql: string, params: unknown[]) => {
    writes.push((client) => client.query(sql, params));
  };
  return {
    patient: (id) => known(patients, id, { kind: "patient", id }),
    insertPatient(patient) {
      patients.set(patient.id, patient);
      write("INSERT INTO patients (id, record) VALUES ($1, $2)", [
        patient.id,
        JSON.stringify(patient),
      ]);
    },
    replacePatient(patient) {
      patients.set(patient.id, patient);
      write("UPDATE patients SET record = $1 WHERE id = $2", [JSON.stringify(patient), patient.id]);
    },
    setBlockingKeys(patientId, keys) {
      write(
        "DELETE FROM patient_keys WHERE patient_seq = (SELECT seq FROM patients WHERE id = $1)",
        [patientId],
      );
      for (const key of keys) {
        write(
          `INSERT INTO patient_keys (key, patient_seq) SELECT $1, seq FROM patients WHERE id = $2
           ON CONFLICT DO NOTHING`,
          [key, patientId],
        );
      }
    },
    externalIds(record, id) {
      const entries = externalIds.get(externalKey(record, id));
      if (!entries) throw new RowMiss({ kind: "externalIds", record, id });
      return entries;
    },
    setExternalIds(record, id, entries) {
      externalIds.set(externalKey(record, id), new Map(entries));
      write("DELETE FROM external_ids WHERE record = $1 AND record_id = $2", [record, id]);
      for (const [name, e] of entries) {
        write(
          "INSERT INTO external_ids (record, record_id, name, key, value) VALUES ($1, $2, $3, $4, $5)",
          [record, id, name, e.key, e.value],
        );
      }
    },
    // A copy: the caller may cancel the rows while it walks them.
    activePolicies: (patientId) => [...activeOf(patientId)],
    insertPolicy(patientId, policy) {
      const ref = nextTemporaryRef--;
      activeOf(patientId).push({ ref, policy });
      writes.push(async (client, refs) => {
        const result = await client.query<{ ref: string }>(
          `INSERT INTO policies (patient_id, sequence, package_id, record) VALUES ($1, $2, $3, $4)
           RETURNING ref`,
          [patientId, policy.sequence, policy.packageId, JSON.stringify(policy)],
        );
        refs.set(ref, Number(result.rows[0]?.ref));
      });
    },
    replacePolicy(ref, policy) {
      const found = findPolicy(ref);
      if (found) found.list[found.index] = { ref, policy };
      writes.push((client, refs) =>
        client.query(
          "UPDATE policies SET sequence = $1, package_id = $2, record = $3 WHERE ref = $4",
          [policy.sequence, policy.packageId, JSON.stringify(policy), realRef(refs, ref)],
        ),
      );
    },
    cancelPolicy(ref) {
      const found = findPolicy(ref);
      if (found) found.list.splice(found.index, 1);
      writes.push((client, refs) =>
        client.query("UPDATE policies SET cancelled = true WHERE ref = $1", [realRef(refs, ref)]),
      );
    },
    setSelfPay(patientId, selfPay) {
      write("UPDATE patients SET self_pay = $1 WHERE id = $2", [selfPay, patientId]);
    },
    appointment: (id) => known(appointments, id, { kind: "appointment", id }),
    insertAppointment(a) {
      appointments.set(a.id, a);
      write("INSERT INTO appointments (id, patient_id, status, record) VALUES ($1, $2, $3, $4)", [
        a.id,
        a.patientId ?? null,
        a.status ?? null,
        JSON.stringify(a),
      ]);
    },
    replaceAppointment(a) {
      appointments.set(a.id, a);
      write("UPDATE appointments SET patient_id = $1, status = $2, record = $3 WHERE id = $4", [
        a.patientId ?? null,
        a.status ?? null,
        JSON.stringify(a),
        a.id,
      ]);
    },
    claim: (id) => known(claims, id, { kind: "claim", id }),
    insertClaim(c) {
      claims.set(c.id, c);
      write(
        `INSERT INTO claims (id, patient_id, appointment_id, service_date, status, record)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [c.id, c.patientId, c.appointmentId ?? null, c.serviceDate, c.status, JSON.stringify(c)],
      );
    },
    replaceClaim(c) {
      claims.set(c.id, c);
      write(
        `UPDATE claims SET patient_id = $1, appointment_id = $2, service_date = $3, status = $4,
           record = $5 WHERE id = $6`,
        [c.patientId, c.appointmentId ?? null, c.serviceDate, c.status, JSON.stringify(c), c.id],
      );
    },
    takeId(kind, id) {
      if (!/^\d{1,15}$/.test(id)) return;
      write(raiseSequenceSql(kind), [Number(id) + 1]);
    },
  };
}

/** The sequence of a record kind's IDs (migration 0001). */
export function idSequence(kind: RecordIdKind): string {
  return `${kind}_id`;
}

/** The next value the kind's sequence gives, as SQL over the sequence relation. */
export function nextValueSql(kind: RecordIdKind): string {
  return `SELECT (CASE WHEN is_called THEN last_value + 1 ELSE last_value END)::text AS next FROM ${idSequence(kind)}`;
}

/** Move the sequence so that its next value is at least $1 (never back). */
function raiseSequenceSql(kind: RecordIdKind): string {
  return `SELECT setval('${idSequence(kind)}', $1::bigint - 1)
    FROM ${idSequence(kind)} WHERE $1::bigint > (CASE WHEN is_called THEN last_value + 1 ELSE last_value END)`;
}
