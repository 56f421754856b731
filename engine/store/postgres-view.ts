import type { PoolClient } from "pg";
import { isCappedKey, MAX_BLOCK_SIZE } from "../matching/blocking.js";
import { EMPTY_MASTER_DATA, type MasterData } from "../model/master-data.js";
import { deepFreeze } from "../model/merge.js";
import type { Appointment, Claim, Patient, Policy } from "../model/records.js";
import { blockingKeyList, RECORD_KINDS } from "./ids.js";
import { nextValueSql } from "./postgres-repository.js";
import type { BlockingKeys, InsuranceHistory, RecordIdKind, StoreView } from "./types.js";

/**
 * The view a decision reads from the PostgreSQL store: the records as of
 * one store version, read in one REPEATABLE READ transaction and answered
 * from memory. The store keeps the last one and reads again only when the
 * version has moved (docs/decisions/0022-postgres-view.md).
 */

const MAX_BLOCKING_KEYS = 16;

interface Ordered<T> {
  readonly seq: number;
  readonly record: T;
}

export async function readSnapshot(client: PoolClient): Promise<StoreView> {
  const all = async <R>(sql: string): Promise<R[]> => (await client.query(sql)).rows as R[];
  const patients = new Map<string, Ordered<Patient>>();
  const patientsBySeq = new Map<number, Patient>();
  const selfPay = new Set<string>();
  for (const r of await all<{ seq: string; id: string; self_pay: boolean; record: string }>(
    "SELECT seq, id, self_pay, record FROM patients",
  )) {
    const entry = { seq: Number(r.seq), record: JSON.parse(r.record) as Patient };
    patients.set(r.id, entry);
    patientsBySeq.set(entry.seq, entry.record);
    if (r.self_pay) selfPay.add(r.id);
  }
  const keys = new Map<string, number[]>();
  for (const r of await all<{ key: string; patient_seq: string }>(
    "SELECT key, patient_seq FROM patient_keys",
  )) {
    const list = keys.get(r.key) ?? [];
    list.push(Number(r.patient_seq));
    keys.set(r.key, list);
  }
  const appointments = new Map<string, Ordered<Appointment>>();
  for (const r of await all<{ seq: string; id: string; record: string }>(
    "SELECT seq, id, record FROM appointments",
  )) {
    appointments.set(r.id, { seq: Number(r.seq), record: JSON.parse(r.record) as Appointment });
  }
  const externalIds = new Map<string, string[]>();
  for (const r of await all<{ record: string; record_id: string; name: string; key: string }>(
    "SELECT record, record_id, name, key FROM external_ids",
  )) {
    const at = `${r.record}\u0000${r.name}\u0000${r.key}`;
    const list = externalIds.get(at) ?? [];
    list.push(r.record_id);
    externalIds.set(at, list);
  }
  const policies = new Map<string, { ref: number; policy: Policy; cancelled: boolean }[]>();
  for (const r of await all<{
    ref: string;
    patient_id: string;
    cancelled: boolean;
    record: string;
  }>("SELECT ref, patient_id, cancelled, record FROM policies ORDER BY ref")) {
    const list = policies.get(r.patient_id) ?? [];
    list.push({
      ref: Number(r.ref),
      policy: JSON.parse(r.record) as Policy,
      cancelled: r.cancelled,
    });
    policies.set(r.patient_id, list);
  }
  const unbilled = new Map<string, Claim[]>();
  for (const r of await all<{ patient_id: string; service_date: string; record: string }>(
    "SELECT patient_id, service_date, record FROM claims WHERE status = 'unbilled' ORDER BY seq",
  )) {
    const at = `${r.patient_id}\u0000${r.service_date}`;
    const list = unbilled.get(at) ?? [];
    list.push(JSON.parse(r.record) as Claim);
    unbilled.set(at, list);
  }
  const nextIds = new Map<RecordIdKind, string>();
  for (const kind of RECORD_KINDS) {
    nextIds.set(kind, (await all<{ next: string }>(nextValueSql(kind)))[0]?.next ?? "");
  }
  const masterJson = (await all<{ data: string }>("SELECT data FROM master_data WHERE id = 1"))[0]
    ?.data;
  const masterData = deepFreeze(
    masterJson === undefined ? EMPTY_MASTER_DATA : (JSON.parse(masterJson) as MasterData),
  );

  const bySeq = <T>(rows: (Ordered<T> | undefined)[]): T[] =>
    rows
      .filter((r): r is Ordered<T> => r !== undefined)
      .sort((a, b) => a.seq - b.seq)
      .map((r) => r.record);
  const byExternalId = <T>(
    record: string,
    name: string,
    key: string,
    map: Map<string, Ordered<T>>,
  ) =>
    bySeq((externalIds.get(`${record}\u0000${name}\u0000${key}`) ?? []).map((id) => map.get(id)));

  return {
    patientById: (id) => patients.get(id)?.record,
    patientsByExternalId: (name, key) => byExternalId("patient", name, key, patients),
    patientCandidates(block: BlockingKeys) {
      const seqs = new Set<number>();
      for (const key of blockingKeyList(block).slice(0, MAX_BLOCKING_KEYS)) {
        const found = keys.get(key) ?? [];
        if (found.length > MAX_BLOCK_SIZE && isCappedKey(key)) continue;
        for (const seq of found) seqs.add(seq);
      }
      return [...seqs]
        .sort((a, b) => a - b)
        .map((seq) => patientsBySeq.get(seq))
        .filter((p): p is Patient => p !== undefined);
    },
    policiesOf: (patientId) =>
      (policies.get(patientId) ?? [])
        .filter((p) => !p.cancelled)
        .sort((a, b) => a.policy.sequence - b.policy.sequence || a.ref - b.ref)
        .map((p) => p.policy),
    insuranceHistory: (patientId): InsuranceHistory => ({
      selfPay: selfPay.has(patientId),
      policies: (policies.get(patientId) ?? []).map((p) => ({
        policy: p.policy,
        cancelled: p.cancelled,
      })),
    }),
    appointmentById: (id) => appointments.get(id)?.record,
    appointmentsByExternalId: (name, key) => byExternalId("appointment", name, key, appointments),
    unbilledClaims: (patientId, serviceDate) =>
      unbilled.get(`${patientId}\u0000${serviceDate}`) ?? [],
    nextId: (kind) => nextIds.get(kind) ?? "",
    masterData,
  };
}
