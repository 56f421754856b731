import type {
  CompiledExpression,
  ExpressionEnvironment,
  ExpressionResult,
} from "../expressions/runtime.js";
import type { Hl7Segment } from "../hl7/tree.js";
import type { RecordKind } from "../model/canonical-fields.js";
import type { CompiledFieldRule } from "../pack/compiled.js";
import type { ReadContext, ReadResult } from "../paths/types.js";
import { type MessageContext, tracing } from "./context.js";
import { convertValue } from "./convert.js";
import { mapCode, mapCodeForExpression } from "./mapping.js";

/**
 * The extract step: the pack's field rules build one canonical record from a
 * message (or from one group of it: a policy's IN1/IN2/IN3, a charge's
 * FT1/PR1). Each field is a value, an explicit null (HL7 `""`: clear it) or
 * absent (leave it).
 */

export type FieldValue =
  | {
      readonly kind: "value";
      readonly value: unknown;
      readonly hl7Field?: string;
      readonly foreign?: string;
    }
  | { readonly kind: "null"; readonly hl7Field?: string }
  | { readonly kind: "absent"; readonly hl7Field?: string }
  /** A value was sent but could not be used (unmapped, not convertible); its error is already reported. */
  | { readonly kind: "invalid"; readonly hl7Field?: string };

export interface ExtractedRecord {
  readonly kind: RecordKind;
  /** By canonical field (`patient.dob`). */
  readonly fields: ReadonlyMap<string, FieldValue>;
  /** The nested record: present values, nulls to clear, absent keys left out. */
  readonly record: Record<string, unknown>;
  /** False when a field failed (unmapped, invalid, expression error): do not act on it. */
  readonly complete: boolean;
}

export interface ExtractScope {
  readonly group?: readonly Hl7Segment[];
  readonly groupMembers?: readonly string[];
  readonly derived?: ReadContext["derived"];
  /** Evaluate only these canonical fields (the others are absent): a value another source supplies is never read, nor mapped. */
  readonly only?: ReadonlySet<string>;
}

const ABSENT: FieldValue = Object.freeze({ kind: "absent" });

export async function extractRecord(
  ctx: MessageContext,
  kind: RecordKind,
  scope: ExtractScope = {},
): Promise<ExtractedRecord> {
  const read: ReadContext = {
    message: ctx.message,
    ...(scope.group && { group: scope.group }),
    ...(scope.groupMembers && { groupMembers: scope.groupMembers }),
    ...(scope.derived && { derived: scope.derived }),
    supervisorOf: (providerId) =>
      ctx.view.masterData.providers.find((p) => p.id === providerId)?.supervisingProviderId,
  };
  const errors = ctx.found.errors;
  const errorsBefore = errors.length;
  const fields = new Map<string, FieldValue>();
  const plans = rulesByField(ctx.pack.fields, kind);
  // Awaited only where an expression needs JSONata's asynchronous evaluator (decision 0040).
  for (let i = 0; i < plans.length; i++) {
    const { field, rules } = plans[i] as FieldPlan;
    if (scope.only && !scope.only.has(field)) continue;
    const chosen = chooseRule(ctx, rules, read);
    const rule = chosen instanceof Promise ? await chosen : chosen;
    const value = rule ? evaluateRule(ctx, rule, read) : ABSENT;
    fields.set(field, value instanceof Promise ? await value : value);
  }
  const record: Record<string, unknown> = {};
  for (let i = 0; i < plans.length; i++) {
    const { field, path } = plans[i] as FieldPlan;
    const value = fields.get(field);
    if (value === undefined || value.kind === "absent" || value.kind === "invalid") continue;
    setPath(record, path, value.kind === "null" ? null : value.value);
  }
  let complete = true;
  for (let i = errorsBefore; i < errors.length; i++) {
    if (errors[i]?.severity === "error") complete = false;
  }
  return { kind, fields, record, complete };
}

/** One canonical field of a record kind: its rules in pack order and its path in the record. */
interface FieldPlan {
  readonly field: string;
  /** `patient.address.city` -> ["address", "city"]. */
  readonly path: readonly string[];
  readonly rules: readonly CompiledFieldRule[];
}

/** A compiled pack's field rules grouped once per record kind (a pack's rules never change). */
const grouped = new WeakMap<readonly CompiledFieldRule[], Map<RecordKind, readonly FieldPlan[]>>();

