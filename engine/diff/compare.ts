import type { Action, Outcome, OutcomeError, QueueState } from "../model/outcome.js";
import { type LineChange, messageLineChanges } from "./message-lines.js";
import { IdRenaming } from "./renaming.js";
import type { ReplayedMessage, Run } from "./stores.js";

/**
 * Two runs of the same inputs compared message by message (the n-th
 * outcome of one with the n-th of the other): the queue state, the actions
 * (paired by type and subject, then compared field by field) and the
 * errors (every severity, by code, field, table and value). Store IDs are
 * renamed by first appearance in each run first (renaming.ts).
 */

export interface FieldChange {
  /** Dotted path in the action: `patient.race`, `policy.policyNumber`, `charge.modifiers[0]`. */
  readonly path: string;
  /** Absent: the field is not in that side's action. */
  readonly old?: unknown;
  readonly new?: unknown;
}

export type ActionChange =
  | { readonly change: "added" | "removed"; readonly action: Action }
  | {
      readonly change: "changed";
      readonly type: Action["type"];
      readonly subject: string;
      readonly fields: readonly FieldChange[];
    };

export interface ErrorChange {
  readonly change: "added" | "removed";
  readonly error: OutcomeError;
}

export interface MessageChange {
  /** 1-based position among the replayed messages. */
  readonly position: number;
  readonly source: string;
  readonly controlId: string;
  readonly messageType: string;
  /** Present when the state changed. */
  readonly state?: { readonly from: QueueState; readonly to: QueueState };
  /** The state in both runs, when it did not change. */
  readonly sameState?: QueueState;
  readonly actions: readonly ActionChange[];
  readonly errors: readonly ErrorChange[];
  /**
   * An outbound leg's built HL7, segment lines only one run has (the
   * actions of an outbound leg); present only when it changed.
   */
  readonly message?: readonly LineChange[];
}

export interface StateMove {
  readonly from: QueueState;
  readonly to: QueueState;
  readonly messages: number;
}

export interface DiffSummary {
  readonly messages: number;
  /** Messages whose state changed, per from -> to. */
  readonly stateChanged: readonly StateMove[];
  /** Messages whose state is the same but whose actions or errors changed. */
  readonly actionsOrErrorsChanged: number;
  readonly unchanged: number;
}

export interface PackDiff {
  readonly summary: DiffSummary;
  readonly changes: readonly MessageChange[];
}

export function comparePackRuns(old: Run, next: Run): PackDiff {
  const oldIds = new IdRenaming(old.firstIds);
  const newIds = new IdRenaming(next.firstIds);
  const count = Math.max(old.messages.length, next.messages.length);
  const changes: MessageChange[] = [];
  for (let i = 0; i < count; i++) {
    const a = renamed(oldIds, old.messages[i], i + 1);
    const b = renamed(newIds, next.messages[i], i + 1);
    const change = compareMessage(i + 1, a, b);
    if (change) changes.push(change);
  }
  return { summary: summarize(count, changes), changes };
}

function renamed(
  ids: IdRenaming,
  m: ReplayedMessage | undefined,
  position: number,
): ReplayedMessage | undefined {
  if (!m) return undefined;
  const { trace: _trace, ...outcome } = m.outcome;
  return {
    source: m.source,
    outcome: { ...ids.rename(outcome, position), trace: [] },
    ...(m.text !== undefined && { text: m.text }),
  };
}

const NO_OUTCOME: Omit<Outcome, "messageId"> = {
  controlId: "",
  messageType: "",
  state: "DELETED",
  actions: [],
  errors: [],
  review: [],
  trace: [],
};

function compareMessage(
  position: number,
  a: ReplayedMessage | undefined,
  b: ReplayedMessage | undefined,
): MessageChange | undefined {
  const oldOutcome = a?.outcome ?? { ...NO_OUTCOME, messageId: "" };
  const newOutcome = b?.outcome ?? { ...NO_OUTCOME, messageId: "" };
  const actions = compareActions(oldOutcome.actions, newOutcome.actions);
  const errors = compareErrors(oldOutcome.errors, newOutcome.errors);
  const message = messageLineChanges(a?.text, b?.text);
  const stateChanged = oldOutcome.state !== newOutcome.state;
  if (!stateChanged && actions.length === 0 && errors.length === 0 && message.length === 0)
    return undefined;
  const shown = b ?? a;
  return {
    position,
    source: shown?.source ?? "",
    // An outbound leg no longer built has no control ID of its own: show the one it had.
    controlId: shown?.outcome.controlId || a?.outcome.controlId || "",
    messageType: shown?.outcome.messageType ?? "",
    ...(stateChanged
      ? { state: { from: oldOutcome.state, to: newOutcome.state } }
      : { sameState: newOutcome.state }),
    actions,
    errors,
    ...(message.length > 0 && { message }),
  };
}

