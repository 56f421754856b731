import { layerOf } from "../documents/merge.js";
import { parseHl7 } from "../hl7/parse.js";
import type { Hl7Message } from "../hl7/tree.js";
import type { MasterData } from "../model/master-data.js";
import type { Outcome } from "../model/outcome.js";
import { lookupRow, type MappingTable } from "../pack/mapping-tables.js";
import { receiveBytes } from "../queue/intake.js";
import { createMemoryStore } from "../store/memory.js";
import type { LocalStore } from "../store/types.js";
import { isAbsent } from "./absent.js";
import { type ListFailure, type Mismatch, matchList, matchValue, render } from "./match.js";
import type {
  ListName,
  LoadedCase,
  LoadedSuite,
  OutcomeExpectation,
  StoreExpectation,
  TestProblem,
} from "./model.js";
import { checkMessages, observeEvent } from "./outbound.js";
import type { PackCache, PackVariant } from "./packs.js";
import { seedStore } from "./seed.js";

/**
 * One case: a fresh in-memory store with the master data and `given`, the
 * messages through the queue intake with the trace on, and each outcome
 * compared with its expectation by position. Failures carry the line of
 * the expectation and a diff a person can read.
 */

export type CaseStatus = "passed" | "failed" | "skipped" | "invalid" | "error";

/** What `--update` may rewrite: the keys of an expectation that did not match. */
export type ExpectationKey = "state" | "controlId" | "messageType" | ListName;

export interface Failure {
  /** 0-based index of the outcome, when the failure is about one. */
  readonly outcome?: number;
  /** Line in the test file to look at. */
  readonly line: number;
  readonly title: string;
  /** The diff and context, one line each, unindented. */
  readonly detail: readonly string[];
  readonly key?: ExpectationKey | "assert" | "store" | "count" | "expect" | "messages";
}

/** An outcome with the message it came from (for assertions and coverage). */
export interface Observed {
  readonly outcome: Outcome;
  readonly message?: Hl7Message;
  /** The outbound message an event's leg sent (segments terminated by CR). */
  readonly sent?: string;
  readonly segments: ReadonlySet<string>;
}

export interface CaseResult {
  readonly suite: LoadedSuite;
  readonly case: LoadedCase;
  readonly status: CaseStatus;
  readonly failures: readonly Failure[];
  /** Why the case is invalid (a pack or `given` that cannot load). */
  readonly problems: readonly TestProblem[];
  readonly observed: readonly Observed[];
  readonly variant?: PackVariant;
  readonly masterData?: MasterData;
  readonly durationMs: number;
  /** Why it was skipped: `skip:`'s reason, or not marked only. */
  readonly skipReason?: string;
  /** An internal error (exit 3). */
  readonly internal?: string;
}