function rulesByField(rules: readonly CompiledFieldRule[], kind: RecordKind): readonly FieldPlan[] {
  let byKind = grouped.get(rules);
  if (!byKind) {
    byKind = new Map();
    grouped.set(rules, byKind);
  }
  const known = byKind.get(kind);
  if (known) return known;
  const byField = new Map<string, CompiledFieldRule[]>();
  for (const rule of rules) {
    if (rule.record !== kind) continue;
    const list = byField.get(rule.field) ?? [];
    list.push(rule);
    byField.set(rule.field, list);
  }
  const plans = [...byField].map(([field, list]) => ({
    field,
    path: field.slice(kind.length + 1).split("."),
    rules: list,
  }));
  byKind.set(kind, plans);
  return plans;
}

/**
 * Rules with `when:` first, in pack order; then the field's unconditional
 * rule. Synchronous unless a condition needs JSONata (from `from` on).
 */
function chooseRule(
  ctx: MessageContext,
  rules: readonly CompiledFieldRule[],
  read: ReadContext,
  from = 0,
): CompiledFieldRule | undefined | Promise<CompiledFieldRule | undefined> {
  for (let i = from; i < rules.length; i++) {
    const rule = rules[i] as CompiledFieldRule;
    if (!rule.when) continue;
    const now = evaluateNow(ctx, rule.when, read, rule);
    if (now === LATER) {
      return evaluate(ctx, rule.when, read, rule).then((applies) =>
        applies === true ? rule : chooseRule(ctx, rules, read, i + 1),
      );
    }
    if (now === true) return rule;
  }
  return rules.find((r) => !r.when);
}

function fromResult(result: ReadResult): unknown {
  if (result.kind === "value") return result.value;
  return result.kind === "null" ? null : undefined;
}

/** A rule's results that do not depend on the message, made once per rule. */
interface FixedValues {
  readonly absent: FieldValue;
  readonly null: FieldValue;
  readonly invalid: FieldValue;
}
const fixed = new WeakMap<CompiledFieldRule, FixedValues>();

function fixedValues(rule: CompiledFieldRule): FixedValues {
  let values = fixed.get(rule);
  if (values === undefined) {
    const hl7Field = rule.from?.source;
    const base = hl7Field === undefined ? {} : { hl7Field };
    values = {
      absent: Object.freeze({ kind: "absent", ...base }),
      null: Object.freeze({ kind: "null", ...base }),
      invalid: Object.freeze({ kind: "invalid", ...base }),
    };
    fixed.set(rule, values);
  }
  return values;
}

/** `{ kind: "value", value, hl7Field?, foreign? }`, keys present only when set. */
function valueField(
  value: unknown,
  field: string | undefined,
  foreign: string | undefined,
): FieldValue {
  if (field) {
    return foreign === undefined
      ? { kind: "value", value, hl7Field: field }
      : { kind: "value", value, hl7Field: field, foreign };
  }
  return foreign === undefined ? { kind: "value", value } : { kind: "value", value, foreign };
}

function invalidValue(
  ctx: MessageContext,
  rule: CompiledFieldRule,
  reason: string,
  field: string | undefined,
  text: string,
): FieldValue {
  ctx.found.errors.push({
    code: "INVALID_VALUE",
    severity: "error",
    message: `${rule.field} ${reason}${field ? ` (${field})` : ""}`,
    ...(field && { field }),
    value: text,
  });
  return fixedValues(rule).invalid;
}

/** A field's value by its rule: synchronous unless its `expr:` needs JSONata. */
function evaluateRule(
  ctx: MessageContext,
  rule: CompiledFieldRule,
  read: ReadContext,
): FieldValue | Promise<FieldValue> {
  let raw: unknown;
  let mapped = true;
  let alternative: string | undefined;
  if (rule.from) {
    const result = rule.from.read(read);
    raw = fromResult(result);
    if (result.kind !== "absent") alternative = result.alternative;
    // A derived source already holds a practice value: it is never mapped.
    mapped = result.kind === "value" && result.source === "hl7";
  }
  if (rule.expr) {
    const variables = { value: raw };
    const now = evaluateNow(ctx, rule.expr, read, rule, variables);
    if (now === LATER) {
      return evaluate(ctx, rule.expr, read, rule, variables).then((value) =>
        ruleValue(ctx, rule, value, true, alternative),
      );
    }
    raw = now;
    mapped = true;
  }
  return ruleValue(ctx, rule, raw, mapped, alternative);
}

