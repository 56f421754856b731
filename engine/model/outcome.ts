import type { TypedAction } from "./actions.js";

/**
 * The outcome of one message (ARCHITECTURE.md "Outcome JSON"): the actions
 * to apply, the errors, the review items and the trace, and the queue state
 * they decide.
 */

export type QueueState =
  | "SCHEDULED"
  | "NEW"
  | "DISTRIBUTED"
  | "PENDING"
  | "PROCESSED"
  | "ERROR"
  | "CBOERROR"
  | "ATHENAERROR"
  | "DELETED";

export type Severity = "error" | "warning" | "info";

export type ErrorCode =
  | "PARSE_ERROR"
  | "MESSAGE_TYPE_NOT_SUPPORTED"
  | "EVENT_NOT_ENABLED"
  | "REQUIRED_FIELD_MISSING"
  | "RECOMMENDED_FIELD_MISSING"
  /** A warning: the message holds data no field rule read (a phone in XTN components the rule skips). */
  | "DATA_NOT_READ"
  | "INVALID_VALUE"
  | "UNMAPPED_CODE"
  | "UNMAPPED_INSURANCE"
  | "PATIENT_NOT_FOUND"
  | "APPOINTMENT_NOT_FOUND"
  | "APPOINTMENT_NOT_MATCHED"
  | "REVIEW_REQUIRED"
  | "UNKNOWN_PROVIDER"
  | "UNKNOWN_DEPARTMENT"
  | "UNKNOWN_PROCEDURE"
  | "TOO_MANY_DIAGNOSES"
  | "INVALID_APPOINTMENT_TRANSITION"
  | "NO_INSURANCE"
  | "STATUS_NOT_APPLIED"
  /** A pack expression failed (a fault of the pack): ERROR at the rule. */
  | "EXPRESSION_ERROR"
  /** A pack expression spent its counted budget (`limits.expressions`): ERROR at the rule. */
  | "EXPRESSION_BUDGET_EXCEEDED"
  /** A pack expression hit the wall-clock backstop twice (`timeoutMs`): ATHENAERROR. */
  | "EXPRESSION_TIMEOUT"
  | "INTERNAL_ERROR"
  | "TRANSACTION_SKIPPED"
  | "DIAGNOSES_TRUNCATED"
  | "STALE_REPROCESS"
  | "FILTERED"
  | "OUTBOUND_NOT_ENABLED"
  | "DUPLICATE"
  | "PARSE_WARNING"
  | "UNSUPPORTED_VERSION"
  | "UNSUPPORTED_PROCESSING_ID"
  | "FRAME_TOO_LARGE"
  | "FRAME_MESSAGE_LIMIT"
  /** A frame on a host's shared port whose MSH-5/MSH-6 no practice receives (engine/host/). */
  | "UNROUTABLE"
  | "POISON_MESSAGE"
  /** An outbound message the receiver refused (AE, CR, AR with ERR-3 200-203): ERROR (decision 0025). */
  | "ACK_REJECTED"
  /** An outbound message not delivered after the pack's max attempts: ERROR with the last cause. */
  | "DELIVERY_FAILED";

export interface OutcomeError {
  readonly code: ErrorCode;
  readonly severity: Severity;
  readonly message: string;
  /** The HL7 field to blame, e.g. `PID.7`. */
  readonly field?: string;
  /** The mapping table of a failed lookup. */
  readonly table?: string;
  /** The foreign code or key of a failed lookup. */
  readonly value?: string;
}

