import type { PoolClient } from "pg";
import { EMPTY_MASTER_DATA, type MasterData } from "../model/master-data.js";
import { deepFreeze } from "../model/merge.js";
import type { Appointment, Claim, Patient, Policy } from "../model/records.js";
import { blockingKeyList, RECORD_KINDS } from "./ids.js";
import { POSTGRES_CANDIDATES_SQL } from "./postgres-blocking-index.js";
import { keyVersions } from "./postgres-key-versions.js";
import { nextValueSql } from "./postgres-repository.js";
import {
  keysOfRead,
  type ReadKey,
  type RecordingBasis,
  readKeys,
  recordingView,
  recordKeys,
} from "./read-keys.js";
import type { InsuranceHistory, OpenedView, RecordIdKind, StoreView } from "./types.js";
import { readKey, ViewMiss, type ViewRead } from "./view-miss.js";

/**
 * The view a decision reads from the PostgreSQL store on the message path:
 * answers read at one store version, kept while the version stands; a read
 * not held yet throws ViewMiss, `fillReads` fetches it, and the decision
 * runs again (docs/decisions/0022-postgres-view.md).
 */

const MAX_BLOCKING_KEYS = 16;

interface PolicyHistory {
  readonly selfPay: boolean;
  readonly policies: readonly { ref: number; policy: Policy; cancelled: boolean }[];
}

/** What one store version has read so far. */
export interface ViewCache {
  readonly version: number;
  readonly nextIds: ReadonlyMap<RecordIdKind, string>;
  readonly masterData: MasterData;
  readonly answers: Map<string, unknown>;
  /** The version of each key an answer depends on, read with it (decision 0037; the oldest kept). */
  readonly keyVersions: Map<ReadKey, number>;
  /** Reads fetched (one per miss), for the rounds measurement. */
  fetched: number;
}

/** Start a version's cache: the ID sequences and master data, read in the caller's transaction. */
export async function startViewCache(client: PoolClient, version: number): Promise<ViewCache> {
  const nextIds = new Map<RecordIdKind, string>();
  for (const kind of RECORD_KINDS) {
    nextIds.set(
      kind,
      (await client.query<{ next: string }>(nextValueSql(kind))).rows[0]?.next ?? "",
    );
  }
  const json = (await client.query<{ data: string }>("SELECT data FROM master_data WHERE id = 1"))
    .rows[0]?.data;
  const cache: ViewCache = {
    version,
    nextIds,
    masterData: deepFreeze(
      json === undefined ? EMPTY_MASTER_DATA : (JSON.parse(json) as MasterData),
    ),
    answers: new Map(),
    keyVersions: new Map(),
    fetched: 0,
  };
  await noteVersions(client, cache, [...RECORD_KINDS.map(readKeys.nextId), readKeys.masterData]);
  return cache;
}

/** Keep the keys' versions, read in the caller's transaction (an older one already kept stays). */
async function noteVersions(
  client: PoolClient,
  cache: ViewCache,
  keys: readonly ReadKey[],
): Promise<void> {
  for (const [key, version] of await keyVersions(client, keys)) {
    const kept = cache.keyVersions.get(key);
    if (kept === undefined || version < kept) cache.keyVersions.set(key, version);
  }
}

/**
 * One decision's view over the cache, recording the keys it reads at the
 * versions the cache read them (its `basis`); `fill` fetches its misses.
 */
export function openedLazyView(
  cache: ViewCache,
  fill: (reads: readonly ViewRead[]) => Promise<void>,
): OpenedView {
  const basis: RecordingBasis = { reads: new Map() };
  return {
    view: recordingView(lazyView(cache), (keys) =>
      // The fill that answered a read noted its keys' versions.
      recordKeys(basis, keys, (key) => cache.keyVersions.get(key) ?? 0),
    ),
    version: cache.version,
    basis,
    fill,
  };
}

