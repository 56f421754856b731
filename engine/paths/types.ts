import type { Hl7Message, Hl7Segment } from "../hl7/tree.js";

/**
 * Field references: where a value lives in a message (`PID.5.1`,
 * `IN1.2+IN1.4+IN1.5`, `FT1.16 | FT1.13`, `appointment.departmentId`).
 * A reference compiles once, at pack load, to a `CompiledReference`; the
 * per-message path only calls `read`.
 */

/** Where a read looks: the message, and the group a per-policy or per-line rule reads within. */
export interface ReadContext {
  readonly message: Hl7Message;
  /**
   * The segments of the current group (an IN1 with its IN2/IN3; in a DFT_P03
   * an FT1 with its PR1), when the rule reads per group. A reference to a
   * segment of the group reads there; any other reference reads the message.
   */
  readonly group?: readonly Hl7Segment[];
  /**
   * Optional: the segment IDs that make up the group's structure, present or not (`IN1`,
   * `IN2`, `IN3`). A reference to one of them reads the group only, and is absent when the
   * group lacks it, rather than falling back to the message: without this, a policy with no
   * IN2 would read the first IN2 of the message (another policy's).
   */
  readonly groupMembers?: readonly string[];
  /** Practice-system records a derived source reads (`appointment.departmentId`). */
  readonly derived?: Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>>;
  /**
   * The provider table's supervising provider, for `supervisorOf(...)`; undefined when there is none.
   * `source` says what supplied `providerId`: `"derived"` a practice provider ID, `"hl7"` a
   * foreign provider code read from the message (`supervisorOf(FT1.20)`), which the function
   * maps first. A one-parameter function is fine when every inner alternative is derived.
   */
  readonly supervisorOf?: (providerId: string, source: ValueSource) => string | undefined;
}

/** What supplied a value: HL7 text (a foreign code, to be mapped) or a practice value (never mapped). */
export type ValueSource = "hl7" | "derived";

export type ReadResult =
  | {
      readonly kind: "value";
      /** A list under `[*]` (or a derived list), else one string. */
      readonly value: string | readonly string[];
      readonly source: ValueSource;
      /** The alternative of a `|` chain that supplied the value, as written (`FT1.16`). */
      readonly alternative: string;
    }
  /** The HL7 null `""`: "clear the stored value". */
  | { readonly kind: "null"; readonly alternative: string }
  /** Empty, missing, or only empty components. */
  | { readonly kind: "absent" };

export interface CompiledReference {
  /** The reference as written. */
  readonly source: string;
  /** Segment IDs it reads (for "can this message type carry it?" checks at load). */
  readonly segments: readonly string[];
  /** Derived sources it reads (`appointment.departmentId`, `supervisorOf`). */
  readonly derived: readonly string[];
  /** True when some alternative yields a list (`[*]`). */
  readonly yieldsList: boolean;
  read(context: ReadContext): ReadResult;
}

/** A reference that does not parse; `column` is 1-based within the reference text. */
export interface ReferenceError {
  readonly code: "INVALID_FIELD_REFERENCE";
  readonly message: string;
  readonly column: number;
}

export type CompileResult =
  | { readonly ok: true; readonly reference: CompiledReference }
  | { readonly ok: false; readonly error: ReferenceError };
