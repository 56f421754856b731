import { blockingKeysOf } from "../matching/blocking.js";
import type { TypedAction } from "../model/actions.js";
import { mergeRecord, normalizeRecord } from "../model/merge.js";
import type { Appointment, Claim, Patient, Policy } from "../model/records.js";
import { StoreActionError } from "./errors.js";
import { blockingKeyList } from "./ids.js";
import type { RecordIdKind } from "./types.js";

/**
 * What an action does to the stored records, once, for both stores. The
 * stores only persist: each offers this small repository, used inside the
 * transaction of one `complete`. Every rule about records lives here.
 */

export type StoredPatient = Patient & { readonly id: string };
export type StoredAppointment = Appointment & { readonly id: string };
export type StoredClaim = Claim & { readonly id: string };

export type ExternalIdRecord = "patient" | "appointment";

/** One external ID in the lookup index: the value as received and its matching key. */
export interface ExternalIdEntry {
  readonly value: string;
  readonly key: string;
}

/** An active policy and the store's own handle for it. */
export interface PolicyRow {
  readonly ref: number;
  readonly policy: Policy;
}

export interface Repository {
  patient(id: string): StoredPatient | undefined;
  insertPatient(patient: StoredPatient): void;
  replacePatient(patient: StoredPatient): void;
  /** Replace the patient's blocking keys (strings of `blockingKeyList`). */
  setBlockingKeys(patientId: string, keys: readonly string[]): void;
  externalIds(record: ExternalIdRecord, id: string): ReadonlyMap<string, ExternalIdEntry>;
  /** Replace every external ID of the record in the lookup index. */
  setExternalIds(
    record: ExternalIdRecord,
    id: string,
    entries: ReadonlyMap<string, ExternalIdEntry>,
  ): void;
  /** Active (not cancelled) policies, oldest first. */
  activePolicies(patientId: string): readonly PolicyRow[];
  insertPolicy(patientId: string, policy: Policy): void;
  replacePolicy(ref: number, policy: Policy): void;
  cancelPolicy(ref: number): void;
  setSelfPay(patientId: string, selfPay: boolean): void;
  appointment(id: string): StoredAppointment | undefined;
  insertAppointment(appointment: StoredAppointment): void;
  replaceAppointment(appointment: StoredAppointment): void;
  claim(id: string): StoredClaim | undefined;
  insertClaim(claim: StoredClaim): void;
  replaceClaim(claim: StoredClaim): void;
  /** Move the kind's ID counter past `id` (see ids.ts). */
  takeId(kind: RecordIdKind, id: string): void;
}

/** Apply the actions in order; the first that cannot apply throws StoreActionError. */
export function applyActions(repo: Repository, actions: readonly TypedAction[]): void {
  for (const [index, action] of actions.entries()) {
    try {
      applyAction(repo, action);
    } catch (e) {
      if (e instanceof StoreActionError) {
        throw new StoreActionError(
          e.code,
          `action ${index} (${action.type}): ${e.message}`,
          index,
          action.type,
        );
      }
      throw e;
    }
  }
}

function fail(code: StoreActionError["code"], message: string): never {
  throw new StoreActionError(code, message);
}

function requireText(value: unknown, what: string): string {
  if (typeof value !== "string" || value === "") fail("INVALID_ACTION", `${what} is missing`);
  return value;
}

