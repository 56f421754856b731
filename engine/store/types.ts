import type { MasterData } from "../model/master-data.js";
import type { Action, Outcome, QueueState } from "../model/outcome.js";
import type { Appointment, Claim, Patient, Policy } from "../model/records.js";
import type { SyncClaimOperations } from "./claims.js";
import type { DeliveryOperations } from "./delivery.js";
import type { KeyStamping } from "./key-stamps.js";
import type { MessageCounting } from "./message-counts.js";
import type { QueuePaging } from "./queue-page.js";
import type { ReadBasis } from "./read-keys.js";
import type { ReceiveOptions, SyncReceiveMany } from "./receive-many.js";
import type { RecordListing } from "./record-listing.js";
import type { ViewRead } from "./view-miss.js";

/**
 * What the pure core may read: a synchronous, read-only view of the store.
 * Decisions are functions of (compiled pack, HL7 tree, StoreView, clock).
 */
export interface StoreView {
  patientById(id: string): Patient | undefined;
  /** Patients holding external ID `name` whose matching key is `key` (normalized by the caller). */
  patientsByExternalId(name: string, key: string): readonly Patient[];
  /** Candidates for demographic matching: patients sharing any of the blocking keys. */
  patientCandidates(block: BlockingKeys): readonly Patient[];
  /** The patient's active policies (not cancelled), by sequence. */
  policiesOf(patientId: string): readonly Policy[];
  /** Every policy ever stored for the patient (cancelled ones too) and the self-pay flag. */
  insuranceHistory(patientId: string): InsuranceHistory;
  appointmentById(id: string): Appointment | undefined;
  appointmentsByExternalId(name: string, key: string): readonly Appointment[];
  /** Unbilled claims of a patient on a service date. */
  unbilledClaims(patientId: string, serviceDate: string): readonly Claim[];
  /** The ID the next created record of this kind gets (IDs are taken when the actions are applied). */
  nextId(kind: RecordIdKind): string;
  readonly masterData: MasterData;
}

import type { BlockingKeys } from "../matching/blocking.js";
import type { OutboundEventOperations } from "./outbound-events.js";

export type { BlockingKeys };

export type RecordIdKind = "patient" | "appointment" | "claim";

/** A message as received, before any processing (the queue's NEW row). */
export interface ReceivedMessage {
  readonly raw: Uint8Array;
  /** ISO-8601 receipt time. */
  readonly receivedAt: string;
  /** Where it came from: a file path, `mllp:127.0.0.1:51234`. */
  readonly sender: string;
  readonly controlId: string;
  readonly messageType: string;
  readonly direction: "inbound" | "outbound";
  /** MSH-3.1 and MSH-4.1: with `controlId`, the key of a transport duplicate. */
  readonly sendingApplication?: string;
  readonly sendingFacility?: string;
  /** SHA-256 (hex) of the message with MSH-7 blanked (engine/queue/duplicates.ts). */
  readonly contentHash?: string;
  /**
   * The sender's identifier of the patient (PID-3's MR repetition, else its first: `ID^^^AUTHORITY`),
   * so the queue can find one patient's later messages before the patient exists.
   */
  readonly patientKey?: string;
  /** Set on a transport duplicate: the message ID of the original. */
  readonly duplicateOf?: string;
}

/**
 * An outbound message as built with its control number, before it is
 * queued; `event`: the practice event it was built from (JSON,
 * outbound-events.ts), kept so `reprocess` can build it again.
 */
export type OutboundMessage = Omit<ReceivedMessage, "direction"> & { readonly event?: string };

export interface StoredMessage extends ReceivedMessage {
  readonly messageId: string;
  /** Receipt order, 1, 2, ... (message IDs sort the same way only up to q-999999). */
  readonly sequence: number;
  readonly state: QueueState;
  /** When the message entered its state (ISO-8601); retention counts from here. */
  readonly stateAt: string;
  readonly outcome?: Outcome;
  /** The patient its last applied outcome concerned (engine/store/subject.ts). */
  readonly patientId?: string;
  /** The last acknowledgment sent for it, whole (a duplicate is answered with it). */
  readonly ack?: string;
  /** Processing begun since its last completion and never ended (absent: none). */
  readonly unfinished?: UnfinishedAttempts;
}

/**
 * Where processing of a message is (`beginAttempt`, `reachStep`): `decide`
 * (the pack's rules run over it), `complete` (its outcome is being written).
 */
export type AttemptStep = "decide" | "complete";