export function lazyView(cache: ViewCache): StoreView {
  const answer = <T>(read: ViewRead): T => {
    const key = readKey(read);
    if (!cache.answers.has(key)) throw new ViewMiss([read]);
    return cache.answers.get(key) as T;
  };
  const policies = (patientId: string) => answer<PolicyHistory>({ kind: "policies", patientId });
  return {
    patientById: (id) => answer<Patient | undefined>({ kind: "patientById", id }),
    patientsByExternalId: (name, key) =>
      answer<Patient[]>({ kind: "patientsByExternalId", name, key }),
    patientCandidates(block) {
      const keys = blockingKeyList(block).slice(0, MAX_BLOCKING_KEYS);
      if (keys.length === 0) return [];
      return answer<Patient[]>({ kind: "patientCandidates", keys });
    },
    policiesOf: (patientId) =>
      policies(patientId)
        .policies.filter((p) => !p.cancelled)
        .sort((a, b) => a.policy.sequence - b.policy.sequence || a.ref - b.ref)
        .map((p) => p.policy),
    insuranceHistory(patientId): InsuranceHistory {
      const history = policies(patientId);
      return {
        selfPay: history.selfPay,
        policies: history.policies.map((p) => ({ policy: p.policy, cancelled: p.cancelled })),
      };
    },
    appointmentById: (id) => answer<Appointment | undefined>({ kind: "appointmentById", id }),
    appointmentsByExternalId: (name, key) =>
      answer<Appointment[]>({ kind: "appointmentsByExternalId", name, key }),
    unbilledClaims: (patientId, serviceDate) =>
      answer<Claim[]>({ kind: "unbilledClaims", patientId, serviceDate }),
    nextId: (kind) => cache.nextIds.get(kind) ?? "",
    masterData: cache.masterData,
  };
}

/** Fetch the reads into the cache, in the caller's transaction. */
export async function fillReads(
  client: PoolClient,
  cache: ViewCache,
  reads: readonly ViewRead[],
): Promise<void> {
  for (const read of reads) {
    const key = readKey(read);
    if (cache.answers.has(key)) continue;
    const answer = await fetchRead(client, read);
    await noteVersions(client, cache, keysOfRead(read, answer));
    cache.answers.set(key, answer);
    cache.fetched++;
  }
}

async function fetchRead(client: PoolClient, read: ViewRead): Promise<unknown> {
  const records = async <T>(sql: string, params: unknown[]): Promise<T[]> =>
    (await client.query<{ record: string }>(sql, params)).rows.map(
      (r) => JSON.parse(r.record) as T,
    );
  switch (read.kind) {
    case "patientById":
      return (await records<Patient>("SELECT record FROM patients WHERE id = $1", [read.id]))[0];
    case "patientsByExternalId":
      return records<Patient>(
        `SELECT p.record FROM external_ids e JOIN patients p ON p.id = e.record_id
         WHERE e.record = 'patient' AND e.name = $1 AND e.key = $2 ORDER BY p.seq`,
        [read.name, read.key],
      );
    case "patientCandidates":
      return records<Patient>(POSTGRES_CANDIDATES_SQL, [[...read.keys]]);
    case "policies": {
      const rows = await client.query<{ ref: string; cancelled: boolean; record: string }>(
        "SELECT ref, cancelled, record FROM policies WHERE patient_id = $1 ORDER BY ref",
        [read.patientId],
      );
      const selfPay = await client.query<{ self_pay: boolean }>(
        "SELECT self_pay FROM patients WHERE id = $1",
        [read.patientId],
      );
      return {
        selfPay: selfPay.rows[0]?.self_pay === true,
        policies: rows.rows.map((r) => ({
          ref: Number(r.ref),
          cancelled: r.cancelled,
          policy: JSON.parse(r.record) as Policy,
        })),
      } satisfies PolicyHistory;
    }
    case "appointmentById":
      return (
        await records<Appointment>("SELECT record FROM appointments WHERE id = $1", [read.id])
      )[0];
    case "appointmentsByExternalId":
      return records<Appointment>(
        `SELECT a.record FROM external_ids e JOIN appointments a ON a.id = e.record_id
         WHERE e.record = 'appointment' AND e.name = $1 AND e.key = $2 ORDER BY a.seq`,
        [read.name, read.key],
      );
    case "unbilledClaims":
      return records<Claim>(
        `SELECT record FROM claims WHERE patient_id = $1 AND service_date = $2 AND status = 'unbilled'
         ORDER BY seq`,
        [read.patientId, read.serviceDate],
      );
  }
}