export interface TraceEntry {
  readonly step: "route" | "extract" | "map" | "match" | "require" | "decide" | "filter" | "build";
  readonly rule?: string;
  /** `FILE:LINE` of the rule in the pack (a field or required rule, a mapping row, an outbound field rule). */
  readonly at?: string;
  readonly ref?: string;
  readonly table?: string;
  readonly row?: string;
  readonly score?: Readonly<Record<string, number>>;
  /** For a person (`--explain`); programs read the structured fields. */
  readonly detail?: string;
  /** The pack options that decided this step, each with the value in force. */
  readonly options?: readonly OptionInForce[];
  /** The event this step decided or belongs to (`patientAdd`, `appointmentCancel`, `charge`). */
  readonly event?: string;
  /** false: the rule at `at` was tried and supplied nothing (a field rule that read nothing). */
  readonly fired?: boolean;
}

/** A value of an option as the pack spells it. */
export type OptionValue = string | number | boolean | null | readonly OptionValue[];

/**
 * One option a step read: rule-test coverage counts it exercised
 * (engine/testing/coverage.ts), so it names the option as the pack does.
 */
export interface OptionInForce {
  /**
   * Its path in the merged pack, dotted: `insurance.mode`,
   * `enabled.inbound.patientAdd`, `mappings.race.mappingRequired`; a map
   * (`charges.appointmentMatching`) stands for every option it holds.
   */
  readonly path: string;
  /** The value in force; absent when the option is a map. */
  readonly value?: OptionValue;
  /** `FILE:LINE` of the list entry that decided (an external ID, an outbound field rule). */
  readonly at?: string;
}

export interface ReviewItem {
  readonly reason: "possibleDuplicate" | "substantialChange" | "ambiguousMatch";
  readonly detail: string;
  readonly candidates: readonly ReviewCandidate[];
}

export interface ReviewCandidate {
  readonly patientId: string;
  readonly total: number;
  readonly scores: Readonly<Record<string, number>>;
  /** For a substantial change: the stored and the received values. */
  readonly changes?: Readonly<
    Record<string, { readonly stored: unknown; readonly received: unknown }>
  >;
}

/**
 * A person's decision on a REVIEW_REQUIRED message (`rulepack review`), an
 * input to processing like the clock: `mergeWith` takes the named patient as
 * the match, `createNew` registers a new one, `acceptUpdate` applies a
 * substantial change. A rejection is not processed (the message is DELETED).
 */
export type ReviewDecision =
  | { readonly kind: "mergeWith"; readonly patientId: string }
  | { readonly kind: "createNew" }
  | { readonly kind: "acceptUpdate" };

export type Action = TypedAction;
export type ActionType = TypedAction["type"];

export interface Outcome {
  readonly messageId: string;
  readonly controlId: string;
  readonly messageType: string;
  readonly state: QueueState;
  readonly actions: readonly Action[];
  readonly errors: readonly OutcomeError[];
  readonly review: readonly ReviewItem[];
  readonly trace: readonly TraceEntry[];
}

/**
 * Faults of the engine or the machine. An expression that fails or spends
 * its counted budget is the pack's fault (ERROR, a person fixes the pack);
 * one that hits the wall-clock backstop is the machine's.
 */
const INTERNAL = new Set<ErrorCode>(["INTERNAL_ERROR", "EXPRESSION_TIMEOUT"]);
const BILLING = new Set<ErrorCode>([
  "UNKNOWN_PROVIDER",
  "UNKNOWN_DEPARTMENT",
  "UNKNOWN_PROCEDURE",
  "TOO_MANY_DIAGNOSES",
]);

/**
 * The state table of ARCHITECTURE.md, first rule that applies wins: an
 * internal fault is ATHENAERROR; billing errors on a charge are CBOERROR;
 * any other error is ERROR; otherwise PROCESSED. Warnings and info never
 * decide the state.
 */
export function decideState(errors: readonly OutcomeError[], isCharge: boolean): QueueState {
  const blocking = errors.filter((e) => e.severity === "error");
  if (blocking.some((e) => INTERNAL.has(e.code))) return "ATHENAERROR";
  if (blocking.length === 0) return "PROCESSED";
  if (isCharge && blocking.every((e) => BILLING.has(e.code))) return "CBOERROR";
  return "ERROR";
}