/**
 * Attempts to process a message that began and never completed: the process
 * died in them (a crash, an out-of-memory kill). Crash recovery sets aside a
 * NEW message with two (engine/server/recovery.ts, POISON_MESSAGE).
 */
export interface UnfinishedAttempts {
  /** Attempts begun since the message's last completion. */
  readonly count: number;
  /** The step the last of them reached. */
  readonly step: AttemptStep;
  /** When the last of them began (ISO-8601). */
  readonly at: string;
}

/** Why a message was (re)processed or changed state. */
export type AttemptKind = "receive" | "reprocess" | "review" | "delete" | "duplicate";

/** What `complete` records beside the outcome: one attempt of the message's history. */
export interface Completion {
  readonly kind: AttemptKind;
  /** The clock the decisions used (ISO-8601). */
  readonly now: string;
  /** Wall-clock time the attempt was recorded; `now` when absent. */
  readonly at?: string;
  /** Who asked (`--actor`), for attempts a person started. */
  readonly actor?: string;
  /** What was decided, e.g. `merge-with 1001` for a review. */
  readonly note?: string;
  /** The ACK sent for this attempt, whole. */
  readonly ack?: string;
}

export interface Attempt extends Omit<Completion, "ack"> {
  /** 1, 2, ... per message. */
  readonly number: number;
  readonly at: string;
  readonly state: QueueState;
  readonly outcome?: Outcome;
}

/** Which messages to list; every given condition must hold. Receipt order. */
export interface MessageFilter {
  readonly state?: QueueState;
  readonly states?: readonly QueueState[];
  readonly direction?: "inbound" | "outbound";
  /** `ADT` matches every ADT, `ADT^A04` every A04 (with or without a structure). */
  readonly type?: string;
  /** An error (any severity) of this code in the outcome... */
  readonly code?: string;
  /** ...with this `value` (the foreign code or key of a failed lookup). */
  readonly value?: string;
  /** Received at or after (ISO-8601). */
  readonly since?: string;
  readonly patientKey?: string;
  readonly patientId?: string;
  /** Received after the message with this sequence. */
  readonly afterSequence?: number;
}

/** The key of a transport duplicate (queue.duplicates). */
export interface DuplicateKey {
  readonly sendingApplication: string;
  readonly sendingFacility: string;
  readonly controlId: string;
  readonly contentHash: string;
}

export interface QueueSummary {
  /** Messages per state (states with none are absent). */
  readonly counts: Readonly<Partial<Record<QueueState, number>>>;
  /** When the longest-waiting ERROR or CBOERROR message entered its state. */
  readonly oldestWaitingSince?: string;
  /** Receipt time of the newest inbound message. */
  readonly lastReceivedAt?: string;
  /** Receipt time of each sender's newest inbound message, by `MSH-3^MSH-4`. */
  readonly lastReceivedBySender?: Readonly<Record<string, string>>;
}

/** States `prune` may remove; the error states are never pruned. */
export type PrunableState = "PROCESSED" | "DELETED";

/**
 * The synchronous store the embedded implementations (SQLite, memory) are
 * written against: every read and write answers at once. `asyncStore`
 * (async-store.ts) turns one into a `Store`; nothing outside store/ uses it.
 */
