import type { RecordKind } from "../model/canonical-fields.js";
import type { CompiledRequiredRule } from "../pack/compiled.js";
import type { ReadContext } from "../paths/types.js";
import { type MessageContext, tracing } from "./context.js";
import { type ExtractedRecord, evaluate, evaluateNow, LATER } from "./extract.js";

/**
 * The require step (Tables 10, 11, 14, 16): after matching, for what is about
 * to happen — a create or an update — every applicable rule's field must
 * have a value. A null (clear) counts as missing.
 */
export type Operation = "create" | "update";

const VERB: Readonly<Record<Operation, string>> = { create: "create", update: "update" };

export async function checkRequired(
  ctx: MessageContext,
  record: ExtractedRecord,
  operation: Operation,
  read: ReadContext,
  event: string,
  only: (rule: CompiledRequiredRule) => boolean = () => true,
): Promise<boolean> {
  let satisfied = true;
  const rules = ctx.pack.required;
  // What a `when:` sees, the same for every rule of this check: made once, when first needed.
  let input: object | undefined;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] as CompiledRequiredRule;
    if (rule.record !== record.kind || !rule.on.includes(operation) || !only(rule)) continue;
    if (rule.when) {
      input ??= { ...(ctx.expressionInput as object), event, record: record.record };
      const now = evaluateNow(ctx, rule.when, read, rule, undefined, input);
      const applies =
        now === LATER ? await evaluate(ctx, rule.when, read, rule, undefined, input) : now;
      if (applies !== true) continue;
    }
    const { present, field } = presence(rule, record, read);
    if (tracing(ctx))
      ctx.found.trace.push({
        step: "require",
        rule: rule.name,
        at: rule.at,
        detail: present ? "satisfied" : "violated",
      });
    if (present) continue;
    if (rule.severity === "error") satisfied = false;
    ctx.found.errors.push({
      code: rule.severity === "error" ? "REQUIRED_FIELD_MISSING" : "RECOMMENDED_FIELD_MISSING",
      severity: rule.severity,
      message: `${rule.label}${field ? ` (${field})` : ""} is ${rule.severity === "error" ? "required" : "recommended"} to ${VERB[operation]} ${article(record.kind)}`,
      ...(field && { field }),
    });
  }
  return satisfied;
}

function presence(
  rule: CompiledRequiredRule,
  record: ExtractedRecord,
  read: ReadContext,
): { present: boolean; field?: string } {
  if (rule.ref) {
    const result = rule.ref.read(read);
    return { present: result.kind === "value", field: rule.ref.source };
  }
  const value = rule.field ? record.fields.get(rule.field) : undefined;
  const field = value?.hl7Field;
  // A value that was sent but failed (unmapped, invalid) is reported once, by its own error.
  const present = value?.kind === "value" || value?.kind === "invalid";
  return { present, ...(field && { field }) };
}

function article(kind: RecordKind): string {
  const noun: Record<RecordKind, string> = {
    patient: "a patient",
    policy: "an insurance policy",
    appointment: "an appointment",
    claim: "a claim",
    charge: "a charge",
  };
  return noun[kind];
}