export async function runCase(
  suite: LoadedSuite,
  testCase: LoadedCase,
  packs: PackCache,
): Promise<CaseResult> {
  const started = performance.now();
  const base = { suite, case: testCase, failures: [], problems: [], observed: [] };
  const done = (result: Partial<CaseResult> & { status: CaseStatus }): CaseResult => ({
    ...base,
    ...result,
    durationMs: Math.round(performance.now() - started),
  });
  if (testCase.skip !== false) {
    const reason = typeof testCase.skip === "string" ? testCase.skip : "skip: true";
    return done({ status: "skipped", skipReason: reason });
  }
  try {
    const overrides = testCase.overrides ? layerOf(suite.source, testCase.overrides) : undefined;
    const variant = packs.get(testCase.pack, overrides && { layer: overrides, suite, testCase });
    if (!variant.ok) return done({ status: "invalid", problems: variant.problems });
    const pack = variant.variant.pack;
    const master = testCase.masterData ?? packs.masterData(testCase.pack);
    if (Array.isArray(master)) return done({ status: "invalid", problems: master });
    const store = createMemoryStore();
    await store.loadMasterData(master);
    try {
      await seedStore(store, pack, testCase.seed, testCase.now);
    } catch (e) {
      const at = suite.source.locate(["cases", testCase.index, "given"]);
      return done({
        status: "invalid",
        problems: [
          {
            ...at,
            code: "INVALID_GIVEN",
            message: `given: the store refused it: ${e instanceof Error ? e.message : String(e)}`,
          },
        ],
      });
    }
    const observed: Observed[] = [];
    const failures: Failure[] = [];
    const expect = testCase.expect ?? [];
    for (const message of testCase.messages) {
      const outcomes = await receiveBytes(pack, store, message.bytes, {
        now: testCase.now,
        sender: `rulepack-test:${suite.file}:${message.line}`,
        trace: true,
      });
      const parsed = parseHl7(message.bytes).messages;
      const offset = outcomes.length - parsed.length;
      for (const [i, outcome] of outcomes.entries()) {
        const tree = i >= offset ? parsed[i - offset] : undefined;
        observed.push({
          outcome,
          ...(tree && { message: tree }),
          segments: new Set(tree?.segments.map((s) => s.name) ?? []),
        });
        // The store as it is after this message (a file of several: after all of them).
        const e = expect[observed.length - 1];
        if (e?.store) failures.push(...(await checkStore(store, e.store, e, observed.length - 1)));
      }
    }
    for (const loaded of testCase.events) {
      for (const o of await observeEvent(pack, store, loaded, testCase.now)) {
        observed.push(o);
        const e = expect[observed.length - 1];
        if (e?.store) failures.push(...(await checkStore(store, e.store, e, observed.length - 1)));
      }
    }
    if (!testCase.expect) {
      failures.push({
        line: testCase.line,
        title: "no expect: written",
        detail: [
          "write the expected outcome (or run 'rulepack test --update' to write what happened):",
          ...observed.map((o, i) => `outcome ${i + 1}: ${oneLine(o.outcome)}`),
        ],
        key: "expect",
      });
    } else if (expect.length !== observed.length) {
      failures.push({
        line: testCase.line,
        title: `expected ${expect.length} outcome(s), got ${observed.length}`,
        detail: observed.map((o, i) => `outcome ${i + 1}: ${oneLine(o.outcome)}`),
        key: "count",
      });
    }
    for (const [i, e] of expect.entries()) {
      const o = observed[i];
      if (!o) break;
      failures.push(...(await checkOutcome(e, o, i, pack.tables, testCase.now)));
    }
    return done({
      status: failures.length > 0 ? "failed" : "passed",
      failures: failures.sort(byOutcome),
      observed,
      variant: variant.variant,
      masterData: master,
    });
  } catch (e) {
    return done({
      status: "error",
      internal: e instanceof Error ? (e.stack ?? e.message) : String(e),
    });
  }
}

const KEY_ORDER = [
  "count",
  "expect",
  "state",
  "controlId",
  "messageType",
  "actions",
  "errors",
  "review",
  "assert",
  "store",
  "messages",
];

/** Failures in the order a person reads them: by outcome, then as the expectation is written. */
function byOutcome(a: Failure, b: Failure): number {
  return (
    (a.outcome ?? -1) - (b.outcome ?? -1) ||
    KEY_ORDER.indexOf(a.key ?? "") - KEY_ORDER.indexOf(b.key ?? "")
  );
}

/** `PROCESSED patient.create, privacy.set; errors: REQUIRED_FIELD_MISSING(PID.7)` */
export function oneLine(o: Outcome): string {
  const actions = o.actions.map((a) => a.type).join(", ") || "no actions";
  const errors = o.errors.map((e) => (e.field ? `${e.code}(${e.field})` : e.code)).join(", ");
  const review = o.review.map((r) => r.reason).join(", ");
  return `${o.state} ${o.messageType || "(no type)"}: ${actions}${errors ? `; errors: ${errors}` : ""}${review ? `; review: ${review}` : ""}`;
}

