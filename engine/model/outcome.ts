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
  | "EXPRESSION_ERROR"
  | "EXPRESSION_BUDGET_EXCEEDED"
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
  | "FRAME_TOO_LARGE";

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
  /** `FILE:LINE` of the rule in the pack. */
  readonly at?: string;
  readonly ref?: string;
  readonly table?: string;
  readonly row?: string;
  readonly score?: Readonly<Record<string, number>>;
  readonly detail?: string;
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

const INTERNAL = new Set<ErrorCode>([
  "INTERNAL_ERROR",
  "EXPRESSION_ERROR",
  "EXPRESSION_BUDGET_EXCEEDED",
]);
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