/** The rest of a field rule once its raw value is known: default, trace, mapping, conversion. */
function ruleValue(
  ctx: MessageContext,
  rule: CompiledFieldRule,
  raw: unknown,
  mapped: boolean,
  alternative: string | undefined,
): FieldValue {
  const hl7Field = rule.from?.source;
  if (raw === undefined && rule.default !== undefined) {
    raw = rule.default;
    mapped = false;
  }
  if (tracing(ctx))
    ctx.found.trace.push({
      step: "extract",
      rule: rule.name,
      at: rule.at,
      ...(alternative && { ref: alternative }),
      detail: raw === undefined ? "absent" : raw === null ? "null" : "value",
      fired: raw !== undefined,
      ...(rule.map &&
        mapped &&
        raw !== undefined && { options: [{ path: `mappings.${rule.map}` }] }),
    });
  if (raw === undefined) return fixedValues(rule).absent;
  if (raw === null) return fixedValues(rule).null;
  const field = alternative ?? hl7Field;
  const table = mapped ? rule.map : undefined;
  const mapping = table !== undefined;
  if (!Array.isArray(raw)) {
    // One value (most fields): no lists of texts and values built for it.
    const text = typeof raw === "string" ? raw : String(raw);
    let value: unknown = raw;
    if (mapping) {
      const result = mapCode(ctx, table as NonNullable<typeof table>, text, field, rule);
      if (!result.ok) return fixedValues(rule).invalid;
      value = result.value;
    }
    const converted = convertValue(rule.type, value, ctx.timeZone);
    if (!converted.ok) return invalidValue(ctx, rule, converted.reason, field, text);
    return valueField(converted.value, field, mapping ? text : undefined);
  }
  const texts = raw.map(String);
  let values: unknown[] = [...raw];
  if (mapping) {
    values = [];
    for (const text of texts) {
      const result = mapCode(ctx, table as NonNullable<typeof table>, text, field, rule);
      if (!result.ok) return fixedValues(rule).invalid;
      values.push(result.value);
    }
  }
  const converted = convertValue(rule.type, values, ctx.timeZone);
  if (!converted.ok) return invalidValue(ctx, rule, converted.reason, field, texts.join("~"));
  return valueField(converted.value, field, mapping ? texts.join("~") : undefined);
}

export async function evaluate(
  ctx: MessageContext,
  expression: CompiledExpression,
  read: ReadContext,
  rule: { readonly name: string; readonly at: string },
  variables?: Readonly<Record<string, unknown>>,
  input: unknown = ctx.expressionInput,
): Promise<unknown> {
  return resultValue(
    ctx,
    rule,
    await expression.evaluate(input, environment(ctx, read, variables)),
  );
}

/** `evaluateNow`'s answer when the expression needs JSONata: await `evaluate` instead. */
export const LATER: unique symbol = Symbol("evaluate with JSONata");

/**
 * `evaluate`, synchronously, when the expression can be evaluated without
 * JSONata's asynchronous evaluator (a field reference, a form sync.ts
 * compiles); else LATER. The result and any error are `evaluate`'s.
 */
export function evaluateNow(
  ctx: MessageContext,
  expression: CompiledExpression,
  read: ReadContext,
  rule: { readonly name: string; readonly at: string },
  variables?: Readonly<Record<string, unknown>>,
  input: unknown = ctx.expressionInput,
): unknown {
  const result = expression.evaluateNow(input, environment(ctx, read, variables));
  return result === undefined ? LATER : resultValue(ctx, rule, result);
}

function environment(
  ctx: MessageContext,
  read: ReadContext,
  variables: Readonly<Record<string, unknown>> | undefined,
): ExpressionEnvironment {
  return {
    read,
    now: ctx.now,
    mapCode: (table, code) => mapCodeForExpression(ctx, table, code),
    ...(variables && { variables }),
  };
}

function resultValue(
  ctx: MessageContext,
  rule: { readonly name: string; readonly at: string },
  result: ExpressionResult,
): unknown {
  if (result.ok) return result.value;
  ctx.found.errors.push({
    code: result.error.code,
    severity: "error",
    message: `rule ${rule.name} at ${rule.at}: ${result.error.message}`,
  });
  return undefined;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  const last = path.length - 1;
  for (let i = 0; i < last; i++) {
    const key = path[i] as string;
    const next = node[key];
    if (next === null || typeof next !== "object") node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[last] as string] = value;
}

/**
 * A record as a create writes it: on a create an HL7 null counts as absent
 * (there is nothing to clear), so null keys and maps left empty are dropped.
 */
export function withoutNulls<T extends object>(record: T): T {
  const out: Record<string, unknown> = {};
  const source = record as Record<string, unknown>;
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue;
    const value = source[key];
    if (value === null || value === undefined) continue;
    if (typeof value === "object" && !Array.isArray(value)) {
      const inner = withoutNulls(value);
      if (!isEmpty(inner)) out[key] = inner;
    } else {
      out[key] = value;
    }
  }
  return out as T;
}

function isEmpty(value: object): boolean {
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}
