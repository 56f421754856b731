/**
 * The syntax tree of a field reference, as the grammar (reference.ne) builds
 * it. Plain data: the compiler (compile.ts) turns it into accessor closures and
 * `formatReference` writes it back in the canonical dotted notation.
 *
 * Every node carries the `span` of its text in the reference: 0-based offsets,
 * `end` exclusive, so `source.slice(span.start, span.end)` is the node as
 * written (that is how a read names the alternative that supplied a value).
 */

export interface Span {
  readonly start: number;
  readonly end: number;
}

/** A 1-based repetition or segment occurrence, or `"*"` for all of them. */
export type Occurrence = number | "*";

/**
 * `PID.3[5=MR]`: the first repetition of the field whose component 5
 * (subcomponent 1, decoded) is exactly `MR`. `equals` is the value as
 * compared (quotes and escapes removed), never empty.
 */
export interface RepetitionFilter {
  readonly component: number;
  readonly equals: string;
}

/** Which repetition of a field: `[n]`, `[*]`, or a filter `[c=value]`. */
export type Repetition = Occurrence | RepetitionFilter;

/**
 * One place in the message: `PID.5.1`, `PID.3[2].1`, `PID.3[5=MR].1`,
 * `IN1[2].36`, `DG1[*].3`, or the HAPI spelling `PID-5-1`. A part not written is `null` and reads as 1.
 */
export interface FieldReference {
  readonly type: "field";
  /** The segment ID (`PID`, `ZPD`). */
  readonly segment: string;
  /** `IN1[2]`: which occurrence of the segment in its scope (group or message); null = the first. */
  readonly occurrence: Occurrence | null;
  /** Field number, from 1 (MSH-1 is the field separator). */
  readonly field: number;
  /** `PID.3[2]`, `PID.3[5=MR]`: which repetition of the field; null = the first. */
  readonly repetition: Repetition | null;
  /** Component, from 1; null = 1. */
  readonly component: number | null;
  /** Subcomponent, from 1; null = 1. */
  readonly subcomponent: number | null;
  /** How it was written: `PID.5.1` (dotted) or `PID-5-1` (hapi). */
  readonly notation: "dotted" | "hapi";
  readonly span: Span;
}

/** `IN1.2+IN1.4+IN1.5`: the parts' values joined with `+` (two or more parts). */
export interface CompositeKey {
  readonly type: "composite";
  readonly parts: readonly FieldReference[];
  readonly span: Span;
}

/** The practice-system records a derived source can read. */
export type DerivedRecord = "appointment" | "patient";

/** `appointment.departmentId`: a practice-system value, never mapped. */
export interface DerivedSource {
  readonly type: "derived";
  readonly record: DerivedRecord;
  readonly field: string;
  readonly span: Span;
}

/** `supervisorOf(FT1.21 | appointment.providerId)`: the supervising provider of the inner value. */
export interface SupervisorOf {
  readonly type: "supervisorOf";
  readonly of: Chain;
  readonly span: Span;
}

/** One operand of a `|` chain. */
export type Alternative = FieldReference | CompositeKey | DerivedSource | SupervisorOf;

/** `A | B | C`: the first alternative that yields a value wins (one or more alternatives). */
export interface Chain {
  readonly type: "chain";
  readonly alternatives: readonly Alternative[];
  readonly span: Span;
}

/** A whole reference is a chain (of one alternative when there is no `|`). */
export type ReferenceAst = Chain;
