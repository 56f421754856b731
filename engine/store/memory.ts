import { isCappedKey, MAX_BLOCK_SIZE } from "../matching/blocking.js";
import { EMPTY_MASTER_DATA, type MasterData } from "../model/master-data.js";
import { deepFreeze } from "../model/merge.js";
import type { Outcome, QueueState } from "../model/outcome.js";
import type { Appointment, Claim, Patient, Policy } from "../model/records.js";
import type {
  ExternalIdEntry,
  ExternalIdRecord,
  PolicyRow,
  Repository,
  StoredAppointment,
  StoredClaim,
  StoredPatient,
} from "./apply.js";
import { asyncStore } from "./async-store.js";
import type { SyncClaimOperations } from "./claims.js";
import { UnknownMessageError } from "./errors.js";
import { frozenCopy } from "./frozen-copy.js";
import { blockingKeyList, counterAfter, FIRST_RECORD_ID, messageIdOf } from "./ids.js";
import { memoryKeyStamps, refuseStale } from "./key-stamps.js";
import { memoryClaims } from "./memory-claims.js";
import { type DeliveryEntry, memoryDelivery } from "./memory-delivery.js";
import { countMessages, type MessageCount } from "./message-counts.js";
import { missesSlip, noSlipTypes } from "./missing-slips.js";
import { type PageQuery, pageOf, type QueuePage } from "./queue-page.js";
import { matchesFilter, senderName, subjectPatientId, WAITING_STATES } from "./queue-records.js";
import { isReadBasis, type ReadBasis, readKeys } from "./read-keys.js";
import type { Receipt, ReceiveOptions } from "./receive-many.js";
import { pageInCreationOrder } from "./record-listing.js";
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
  type UnfinishedAttempts,
} from "./types.js";
import { applyTouching } from "./written-keys.js";

/**
 * The in-memory store: maps and indexes, nothing on disk. For tests, rule
 * tests and embedding. Same behaviour as the SQLite store (one contract
 * suite runs against both); `complete` is atomic by an undo log: every
 * write records how to take it back, and a failing action takes back the
 * whole message.
 */

interface PolicyEntry {
  readonly ref: number;
  policy: Policy;
  cancelled: boolean;
}

/** A message entry: what delivery reads and moves (memory-delivery.ts), and the rest. */
interface MessageEntry extends DeliveryEntry {
  patientId?: string;
  unfinished?: UnfinishedAttempts;
  readonly attempts: Attempt[];
}

/** `key` -> record IDs, in a Set per key. */
class MultiIndex {
  private readonly map = new Map<string, Set<string>>();
  add(key: string, id: string): void {
    let ids = this.map.get(key);
    if (!ids) {
      ids = new Set();
      this.map.set(key, ids);
    }
    ids.add(id);
  }
  delete(key: string, id: string): void {
    const ids = this.map.get(key);
    if (!ids) return;
    ids.delete(id);
    if (ids.size === 0) this.map.delete(key);
  }
  get(key: string): ReadonlySet<string> | undefined {
    return this.map.get(key);
  }
}

const externalKey = (record: ExternalIdRecord, name: string, key: string): string =>
  `${record}\u0000${name}\u0000${key}`;

export function createMemoryStore(): LocalStore {
  const sync = createSyncMemoryStore();
  // Assigned, not spread: the store has getters (masterData).
  return asyncStore(Object.assign(sync, memoryClaims(sync)));
}