function applyAction(repo: Repository, action: TypedAction): void {
  switch (action.type) {
    case "patient.create": {
      const id = requireText(action.patient?.id, "patient.id");
      if (repo.patient(id)) fail("DUPLICATE_ID", `patient ${id} already exists`);
      const patient = { ...normalizeRecord(action.patient), id };
      repo.insertPatient(patient);
      repo.takeId("patient", id);
      indexPatient(repo, patient, new Map());
      return;
    }
    case "patient.update": {
      const stored = patientOf(repo, action.patientId);
      const { id: _ignored, ...patch } = action.patient ?? {};
      savePatient(repo, stored, mergeRecord(stored, patch));
      return;
    }
    case "externalId.set": {
      const name = requireText(action.name, "name");
      const value = requireText(action.value, "value");
      const key = typeof action.key === "string" && action.key !== "" ? action.key : value;
      if (action.record === "patient") {
        const stored = patientOf(repo, action.recordId);
        savePatient(repo, stored, mergeRecord(stored, { externalIds: { [name]: value } }), {
          name,
          key,
        });
      } else if (action.record === "appointment") {
        const stored = appointmentOf(repo, action.recordId);
        saveAppointment(repo, stored, mergeRecord(stored, { externalIds: { [name]: value } }), {
          name,
          key,
        });
      } else {
        fail(
          "INVALID_ACTION",
          `record must be patient or appointment, not ${String(action.record)}`,
        );
      }
      return;
    }
    case "insurance.add": {
      patientOf(repo, action.patientId);
      const policy = policyOf(action.policy);
      const current = activeAt(repo, action.patientId, policy.sequence);
      if (current) {
        fail(
          "CONFLICT",
          `patient ${action.patientId} already has an active policy at sequence ${policy.sequence} (package ${current.policy.packageId})`,
        );
      }
      repo.insertPolicy(action.patientId, policy);
      repo.setSelfPay(action.patientId, false);
      return;
    }
    case "insurance.update": {
      patientOf(repo, action.patientId);
      const sequence = sequenceOf(action.policy);
      const current = activeAt(repo, action.patientId, sequence);
      if (!current) {
        fail(
          "NOT_FOUND",
          `patient ${action.patientId} has no active policy at sequence ${sequence}`,
        );
      }
      if (current.policy.packageId !== action.policy.packageId) {
        fail(
          "CONFLICT",
          `the active policy at sequence ${sequence} is package ${current.policy.packageId}, not ${action.policy.packageId}`,
        );
      }
      repo.replacePolicy(current.ref, mergeRecord(current.policy, action.policy));
      return;
    }
    case "insurance.replace": {
      patientOf(repo, action.patientId);
      const policy = policyOf(action.policy);
      const current = activeAt(repo, action.patientId, policy.sequence);
      if (!current) {
        fail(
          "NOT_FOUND",
          `patient ${action.patientId} has no active policy at sequence ${policy.sequence} to replace`,
        );
      }
      if (current.policy.packageId !== action.replacedPackageId) {
        fail(
          "CONFLICT",
          `the active policy at sequence ${policy.sequence} is package ${current.policy.packageId}, not ${action.replacedPackageId}`,
        );
      }
      repo.cancelPolicy(current.ref);
      repo.insertPolicy(action.patientId, policy);
      repo.setSelfPay(action.patientId, false);
      return;
    }
    case "insurance.selfPay": {
      patientOf(repo, action.patientId);
      for (const row of repo.activePolicies(action.patientId)) repo.cancelPolicy(row.ref);
      repo.setSelfPay(action.patientId, true);
      return;
    }
    case "privacy.set": {
      const stored = patientOf(repo, action.patientId);
      savePatient(repo, stored, { ...stored, privacy: normalizeRecord(action.privacy) });
      return;
    }
    case "guarantor.set": {
      const stored = patientOf(repo, action.patientId);
      const { guarantor: _previous, ...rest } = stored;
      const guarantor = normalizeRecord(action.guarantor ?? {});
      const next = Object.keys(guarantor).length > 0 ? { ...rest, guarantor } : rest;
      savePatient(repo, stored, next as StoredPatient);
      return;
    }
    case "appointment.create": {
      const id = requireText(action.appointment?.id, "appointment.id");
      if (repo.appointment(id)) fail("DUPLICATE_ID", `appointment ${id} already exists`);
      const appointment = { ...normalizeRecord(action.appointment), id };
      if (appointment.patientId !== undefined) patientOf(repo, appointment.patientId);
      repo.insertAppointment(appointment);
      repo.takeId("appointment", id);
      indexExternalIds(repo, "appointment", appointment, new Map());
      return;
    }
    case "appointment.update":
    case "appointment.cancel":
    case "appointment.checkIn":
    case "appointment.checkOut": {
      const stored = appointmentOf(repo, action.appointmentId);
      const { id: _ignored, ...patch } = action.appointment ?? {};
      const next = mergeRecord(stored, patch);
      if (next.patientId !== undefined && next.patientId !== stored.patientId) {
        patientOf(repo, next.patientId);
      }
      saveAppointment(repo, stored, next);
      return;
    }
    case "claim.create": {
      const id = requireText(action.claim?.id, "claim.id");
      if (repo.claim(id)) fail("DUPLICATE_ID", `claim ${id} already exists`);
      const claim = { ...normalizeRecord(action.claim), id };
      requireText(claim.serviceDate, "claim.serviceDate");
      patientOf(repo, requireText(claim.patientId, "claim.patientId"));
      if (claim.appointmentId !== undefined) appointmentOf(repo, claim.appointmentId);
      repo.insertClaim({
        ...claim,
        status: claim.status ?? "unbilled",
        diagnoses: claim.diagnoses ?? [],
        lines: claim.lines ?? [],
      });
      repo.takeId("claim", id);
      return;
    }
    case "charge.add":
    case "charge.replace": {
      const stored = repo.claim(action.claimId);
      if (!stored) fail("NOT_FOUND", `claim ${action.claimId} does not exist`);
      if (stored.status !== "unbilled") {
        fail(
          "CONFLICT",
          `claim ${action.claimId} is ${stored.status}: charges go on unbilled claims`,
        );
      }
      if (!action.charge) fail("INVALID_ACTION", "charge is missing");
      const line = normalizeRecord(action.charge);
      const lines = [...stored.lines];
      if (action.type === "charge.add") {
        lines.push(line);
      } else {
        const index = action.lineIndex;
        if (index === undefined || !Number.isInteger(index) || index < 0 || index >= lines.length) {
          fail(
            "NOT_FOUND",
            `claim ${action.claimId} has no line ${String(index)} to replace (it has ${lines.length})`,
          );
        }
        lines[index] = line;
      }
      const diagnoses = [...stored.diagnoses, ...(action.diagnoses ?? [])];
      repo.replaceClaim({ ...stored, diagnoses, lines });
      return;
    }
    default: {
      const unknown: { type?: unknown } = action;
      fail("INVALID_ACTION", `unknown action type ${String(unknown.type)}`);
    }
  }
}