export interface SyncStore
  extends StoreView,
    SyncClaimOperations,
    SyncReceiveMany,
    DeliveryOperations,
    OutboundEventOperations,
    RecordListing,
    QueuePaging,
    MessageCounting,
    KeyStamping {
  /**
   * A number that changes whenever another process commits to the store:
   * a decision taken on the view is completed with it (`complete`'s
   * `basedOn`), and refused when it has changed.
   */
  viewVersion(): number;
  /**
   * Record a received message as NEW; returns the engine's own message ID
   * (`q-000042`). With `attemptAt`, its first attempt is begun in the same
   * commit, as `beginAttempt` marks it (receive-many.ts).
   */
  receive(message: ReceivedMessage, options?: ReceiveOptions): string;
  /**
   * Apply one message's actions (only when its state lets them apply) and
   * record its final state, its outcome and one attempt (with the ACK sent,
   * when given), in one transaction. The completion says which attempt it
   * is and its `now`: the store never reads the clock. `basedOn`: the
   * view's `basis` (refused when a key it read was written since, decision
   * 0037) or its `version` (refused when anything was committed since).
   */
  complete(outcome: Outcome, completion: Completion, basedOn?: number | ReadBasis): void;
  /**
   * Store a message already decided — received and completed in one
   * transaction, so it is never seen NEW (an outbound event leg that sends
   * nothing). `outcomeFor` gets the message ID; returns it.
   */
  record(
    message: ReceivedMessage,
    outcomeFor: (messageId: string) => Outcome,
    completion: Completion,
  ): string;
  /**
   * Processing of the message begins, committed before anything else is done
   * with it, so that it survives the process dying in it: counted in the
   * message's `unfinished` (step `decide`) until `complete` or `setState`
   * clears it.
   */
  beginAttempt(messageId: string, at: string): void;
  /** The step the attempt begun last has reached (kept if the process dies in it). */
  reachStep(messageId: string, step: AttemptStep): void;
  /** A person's change of state without processing (`queue delete`): recorded as an attempt. */
  setState(messageId: string, state: "DELETED", completion: Completion): void;
  /** Every attempt recorded for the message, oldest first. */
  attempts(messageId: string): readonly Attempt[];
  /**
   * The earliest message with this duplicate key received at or after
   * `since` that is not itself a duplicate.
   */
  findDuplicate(key: DuplicateKey, since: string): StoredMessage | undefined;
  /** Remove messages (and their attempts) in these states that entered them before the cutoffs; returns how many. */
  prune(cutoffs: Readonly<Partial<Record<PrunableState, string>>>): number;
  /** Counts per state and the ages alerts and `rulepack status` report. */
  queueSummary(): QueueSummary;
  /**
   * Take the pack's next outbound control number (1, 2, ... per pack) and
   * queue the message `build` makes with it as NEW, direction outbound, in
   * one transaction; returns the engine's message ID.
   */
  queueOutbound(packId: string, build: (sequence: number) => OutboundMessage): string;
  message(messageId: string): StoredMessage | undefined;
  /** Messages in the order they were received, filtered. */
  messages(filter?: MessageFilter): readonly StoredMessage[];
  /** Any claim by ID, billed or not (`unbilledClaims` is the view's lookup). */
  claimById(id: string): Claim | undefined;
  /**
   * The Missing Slips worklist: appointments in status 2 (checked in) or 3
   * (checked out) whose appointment type requires a billing slip (master
   * data `appointmentTypes[].billingSlipRequired` is not false), in the
   * order they were created (missing-slips.ts).
   */
  appointmentsMissingSlips(): readonly Appointment[];
  /** Replace the practice's master data (providers, departments, packages, ...). */
  loadMasterData(data: MasterData): void;
  close(): void;
}

/** What one decision reads: a synchronous view and the store version it was opened at. */
export interface OpenedView {
  readonly view: StoreView;
  /** `complete`'s `basedOn`: the decision is refused when another process committed since. */
  readonly version: number;
  /** The keys the decision read on `view` so far (read-keys.ts): `complete`'s `basedOn`. */
  readonly basis?: ReadBasis;
  /**
   * Present on a view opened `lazy`: fetch the reads a ViewMiss carried
   * (view-miss.ts), so the decision can run again and find them.
   */
  readonly fill?: (reads: readonly ViewRead[]) => Promise<void>;
}

export interface OpenViewOptions {
  /**
   * The caller handles ViewMiss (decides again after `fill`): a networked
   * store may then answer from what it has read so far instead of reading
   * everything a decision could need first.
   */
  readonly lazy?: boolean;
}

type Async<T> = {
  readonly [K in keyof T]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<R>
    : never;
};

/** The queue and record operations, as a networked database can offer them. */
type QueueOperations = Omit<SyncStore, keyof StoreView | "viewVersion" | "keyStamp">;

/**
 * The store contract (docs/decisions/0009-asynchronous-store.md): every
 * operation is a promise, so a networked database can implement it. The
 * pure core never awaits: it decides on an `OpenedView`, a synchronous view
 * the caller opened first (a local store's own live view; a networked
 * store's prepared reads).
 */
export interface Store extends Async<QueueOperations> {
  /** Open the view one decision reads. */
  openView(options?: OpenViewOptions): Promise<OpenedView>;
}

/**
 * An embedded store (SQLite, memory): the `Store` contract plus its own view
 * read synchronously, for tools and tests that inspect it directly.
 */
export interface LocalStore extends Store, StoreView {}

export interface InsuranceHistory {
  /** Set by `insurance.selfPay`, cleared when a policy is added or replaced. */
  readonly selfPay: boolean;
  /** Oldest first. A replaced policy and those cancelled by self-pay are `cancelled`. */
  readonly policies: readonly { readonly policy: Policy; readonly cancelled: boolean }[];
}

/** Actions apply only for these states (ERROR and CBOERROR wait in the queue untouched). */
export const APPLYING_STATES: ReadonlySet<QueueState> = new Set(["PROCESSED", "NEW"]);

export type { Action };