async function checkOutcome(
  e: OutcomeExpectation,
  o: Observed,
  index: number,
  tables: ReadonlyMap<string, MappingTable>,
  now: Date,
): Promise<Failure[]> {
  const failures: Failure[] = [];
  const outcome = o.outcome;
  const where = `outcome ${index + 1}`;
  const context = [`actual: ${oneLine(outcome)}`];
  for (const key of ["state", "controlId", "messageType"] as const) {
    const expected = e[key];
    if (expected === undefined || expected === outcome[key]) continue;
    failures.push({
      outcome: index,
      line: e.line,
      title: `${where}: ${key} expected ${expected}, got ${outcome[key]}`,
      detail: [
        `- ${key}: ${expected}`,
        `+ ${key}: ${outcome[key]}`,
        ...context,
        ...outcome.errors.map(
          (err) => `  ${err.code}${err.field ? ` (${err.field})` : ""}: ${err.message}`,
        ),
      ],
      key,
    });
  }
  for (const list of ["actions", "errors", "review"] as const) {
    const expected = e[list];
    if (expected === undefined) continue;
    const failure = matchList(expected, outcome[list], e.exact.has(list), list);
    if (failure) {
      failures.push({
        outcome: index,
        line: e.line,
        title: `${where}: ${failure.message}`,
        detail: listDiff(failure),
        key: list,
      });
    }
  }
  if (e.messages) failures.push(...checkMessages(e, o, index));
  for (const a of e.asserts) {
    const result = await a.expression.evaluate(plainOutcome(outcome), {
      read: o.message ? { message: o.message } : ({} as never),
      now,
      mapCode: (table, code) => {
        const rows = tables.get(table);
        return rows ? lookupRow(rows, code)?.practice : undefined;
      },
    });
    if (result.ok && result.value === true) continue;
    failures.push({
      outcome: index,
      line: a.line,
      title: `${where}: assert ${a.source}`,
      detail: result.ok
        ? [`expected true, got ${render(result.value)}`]
        : [`${result.error.code}: ${result.error.message}`],
      key: "assert",
    });
  }
  return failures;
}

/** The outcome as plain data for JSONata (actions' records are plain already). */
function plainOutcome(o: Outcome): unknown {
  return JSON.parse(JSON.stringify(o));
}

function mismatchLines(mismatches: readonly Mismatch[]): string[] {
  return mismatches.flatMap((m) => [
    `- ${m.path || "(item)"}: ${render(m.expected)}`,
    `+ ${m.path || "(item)"}: ${render(m.actual)}${m.note ? `   (${m.note})` : ""}`,
  ]);
}

function listDiff(f: ListFailure): string[] {
  const lines: string[] = [];
  if (f.closest) {
    lines.push(`closest ${f.path}[${f.closest.index}]:`, ...mismatchLines(f.closest.mismatches));
  }
  lines.push(`expected ${f.path}:`);
  for (const item of f.expected) lines.push(`  - ${render(item)}`);
  lines.push(`actual ${f.path}:`);
  if (f.actual.length === 0) lines.push("  (none)");
  for (const item of f.actual) lines.push(`  - ${render(item)}`);
  return lines;
}

async function checkStore(
  store: LocalStore,
  expected: StoreExpectation,
  e: OutcomeExpectation,
  index: number,
): Promise<Failure[]> {
  const failures: Failure[] = [];
  const fail = (title: string, detail: string[]) =>
    failures.push({ outcome: index, line: e.line, title, detail, key: "store" });
  const records = (kind: "patients" | "appointments" | "claims", get: (id: string) => unknown) => {
    for (const [id, want] of Object.entries(expected[kind] ?? {})) {
      const actual = get(id);
      if (isAbsent(want) || want === null) {
        if (actual !== undefined)
          fail(`store.${kind}.${id}: expected no such record`, [render(actual)]);
        continue;
      }
      if (actual === undefined) {
        fail(`store.${kind}.${id}: no such record in the store`, []);
        continue;
      }
      const mismatches = matchValue(want, actual, `store.${kind}.${id}`);
      if (mismatches.length > 0) fail(`store.${kind}.${id} differs`, mismatchLines(mismatches));
    }
  };
  records("patients", (id) => store.patientById(id));
  records("appointments", (id) => store.appointmentById(id));
  const claims = new Map<string, unknown>();
  for (const id of Object.keys(expected.claims ?? {})) claims.set(id, await store.claimById(id));
  records("claims", (id) => claims.get(id));
  for (const [id, want] of Object.entries(expected.policies ?? {})) {
    const failure = matchList(want, store.policiesOf(id), false, `store.policies.${id}`);
    if (failure) fail(failure.message, listDiff(failure));
  }
  for (const [id, want] of Object.entries(expected.selfPay ?? {})) {
    const actual = (await store.insuranceHistory(id)).selfPay;
    if (actual !== want) fail(`store.selfPay.${id}: expected ${want}, got ${actual}`, []);
  }
  return failures;
}