function patientOf(repo: Repository, id: string): StoredPatient {
  const patient = repo.patient(id);
  if (!patient) fail("NOT_FOUND", `patient ${id} does not exist`);
  return patient;
}

function appointmentOf(repo: Repository, id: string): StoredAppointment {
  const appointment = repo.appointment(id);
  if (!appointment) fail("NOT_FOUND", `appointment ${id} does not exist`);
  return appointment;
}

function sequenceOf(policy: { readonly sequence?: unknown } | undefined): number {
  const sequence = policy?.sequence;
  if (typeof sequence !== "number" || !Number.isInteger(sequence) || sequence < 0) {
    fail("INVALID_ACTION", `policy.sequence must be a whole number >= 0, not ${String(sequence)}`);
  }
  return sequence;
}

function policyOf(policy: Policy | undefined): Policy {
  sequenceOf(policy);
  requireText(policy?.packageId, "policy.packageId");
  return normalizeRecord(policy as Policy);
}

function activeAt(repo: Repository, patientId: string, sequence: number): PolicyRow | undefined {
  return repo.activePolicies(patientId).find((row) => row.policy.sequence === sequence);
}

interface KeyOverride {
  readonly name: string;
  readonly key: string;
}

function savePatient(
  repo: Repository,
  stored: StoredPatient,
  next: StoredPatient,
  override?: KeyOverride,
): void {
  const patient = { ...next, id: stored.id };
  repo.replacePatient(patient);
  indexPatient(repo, patient, repo.externalIds("patient", stored.id), override);
}

function saveAppointment(
  repo: Repository,
  stored: StoredAppointment,
  next: StoredAppointment,
  override?: KeyOverride,
): void {
  const appointment = { ...next, id: stored.id };
  repo.replaceAppointment(appointment);
  indexExternalIds(
    repo,
    "appointment",
    appointment,
    repo.externalIds("appointment", stored.id),
    override,
  );
}

function indexPatient(
  repo: Repository,
  patient: StoredPatient,
  previous: ReadonlyMap<string, ExternalIdEntry>,
  override?: KeyOverride,
): void {
  repo.setBlockingKeys(patient.id, blockingKeyList(blockingKeysOf(patient)));
  indexExternalIds(repo, "patient", patient, previous, override);
}

/**
 * The lookup index follows the record's `externalIds`: a value set by
 * `externalId.set` is indexed under the key the action gives; a value
 * written any other way (in a create, in an update) under the value itself;
 * an unchanged value keeps its key; a cleared one leaves the index.
 */
function indexExternalIds(
  repo: Repository,
  record: ExternalIdRecord,
  stored: { readonly id: string; readonly externalIds?: Readonly<Record<string, string>> },
  previous: ReadonlyMap<string, ExternalIdEntry>,
  override?: KeyOverride,
): void {
  const entries = new Map<string, ExternalIdEntry>();
  for (const [name, value] of Object.entries(stored.externalIds ?? {})) {
    if (typeof value !== "string") continue;
    const before = previous.get(name);
    const key =
      override?.name === name ? override.key : before?.value === value ? before.key : value;
    entries.set(name, { value, key });
  }
  if (sameEntries(previous, entries)) return;
  repo.setExternalIds(record, stored.id, entries);
}

function sameEntries(
  a: ReadonlyMap<string, ExternalIdEntry>,
  b: ReadonlyMap<string, ExternalIdEntry>,
): boolean {
  if (a.size !== b.size) return false;
  for (const [name, entry] of a) {
    const other = b.get(name);
    if (!other || other.value !== entry.value || other.key !== entry.key) return false;
  }
  return true;
}
