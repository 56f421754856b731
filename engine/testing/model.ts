import type { PathKey } from "../documents/merge.js";
import type { YamlSource } from "../documents/source.js";
import type { CompiledExpression } from "../expressions/runtime.js";
import type { MasterData } from "../model/master-data.js";
import type { QueueState } from "../model/outcome.js";
import type { PracticeEvent } from "../outbound/events.js";
import type { CompiledReference } from "../paths/types.js";

/**
 * A rule-test file once read and checked (schemas/rule-test.schema.json,
 * docs/rule-tests.md): every case with its pack, store, clock, messages and
 * expectations resolved, and the place in the file of each, so a failure is
 * reported at FILE:LINE.
 */

/** A problem with a test file (or a pack it names): `FILE:LINE:COL: CODE message`. */
export interface TestProblem {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly code: string;
  readonly message: string;
  readonly severity?: "error" | "warning";
}

export const formatProblem = (p: TestProblem): string =>
  `${p.file}:${p.line}:${p.col}: ${p.code} ${p.message}`;

export type ListName = "actions" | "errors" | "review";
export const LIST_NAMES: readonly ListName[] = ["actions", "errors", "review"];

export interface LoadedAssert {
  readonly source: string;
  readonly expression: CompiledExpression;
  readonly line: number;
}

/** The store after a message, deep-partial, by record ID. */
export interface StoreExpectation {
  readonly patients?: Readonly<Record<string, unknown>>;
  readonly policies?: Readonly<Record<string, readonly unknown[]>>;
  readonly selfPay?: Readonly<Record<string, boolean>>;
  readonly appointments?: Readonly<Record<string, unknown>>;
  readonly claims?: Readonly<Record<string, unknown>>;
}

/**
 * One outbound message expected (`expect[].messages`): the whole text (one
 * segment a line), or its MSH-9, its segments in order (a name, or a whole
 * segment line) and field values by field reference.
 */
export interface MessageExpectation {
  readonly line: number;
  readonly path: PathKey;
  readonly text?: string;
  readonly type?: string;
  readonly segments?: readonly string[];
  readonly fields?: Readonly<Record<string, unknown>>;
  /** The compiled field references of `fields`, by reference. */
  readonly refs: ReadonlyMap<string, CompiledReference>;
}

export interface OutcomeExpectation {
  /** Where it is written in the test file (for failures and `--update`). */
  readonly path: PathKey;
  readonly line: number;
  readonly state?: QueueState;
  readonly controlId?: string;
  readonly messageType?: string;
  readonly exact: ReadonlySet<ListName>;
  readonly actions?: readonly unknown[];
  readonly errors?: readonly unknown[];
  readonly review?: readonly unknown[];
  readonly asserts: readonly LoadedAssert[];
  readonly store?: StoreExpectation;
  /** The outbound messages built (at most one per outcome; [] means none). */
  readonly messages?: readonly MessageExpectation[];
}

/** Records to seed, as the store holds them. */
export interface SeedRecords {
  readonly patients: readonly Record<string, unknown>[];
  readonly policies: readonly Record<string, unknown>[];
  readonly appointments: readonly Record<string, unknown>[];
  readonly claims: readonly Record<string, unknown>[];
}

export interface LoadedMessage {
  /** `inline HL7 (line 12)` or the file as given. */
  readonly label: string;
  readonly bytes: Uint8Array;
  readonly line: number;
}

export interface LoadedEvent {
  /** `inline event (line 12)` or the file as given. */
  readonly label: string;
  readonly event: PracticeEvent;
  readonly line: number;
}

export interface LoadedCase {
  readonly index: number;
  readonly name: string;
  readonly line: number;
  readonly col: number;
  readonly tags: readonly string[];
  /** false, or the reason (true when none was given). */
  readonly skip: false | true | string;
  readonly only: boolean;
  /** The pack file, as shown (relative to the working directory). */
  readonly pack: string;
  /** Path of `overrides:` in the test file, when the case has one. */
  readonly overrides?: PathKey;
  readonly now: Date;
  /** Master data given explicitly (else the pack's master-data.yaml, if any). */
  readonly masterData?: MasterData;
  readonly seed: SeedRecords;
  readonly messages: readonly LoadedMessage[];
  /** Practice events sent through the pack's outbound section after the messages. */
  readonly events: readonly LoadedEvent[];
  /** Absent when the case has no `expect:` (it fails until one is written). */
  readonly expect?: readonly OutcomeExpectation[];
  /** Whether `expect:` is written as a list (for `--update`). */
  readonly expectIsList: boolean;
}

export interface LoadedSuite {
  /** The test file, as shown (relative to the working directory). */
  readonly file: string;
  readonly source: YamlSource;
  readonly description?: string;
  readonly cases: readonly LoadedCase[];
}

export type SuiteLoad =
  | { readonly ok: true; readonly suite: LoadedSuite; readonly warnings: readonly TestProblem[] }
  | {
      readonly ok: false;
      readonly file: string;
      readonly errors: readonly TestProblem[];
      readonly warnings: readonly TestProblem[];
    };