function createSyncMemoryStore(): Omit<SyncStore, keyof SyncClaimOperations> {
  const patients = new Map<string, StoredPatient>();
  /** Insertion order of patients, for a deterministic candidate order. */
  const patientOrder = new Map<string, number>();
  const blockingOf = new Map<string, readonly string[]>();
  const blocking = new MultiIndex();
  const externalIds = {
    patient: new Map<string, ReadonlyMap<string, ExternalIdEntry>>(),
    appointment: new Map<string, ReadonlyMap<string, ExternalIdEntry>>(),
  };
  const byExternalId = new MultiIndex();
  const policies = new Map<string, PolicyEntry[]>();
  const policyByRef = new Map<number, PolicyEntry>();
  const selfPay = new Set<string>();
  const appointments = new Map<string, StoredAppointment>();
  const appointmentOrder = new Map<string, number>();
  const claims = new Map<string, StoredClaim>();
  const claimOrder = new Map<string, number>();
  const claimsByDay = new MultiIndex();
  const counters: Record<RecordIdKind, number> = {
    patient: FIRST_RECORD_ID,
    appointment: FIRST_RECORD_ID,
    claim: FIRST_RECORD_ID,
  };
  const messages = new Map<string, MessageEntry>();
  let messageCounter = 0;
  const outboundCounters = new Map<string, number>();
  let policyCounter = 0;
  let insertCounter = 0;
  let masterData: MasterData = EMPTY_MASTER_DATA;
  let closed = false;
  const stamps = memoryKeyStamps();

  /** Undo steps of the transaction in progress, newest last. */
  let undo: (() => void)[] | undefined;
  const onUndo = (step: () => void): void => {
    undo?.push(step);
  };

  const setMapValue = <K, V>(map: Map<K, V>, key: K, value: V): void => {
    const had = map.has(key);
    const before = map.get(key);
    map.set(key, value);
    onUndo(() => (had ? map.set(key, before as V) : map.delete(key)));
  };

  const claimDayKey = (patientId: string, serviceDate: string) =>
    `${patientId}\u0000${serviceDate}`;

  const repository: Repository = {
    patient: (id) => patients.get(id),
    insertPatient(patient) {
      setMapValue(patients, patient.id, deepFreeze(patient));
      setMapValue(patientOrder, patient.id, ++insertCounter);
    },
    replacePatient(patient) {
      setMapValue(patients, patient.id, deepFreeze(patient));
    },
    setBlockingKeys(patientId, keys) {
      const before = blockingOf.get(patientId) ?? [];
      for (const key of before) blocking.delete(key, patientId);
      for (const key of keys) blocking.add(key, patientId);
      setMapValue(blockingOf, patientId, [...keys]);
      onUndo(() => {
        for (const key of keys) blocking.delete(key, patientId);
        for (const key of before) blocking.add(key, patientId);
      });
    },
    externalIds: (record, id) => externalIds[record].get(id) ?? new Map(),
    setExternalIds(record, id, entries) {
      const before = externalIds[record].get(id) ?? new Map<string, ExternalIdEntry>();
      const after = new Map(entries);
      for (const [name, e] of before) byExternalId.delete(externalKey(record, name, e.key), id);
      for (const [name, e] of after) byExternalId.add(externalKey(record, name, e.key), id);
      setMapValue(externalIds[record], id, after);
      onUndo(() => {
        for (const [name, e] of after) byExternalId.delete(externalKey(record, name, e.key), id);
        for (const [name, e] of before) byExternalId.add(externalKey(record, name, e.key), id);
      });
    },
    activePolicies: (patientId) =>
      (policies.get(patientId) ?? [])
        .filter((p) => !p.cancelled)
        .map((p): PolicyRow => ({ ref: p.ref, policy: p.policy })),
    insertPolicy(patientId, policy) {
      const list = policies.get(patientId) ?? [];
      const entry: PolicyEntry = {
        ref: ++policyCounter,
        policy: deepFreeze(policy),
        cancelled: false,
      };
      setMapValue(policies, patientId, [...list, entry]);
      setMapValue(policyByRef, entry.ref, entry);
    },
    replacePolicy(ref, policy) {
      const entry = findPolicy(ref);
      const before = entry.policy;
      entry.policy = deepFreeze(policy);
      onUndo(() => {
        entry.policy = before;
      });
    },
    cancelPolicy(ref) {
      const entry = findPolicy(ref);
      const before = entry.cancelled;
      entry.cancelled = true;
      onUndo(() => {
        entry.cancelled = before;
      });
    },
    setSelfPay(patientId, flag) {
      const before = selfPay.has(patientId);
      if (flag) selfPay.add(patientId);
      else selfPay.delete(patientId);
      onUndo(() => (before ? selfPay.add(patientId) : selfPay.delete(patientId)));
    },
    appointment: (id) => appointments.get(id),
    insertAppointment(appointment) {
      setMapValue(appointments, appointment.id, deepFreeze(appointment));
      setMapValue(appointmentOrder, appointment.id, ++insertCounter);
    },
    replaceAppointment(appointment) {
      setMapValue(appointments, appointment.id, deepFreeze(appointment));
    },
    claim: (id) => claims.get(id),
    insertClaim(claim) {
      setMapValue(claims, claim.id, deepFreeze(claim));
      setMapValue(claimOrder, claim.id, ++insertCounter);
      const key = claimDayKey(claim.patientId, claim.serviceDate);
      claimsByDay.add(key, claim.id);
      onUndo(() => claimsByDay.delete(key, claim.id));
    },
    replaceClaim(claim) {
      const before = claims.get(claim.id);
      if (
        before &&
        (before.patientId !== claim.patientId || before.serviceDate !== claim.serviceDate)
      ) {
        const from = claimDayKey(before.patientId, before.serviceDate);
        const to = claimDayKey(claim.patientId, claim.serviceDate);
        claimsByDay.delete(from, claim.id);
        claimsByDay.add(to, claim.id);
        onUndo(() => {
          claimsByDay.delete(to, claim.id);
          claimsByDay.add(from, claim.id);
        });
      }
      setMapValue(claims, claim.id, deepFreeze(claim));
    },
    takeId(kind, id) {
      const before = counters[kind];
      counters[kind] = counterAfter(before, id);
      onUndo(() => {
        counters[kind] = before;
      });
    },
  };

  function findPolicy(ref: number): PolicyEntry {
    const entry = policyByRef.get(ref);
    if (!entry) throw new Error(`no policy ${ref}`);
    return entry;
  }

  const open = (): void => {
    if (closed) throw new Error("the store is closed");
  };

  // Each id's position is read once: in the sort's comparator it was read ~2 log n times.
  const inOrder = <T>(ids: Iterable<string>, order: Map<string, number>, get: (id: string) => T) =>
    Array.from(ids, (id) => ({ id, at: order.get(id) ?? 0 }))
      .sort((a, b) => a.at - b.at)
      .map(({ id }) => get(id))
      .filter((r): r is NonNullable<T> => r !== undefined);

  const storedMessage = (m: MessageEntry): StoredMessage => ({
    ...m.received,
    messageId: m.messageId,
    sequence: m.sequence,
    state: m.state,
    stateAt: m.stateAt,
    ...(m.outcome && { outcome: m.outcome }),
    ...(m.patientId !== undefined && { patientId: m.patientId }),
    ...(m.ack !== undefined && { ack: m.ack }),
    ...(m.unfinished && { unfinished: m.unfinished }),
  });

  /** The practice event of each outbound message (outbound-events.ts). */
  const outboundEvents = new Map<string, string>();
  const enqueue = (message: ReceivedMessage): string => {
    const sequence = ++messageCounter;
    const messageId = messageIdOf(sequence);
    messages.set(messageId, {
      received: { ...message, raw: new Uint8Array(message.raw) },
      messageId,
      sequence,
      state: "NEW",
      stateAt: message.receivedAt,
      attempts: [],
    });
    return messageId;
  };

  const recordAttempt = (
    entry: MessageEntry,
    state: QueueState,
    completion: Completion,
    outcome?: Outcome,
  ): void => {
    const at = completion.at ?? completion.now;
    entry.state = state;
    entry.stateAt = at;
    entry.unfinished = undefined;
    if (completion.ack !== undefined) entry.ack = completion.ack;
    const { ack: _ack, ...rest } = completion;
    entry.attempts.push(
      deepFreeze({
        ...rest,
        number: entry.attempts.length + 1,
        at,
        state,
        ...(outcome && { outcome: entry.outcome }),
      }),
    );
  };

  return {
    ...memoryDelivery(messages, open),
    patientById(id: string): Patient | undefined {
      open();
      return patients.get(id);
    },
    patientsByExternalId(name: string, key: string): readonly Patient[] {
      open();
      const ids = byExternalId.get(externalKey("patient", name, key)) ?? [];
      return inOrder(ids, patientOrder, (id) => patients.get(id));
    },
    patientCandidates(block: BlockingKeys): readonly Patient[] {
      open();
      const ids = new Set<string>();
      for (const key of blockingKeyList(block)) {
        const found = blocking.get(key);
        if (found === undefined || (found.size > MAX_BLOCK_SIZE && isCappedKey(key))) continue;
        for (const id of found) ids.add(id);
      }
      return inOrder(ids, patientOrder, (id) => patients.get(id));
    },
    policiesOf(patientId: string): readonly Policy[] {
      open();
      return activeSorted(policies.get(patientId) ?? []);
    },
    appointmentById(id: string): Appointment | undefined {
      open();
      return appointments.get(id);
    },
    appointmentsByExternalId(name: string, key: string): readonly Appointment[] {
      open();
      const ids = byExternalId.get(externalKey("appointment", name, key)) ?? [];
      return inOrder(ids, appointmentOrder, (id) => appointments.get(id));
    },
    unbilledClaims(patientId: string, serviceDate: string): readonly Claim[] {
      open();
      const ids = claimsByDay.get(claimDayKey(patientId, serviceDate)) ?? [];
      return inOrder(ids, claimOrder, (id) => claims.get(id)).filter(
        (c) => c.status === "unbilled",
      );
    },
    nextId(kind: RecordIdKind): string {
      open();
      return String(counters[kind]);
    },
    get masterData(): MasterData {
      return masterData;
    },
    claimById(id: string): Claim | undefined {
      open();
      return claims.get(id);
    },
    patientPage(after: number, limit: number) {
      open();
      return pageInCreationOrder<Patient>(patients, patientOrder, after, limit);
    },
    appointmentPage(after: number, limit: number) {
      open();
      return pageInCreationOrder<Appointment>(appointments, appointmentOrder, after, limit);
    },
    appointmentsMissingSlips(): readonly Appointment[] {
      open();
      const noSlip = noSlipTypes(masterData);
      return inOrder(appointments.keys(), appointmentOrder, (id) => appointments.get(id)).filter(
        (a) => missesSlip(a, noSlip),
      );
    },
    insuranceHistory(patientId: string): InsuranceHistory {
      open();
      return {
        selfPay: selfPay.has(patientId),
        policies: (policies.get(patientId) ?? []).map((p) => ({
          policy: p.policy,
          cancelled: p.cancelled,
        })),
      };
    },
    receive(message: ReceivedMessage, options?: ReceiveOptions): string {
      return this.receiveMany([{ message, ...options }])[0] as string;
    },
    receiveMany(receipts: readonly Receipt[]): readonly string[] {
      open();
      return receipts.map(({ message, attemptAt }) => {
        const messageId = enqueue(message);
        if (attemptAt !== undefined) this.beginAttempt(messageId, attemptAt);
        return messageId;
      });
    },
    queueOutbound(packId: string, build: (sequence: number) => OutboundMessage): string {
      open();
      const sequence = (outboundCounters.get(packId) ?? 0) + 1;
      const { event, ...message } = build(sequence);
      outboundCounters.set(packId, sequence);
      const messageId = enqueue({ ...message, direction: "outbound" });
      if (event !== undefined) outboundEvents.set(messageId, event);
      return messageId;
    },
    outboundEvent(messageId: string): string | undefined {
      return messages.has(messageId) ? outboundEvents.get(messageId) : undefined;
    },
    // One process holds this store: nothing else commits between a decision and its completion.
    viewVersion: (): number => 0,
    // ...but a process's workers interleave their decisions: refused when a key read was written since (0037).
    keyStamp: () => stamps.keyStamp(),
    complete(outcome: Outcome, completion: Completion, basedOn?: number | ReadBasis): void {
      open();
      const entry = messages.get(outcome.messageId);
      if (!entry) throw new UnknownMessageError(outcome.messageId);
      if (isReadBasis(basedOn)) refuseStale(basedOn, stamps.current, outcome.messageId);
      if (APPLYING_STATES.has(outcome.state)) {
        undo = [];
        try {
          stamps.bump(applyTouching(repository, outcome.actions).written);
        } catch (e) {
          for (const step of undo.reverse()) step();
          throw e;
        } finally {
          undo = undefined;
        }
      }
      entry.outcome = frozenCopy(outcome);
      const patientId = APPLYING_STATES.has(outcome.state) ? subjectPatientId(outcome) : undefined;
      if (patientId !== undefined) entry.patientId = patientId;
      recordAttempt(entry, outcome.state, completion, outcome);
    },
    record(
      message: ReceivedMessage,
      outcomeFor: (messageId: string) => Outcome,
      completion: Completion,
    ): string {
      open();
      const messageId = enqueue(message);
      try {
        this.complete(outcomeFor(messageId), completion);
      } catch (e) {
        messages.delete(messageId);
        messageCounter -= 1;
        throw e;
      }
      return messageId;
    },
    beginAttempt(messageId: string, at: string): void {
      open();
      const entry = messages.get(messageId);
      if (!entry) throw new UnknownMessageError(messageId);
      entry.unfinished = { count: (entry.unfinished?.count ?? 0) + 1, step: "decide", at };
    },
    reachStep(messageId: string, step: AttemptStep): void {
      open();
      const entry = messages.get(messageId);
      if (!entry) throw new UnknownMessageError(messageId);
      if (entry.unfinished) entry.unfinished = { ...entry.unfinished, step };
    },
    setState(messageId: string, state: "DELETED", completion: Completion): void {
      open();
      const entry = messages.get(messageId);
      if (!entry) throw new UnknownMessageError(messageId);
      recordAttempt(entry, state, completion);
    },
    attempts(messageId: string): readonly Attempt[] {
      open();
      return [...(messages.get(messageId)?.attempts ?? [])];
    },
    findDuplicate(key: DuplicateKey, since: string): StoredMessage | undefined {
      open();
      for (const m of messages.values()) {
        const r = m.received;
        if (
          r.direction === "inbound" &&
          r.duplicateOf === undefined &&
          r.controlId === key.controlId &&
          r.sendingApplication === key.sendingApplication &&
          r.sendingFacility === key.sendingFacility &&
          r.contentHash === key.contentHash &&
          r.receivedAt >= since
        ) {
          return storedMessage(m);
        }
      }
      return undefined;
    },
    prune(cutoffs: Readonly<Partial<Record<PrunableState, string>>>): number {
      open();
      let removed = 0;
      for (const [id, m] of messages) {
        const cutoff = cutoffs[m.state as PrunableState];
        if (cutoff !== undefined && m.stateAt < cutoff) {
          messages.delete(id);
          removed += 1;
        }
      }
      return removed;
    },
    queueSummary(): QueueSummary {
      open();
      const counts: Partial<Record<QueueState, number>> = {};
      let oldestWaitingSince: string | undefined;
      let lastReceivedAt: string | undefined;
      const bySender: Record<string, string> = {};
      for (const m of messages.values()) {
        const sender = m.received.direction === "inbound" ? senderName(m.received) : undefined;
        if (sender !== undefined && !(m.received.receivedAt <= (bySender[sender] ?? ""))) {
          bySender[sender] = m.received.receivedAt;
        }
        counts[m.state] = (counts[m.state] ?? 0) + 1;
        if (
          WAITING_STATES.includes(m.state) &&
          (oldestWaitingSince === undefined || m.stateAt < oldestWaitingSince)
        ) {
          oldestWaitingSince = m.stateAt;
        }
        if (
          m.received.direction === "inbound" &&
          (lastReceivedAt === undefined || m.received.receivedAt > lastReceivedAt)
        ) {
          lastReceivedAt = m.received.receivedAt;
        }
      }
      return {
        counts,
        ...(oldestWaitingSince !== undefined && { oldestWaitingSince }),
        ...(lastReceivedAt !== undefined && { lastReceivedAt }),
        ...(Object.keys(bySender).length > 0 && { lastReceivedBySender: bySender }),
      };
    },
    message(messageId: string): StoredMessage | undefined {
      open();
      const m = messages.get(messageId);
      return m && storedMessage(m);
    },
    messages(filter: MessageFilter = {}): readonly StoredMessage[] {
      open();
      return [...messages.values()].map(storedMessage).filter((m) => matchesFilter(m, filter));
    },
    messageCounts(): readonly MessageCount[] {
      open();
      return countMessages([...messages.values()].map(storedMessage));
    },
    messagePage(query: PageQuery): QueuePage {
      open();
      return pageOf([...messages.values()].map(storedMessage), query);
    },
    loadMasterData(data: MasterData): void {
      open();
      masterData = deepFreeze(structuredClone(data));
      stamps.bump(new Set([readKeys.masterData]));
    },
    close(): void {
      closed = true;
    },
  };
}

function activeSorted(list: readonly PolicyEntry[]): Policy[] {
  return list
    .filter((p) => !p.cancelled)
    .sort((a, b) => a.policy.sequence - b.policy.sequence || a.ref - b.ref)
    .map((p) => p.policy);
}
