import type { MasterData } from "../model/master-data.js";
import { blockingKeyList } from "./ids.js";
import type { BlockingKeys, RecordIdKind, StoreView } from "./types.js";
import type { ViewRead } from "./view-miss.js";

/**
 * What a decision read, key by key, so that `complete` refuses it only when
 * one of those keys was written since (docs/decisions/0037-*.md), not when
 * anything at all was committed. A key names one thing a read depends on: a
 * record (`patient 1001`), an index entry a search looked up (an external
 * ID's matching key, a blocking key), the next ID of a kind, the master
 * data. A read records the keys of what it looked up and of every record it
 * returned; a write bumps the keys of what it changed, so a search that
 * found nothing conflicts with the record created under the key it searched.
 */

/** Blocking keys a candidate search looks up, at most (the stores' MAX_BLOCKING_KEYS). */
const CANDIDATE_KEYS = 16;

/** The key of one thing a decision may read. */
export type ReadKey = string;

export const readKeys = {
  patient: (id: string): ReadKey => `patient ${id}`,
  appointment: (id: string): ReadKey => `appointment ${id}`,
  /** Unbilled claims of a patient on a service date (`unbilledClaims`). */
  claims: (patientId: string, serviceDate: string): ReadKey =>
    `claims ${JSON.stringify([patientId, serviceDate])}`,
  externalId: (record: "patient" | "appointment", name: string, key: string): ReadKey =>
    `external-id ${JSON.stringify([record, name, key])}`,
  blocking: (key: string): ReadKey => `blocking ${key}`,
  nextId: (kind: RecordIdKind): ReadKey => `next-id ${kind}`,
  masterData: "master-data" as ReadKey,
} as const;

/**
 * `complete`'s basis for a decision: each key it read and the version the
 * key had when read. A key whose version is now higher was written since:
 * the decision is refused (StaleViewError). An embedded store records the
 * store's write stamp at the view's opening for every key (a live view may
 * read later states, never earlier ones); PostgreSQL records each key's own
 * version, read in the same snapshot as the answer.
 */
export interface ReadBasis {
  readonly reads: ReadonlyMap<ReadKey, number>;
}

/** A basis being recorded while the decision runs. */
export interface RecordingBasis extends ReadBasis {
  readonly reads: Map<ReadKey, number>;
}

export function isReadBasis(basedOn: unknown): basedOn is ReadBasis {
  return typeof basedOn === "object" && basedOn !== null && "reads" in basedOn;
}

/** Record `keys` at `versionOf(key)`, keeping the lowest version seen (the oldest read decides). */
export function recordKeys(
  basis: RecordingBasis,
  keys: Iterable<ReadKey>,
  versionOf: (key: ReadKey) => number,
): void {
  for (const key of keys) {
    const version = versionOf(key);
    const before = basis.reads.get(key);
    if (before === undefined || version < before) basis.reads.set(key, version);
  }
}

/** The keys one view read depends on: what it looked up and every record it returned. */
export function keysOfRead(read: ViewRead, answer: unknown): ReadKey[] {
  const ids = (kind: "patient" | "appointment") =>
    ((answer as readonly { id: string }[] | undefined) ?? []).map((r) => readKeys[kind](r.id));
  switch (read.kind) {
    case "patientById":
    case "policies":
      return [readKeys.patient(read.kind === "policies" ? read.patientId : read.id)];
    case "patientsByExternalId":
      return [readKeys.externalId("patient", read.name, read.key), ...ids("patient")];
    case "patientCandidates":
      return [...read.keys.map(readKeys.blocking), ...ids("patient")];
    case "appointmentById":
      return [readKeys.appointment(read.id)];
    case "appointmentsByExternalId":
      return [readKeys.externalId("appointment", read.name, read.key), ...ids("appointment")];
    case "unbilledClaims":
      return [readKeys.claims(read.patientId, read.serviceDate)];
  }
}

/**
 * `view` recording the keys of every read into `record` (engine/store views
 * are synchronous; a read that throws, ViewMiss, records nothing).
 */
export function recordingView(
  view: StoreView,
  record: (keys: readonly ReadKey[]) => void,
): StoreView {
  const read = <T>(request: ViewRead, answer: () => T): T => {
    const result = answer();
    record(keysOfRead(request, result));
    return result;
  };
  return {
    patientById: (id) => read({ kind: "patientById", id }, () => view.patientById(id)),
    patientsByExternalId: (name, key) =>
      read({ kind: "patientsByExternalId", name, key }, () => view.patientsByExternalId(name, key)),
    patientCandidates: (block: BlockingKeys) =>
      read(
        { kind: "patientCandidates", keys: blockingKeyList(block).slice(0, CANDIDATE_KEYS) },
        () => view.patientCandidates(block),
      ),
    policiesOf: (patientId) =>
      read({ kind: "policies", patientId }, () => view.policiesOf(patientId)),
    insuranceHistory: (patientId) =>
      read({ kind: "policies", patientId }, () => view.insuranceHistory(patientId)),
    appointmentById: (id) => read({ kind: "appointmentById", id }, () => view.appointmentById(id)),
    appointmentsByExternalId: (name, key) =>
      read({ kind: "appointmentsByExternalId", name, key }, () =>
        view.appointmentsByExternalId(name, key),
      ),
    unbilledClaims: (patientId, serviceDate) =>
      read({ kind: "unbilledClaims", patientId, serviceDate }, () =>
        view.unbilledClaims(patientId, serviceDate),
      ),
    nextId(kind) {
      const id = view.nextId(kind);
      record([readKeys.nextId(kind)]);
      return id;
    },
    get masterData(): MasterData {
      const data = view.masterData;
      record([readKeys.masterData]);
      return data;
    },
  };
}