/** What an action is about, to pair it with its counterpart: the record it writes. */
function subjectOf(action: Action): string {
  const a = action as unknown as Record<string, unknown>;
  const record = (key: string) => (a[key] as { id?: unknown } | undefined)?.id;
  const subject =
    a.patientId ??
    a.appointmentId ??
    a.claimId ??
    (a.recordId !== undefined ? `${a.record} ${a.recordId} ${a.name}` : undefined) ??
    record("patient") ??
    record("appointment") ??
    record("claim");
  return String(subject ?? "");
}

function compareActions(old: readonly Action[], next: readonly Action[]): ActionChange[] {
  const changes: ActionChange[] = [];
  const unpaired = [...next];
  for (const action of old) {
    const key = `${action.type} ${subjectOf(action)}`;
    const at = unpaired.findIndex((n) => `${n.type} ${subjectOf(n)}` === key);
    if (at < 0) {
      changes.push({ change: "removed", action });
      continue;
    }
    const [counterpart] = unpaired.splice(at, 1) as [Action];
    const fields = fieldChanges(action, counterpart);
    if (fields.length > 0) {
      changes.push({ change: "changed", type: action.type, subject: subjectOf(action), fields });
    }
  }
  for (const action of unpaired) changes.push({ change: "added", action });
  return changes;
}

/** Leaves of a JSON value by dotted path (`a.b[0].c`); empty objects and arrays are leaves. */
export function flatten(
  value: unknown,
  path = "",
  out = new Map<string, unknown>(),
): Map<string, unknown> {
  if (Array.isArray(value) && value.length > 0) {
    for (const [i, v] of value.entries()) flatten(v, `${path}[${i}]`, out);
  } else if (value !== null && typeof value === "object" && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, out);
  } else {
    out.set(path, value);
  }
  return out;
}

function fieldChanges(old: Action, next: Action): FieldChange[] {
  const a = flatten(old);
  const b = flatten(next);
  const paths = [...new Set([...a.keys(), ...b.keys()])];
  return paths
    .filter((p) => JSON.stringify(a.get(p)) !== JSON.stringify(b.get(p)))
    .map((path) => ({
      path,
      ...(a.has(path) && { old: a.get(path) }),
      ...(b.has(path) && { new: b.get(path) }),
    }));
}

const errorKey = (e: OutcomeError): string =>
  [e.code, e.severity, e.field ?? "", e.table ?? "", e.value ?? ""].join("\u0000");

function compareErrors(old: readonly OutcomeError[], next: readonly OutcomeError[]): ErrorChange[] {
  const unpaired = [...next];
  const removed: ErrorChange[] = [];
  for (const error of old) {
    const at = unpaired.findIndex((n) => errorKey(n) === errorKey(error));
    if (at < 0) removed.push({ change: "removed", error });
    else unpaired.splice(at, 1);
  }
  return [...removed, ...unpaired.map((error): ErrorChange => ({ change: "added", error }))];
}

function summarize(messages: number, changes: readonly MessageChange[]): DiffSummary {
  const moves = new Map<string, StateMove>();
  for (const c of changes) {
    if (!c.state) continue;
    const key = `${c.state.from}>${c.state.to}`;
    const move = moves.get(key);
    moves.set(key, { ...c.state, messages: (move?.messages ?? 0) + 1 });
  }
  const stateChanged = [...moves.values()].sort(
    (x, y) => x.from.localeCompare(y.from) || x.to.localeCompare(y.to),
  );
  const actionsOrErrorsChanged = changes.filter((c) => !c.state).length;
  return {
    messages,
    stateChanged,
    actionsOrErrorsChanged,
    unchanged: messages - changes.length,
  };
}
