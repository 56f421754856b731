import { type RecordKind, recordOf } from "../../model/canonical-fields.js";
import type { CompiledRequiredRule } from "../compiled.js";
import type { CompileContext } from "../context.js";

/**
 * `required` (docs/pack-language.md §9, Tables 10, 11, 14, 16): a field or
 * a reference that must have a value when a record is created or updated.
 */

const LABELS: Readonly<Record<string, string>> = {
  dob: "date of birth",
  ssn: "social security number",
};

/** What a problem calls a field: `patient.lastName` -> `last name`. */
export function labelOf(field: string): string {
  const last = field.slice(field.lastIndexOf(".") + 1);
  return LABELS[last] ?? last.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

export function compileRequired(ctx: CompileContext): CompiledRequiredRule[] {
  return (ctx.raw.required ?? []).map((rule, i) => {
    const path = ["required", i];
    const record = rule.field ? recordOf(rule.field) : (rule.record as RecordKind);
    if (rule.field && rule.record && rule.record !== record) {
      ctx.fail(
        [...path, "record"],
        "OPTION_DEPENDENCY",
        `${rule.field} belongs to ${record}, not ${rule.record}`,
      );
    }
    const ref =
      rule.ref === undefined ? undefined : ctx.reference([...path, "ref"], rule.ref, record);
    const when =
      rule.when === undefined
        ? undefined
        : ctx.expression([...path, "when"], rule.when, record, "condition");
    const on =
      rule.on === undefined ? ["create" as const] : Array.isArray(rule.on) ? rule.on : [rule.on];
    return {
      name: rule.name,
      record,
      ...(rule.field && { field: rule.field }),
      ...(ref && { ref }),
      on,
      ...(when && { when }),
      severity: rule.severity ?? "error",
      label: rule.label ?? labelOf(rule.field ?? rule.ref ?? rule.name),
      at: ctx.at(path),
    };
  });
}
