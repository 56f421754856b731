import { blockingKeysOf } from "../matching/blocking.js";
import type { TypedAction } from "../model/actions.js";
import { applyActions, type ExternalIdEntry, type Repository } from "./apply.js";
import { blockingKeyList } from "./ids.js";
import { type ReadKey, readKeys } from "./read-keys.js";

/**
 * The read keys (read-keys.ts) a run of actions writes, and the records it
 * read to write them, taken from the repository calls apply.ts makes: the
 * store bumps the written keys' versions in the same transaction, so a
 * decision that read any of them is refused.
 *
 * Index keys are bumped only when an entry is added: a blocking key or
 * external ID the record already had found it before, and a decision that
 * found it recorded the record's own key, which the change bumps.
 */
export interface KeysTouched {
  /** Keys whose versions the run moves. */
  readonly written: Set<ReadKey>;
  /** Keys of the existing records the run read (a row fetched before the keys were locked may be old). */
  readonly fetched: Set<ReadKey>;
}

export function noKeysTouched(): KeysTouched {
  return { written: new Set(), fetched: new Set() };
}

/** `repo`, noting into `touched` what each call reads and writes. */
export function touchingRepository(repo: Repository, touched: KeysTouched): Repository {
  const { written, fetched } = touched;
  /** Blocking keys and external IDs each record had when the run read it. */
  const blockingBefore = new Map<string, ReadonlySet<string>>();
  const externalBefore = new Map<string, ReadonlyMap<string, ExternalIdEntry>>();
  /** The patient of each active policy read, by its ref. */
  const policyPatient = new Map<number, string>();
  /** Each claim read: where its `unbilledClaims` key was. */
  const claimDay = new Map<string, ReadKey>();
  return {
    patient(id) {
      const stored = repo.patient(id);
      if (stored) {
        fresh(readKeys.patient(id));
        if (!blockingBefore.has(id))
          blockingBefore.set(id, new Set(blockingKeyList(blockingKeysOf(stored))));
      }
      return stored;
    },
    insertPatient(patient) {
      written.add(readKeys.patient(patient.id));
      blockingBefore.set(patient.id, new Set());
      repo.insertPatient(patient);
    },
    replacePatient(patient) {
      written.add(readKeys.patient(patient.id));
      repo.replacePatient(patient);
    },
    setBlockingKeys(patientId, keys) {
      const before = blockingBefore.get(patientId) ?? new Set();
      for (const key of keys) if (!before.has(key)) written.add(readKeys.blocking(key));
      written.add(readKeys.patient(patientId));
      blockingBefore.set(patientId, new Set(keys));
      repo.setBlockingKeys(patientId, keys);
    },
    externalIds(record, id) {
      const entries = repo.externalIds(record, id);
      externalBefore.set(`${record} ${id}`, entries);
      return entries;
    },
    setExternalIds(record, id, entries) {
      const before = externalBefore.get(`${record} ${id}`) ?? new Map<string, ExternalIdEntry>();
      for (const [name, entry] of entries) {
        if (before.get(name)?.key !== entry.key)
          written.add(readKeys.externalId(record, name, entry.key));
      }
      written.add(readKeys[record](id));
      externalBefore.set(`${record} ${id}`, new Map(entries));
      repo.setExternalIds(record, id, entries);
    },
    activePolicies(patientId) {
      const rows = repo.activePolicies(patientId);
      fresh(readKeys.patient(patientId));
      for (const row of rows) policyPatient.set(row.ref, patientId);
      return rows;
    },
    insertPolicy(patientId, policy) {
      written.add(readKeys.patient(patientId));
      repo.insertPolicy(patientId, policy);
    },
    replacePolicy(ref, policy) {
      policyWritten(ref);
      repo.replacePolicy(ref, policy);
    },
    cancelPolicy(ref) {
      policyWritten(ref);
      repo.cancelPolicy(ref);
    },
    setSelfPay(patientId, selfPay) {
      written.add(readKeys.patient(patientId));
      repo.setSelfPay(patientId, selfPay);
    },
    appointment(id) {
      const stored = repo.appointment(id);
      if (stored) fresh(readKeys.appointment(id));
      return stored;
    },
    insertAppointment(appointment) {
      written.add(readKeys.appointment(appointment.id));
      repo.insertAppointment(appointment);
    },
    replaceAppointment(appointment) {
      written.add(readKeys.appointment(appointment.id));
      repo.replaceAppointment(appointment);
    },
    claim(id) {
      const stored = repo.claim(id);
      if (stored) {
        const key = readKeys.claims(stored.patientId, stored.serviceDate);
        fresh(key);
        claimDay.set(id, key);
      }
      return stored;
    },
    insertClaim(claim) {
      written.add(readKeys.claims(claim.patientId, claim.serviceDate));
      claimDay.set(claim.id, readKeys.claims(claim.patientId, claim.serviceDate));
      repo.insertClaim(claim);
    },
    replaceClaim(claim) {
      const before = claimDay.get(claim.id);
      if (before !== undefined) written.add(before);
      written.add(readKeys.claims(claim.patientId, claim.serviceDate));
      repo.replaceClaim(claim);
    },
    takeId(kind, id) {
      written.add(readKeys.nextId(kind));
      repo.takeId(kind, id);
    },
  };

  /** A stored record read (not one this run wrote first). */
  function fresh(key: ReadKey): void {
    if (!written.has(key)) fetched.add(key);
  }

  function policyWritten(ref: number): void {
    const patientId = policyPatient.get(ref);
    // Policies are changed by ref only after activePolicies listed them (apply.ts activeAt).
    if (patientId !== undefined) written.add(readKeys.patient(patientId));
  }
}

/** Apply the actions (apply.ts) and return the keys they touched. */
export function applyTouching(repo: Repository, actions: readonly TypedAction[]): KeysTouched {
  const touched = noKeysTouched();
  applyActions(touchingRepository(repo, touched), actions);
  return touched;
}
