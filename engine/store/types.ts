import type { Action, Outcome, QueueState } from "../model/outcome.js";
import type { Appointment, Claim, Patient, Policy } from "../model/records.js";
import type { MasterData } from "./master-data.js";

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
  appointmentById(id: string): Appointment | undefined;
  appointmentsByExternalId(name: string, key: string): readonly Appointment[];
  /** Unbilled claims of a patient on a service date. */
  unbilledClaims(patientId: string, serviceDate: string): readonly Claim[];
  /** The ID the next created record of this kind gets (IDs are taken when the actions are applied). */
  nextId(kind: RecordIdKind): string;
  readonly masterData: MasterData;
}

export type RecordIdKind = "patient" | "appointment" | "claim";

/** Keys the store indexes patients by, so a demographic lookup never scans the table. */
export interface BlockingKeys {
  /** YYYY-MM-DD */
  readonly dob?: string;
  /** Digits only. */
  readonly ssn?: string;
  /** Last 10 digits. */
  readonly phone?: string;
  /** Soundex of the last name followed by the first name's initial (engine/matching/blocking.ts). */
  readonly lastNamePhonetic?: string;
}

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
}

/** An outbound message as built with its control number, before it is queued. */
export type OutboundMessage = Omit<ReceivedMessage, "direction">;

export interface StoredMessage extends ReceivedMessage {
  readonly messageId: string;
  readonly state: QueueState;
  readonly outcome?: Outcome;
}

export interface Store extends StoreView {
  /** Record a received message as NEW; returns the engine's own message ID (`q-000042`). */
  receive(message: ReceivedMessage): string;
  /**
   * Apply one message's actions (only when its state lets them apply) and
   * record its final state and outcome, in one transaction.
   */
  complete(outcome: Outcome): void;
  /**
   * Take the pack's next outbound control number (1, 2, ... per pack) and
   * queue the message `build` makes with it as NEW, direction outbound, in
   * one transaction; returns the engine's message ID.
   */
  queueOutbound(packId: string, build: (sequence: number) => OutboundMessage): string;
  message(messageId: string): StoredMessage | undefined;
  /** Messages in the order they were received, optionally only those in one state. */
  messages(filter?: { readonly state?: QueueState }): readonly StoredMessage[];
  /** Any claim by ID, billed or not (`unbilledClaims` is the view's lookup). */
  claimById(id: string): Claim | undefined;
  /**
   * The Missing Slips worklist: appointments in status 2 (checked in) or 3
   * (checked out) whose appointment type requires a billing slip (master
   * data `appointmentTypes[].billingSlipRequired` is not false), in the
   * order they were created (missing-slips.ts).
   */
  appointmentsMissingSlips(): readonly Appointment[];
  /** Every policy ever stored for the patient (cancelled ones too) and the self-pay flag. */
  insuranceHistory(patientId: string): InsuranceHistory;
  /** Replace the practice's master data (providers, departments, packages, ...). */
  loadMasterData(data: MasterData): void;
  close(): void;
}

export interface InsuranceHistory {
  /** Set by `insurance.selfPay`, cleared when a policy is added or replaced. */
  readonly selfPay: boolean;
  /** Oldest first. A replaced policy and those cancelled by self-pay are `cancelled`. */
  readonly policies: readonly { readonly policy: Policy; readonly cancelled: boolean }[];
}

/** Actions apply only for these states (ERROR and CBOERROR wait in the queue untouched). */
export const APPLYING_STATES: ReadonlySet<QueueState> = new Set(["PROCESSED", "NEW"]);

export type { Action };
