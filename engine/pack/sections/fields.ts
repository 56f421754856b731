import { CANONICAL_FIELDS, recordOf } from "../../model/canonical-fields.js";
import type { CompiledFieldRule } from "../compiled.js";
import { type CompileContext, columnOf } from "../context.js";

/**
 * `fields` (docs/pack-language.md §8): where each canonical record field
 * comes from in an inbound message. Every reference reads a segment its
 * record's messages carry, every expression compiles, and one field has at
 * most one rule without `when:`.
 */

/** Claim fields whose appointment-derived value is chosen by `charges.derivation`, not by a chain. */
const DERIVATION_OWNED = new Set([
  "claim.serviceDate",
  "claim.renderingProviderId",
  "claim.supervisingProviderId",
  "claim.departmentId",
]);

export function compileFields(ctx: CompileContext): CompiledFieldRule[] {
  const raw = ctx.raw.fields ?? [];
  const fields: CompiledFieldRule[] = [];
  raw.forEach((rule, i) => {
    const path = ["fields", i];
    const record = recordOf(rule.field);
    const type = CANONICAL_FIELDS[rule.field];
    if (!type) return; // the schema's enum already reported it
    const from =
      rule.from === undefined ? undefined : ctx.reference([...path, "from"], rule.from, record);
    if (from && DERIVATION_OWNED.has(rule.field) && from.derived.length > 0) {
      const derived = from.derived[0] as string;
      ctx.fail(
        [...path, "from"],
        "OPTION_DEPENDENCY",
        `${rule.field} names its message sources only (not ${derived}); whether the appointment's value wins is charges.derivation (Table 18 - Data derived from the matching appointment)`,
        columnOf(from.source, derived.startsWith("supervisorOf") ? "supervisorOf" : derived),
      );
    }
    const expr =
      rule.expr === undefined ? undefined : ctx.expression([...path, "expr"], rule.expr, record);
    const when =
      rule.when === undefined
        ? undefined
        : ctx.expression([...path, "when"], rule.when, record, "condition");
    fields.push({
      name: rule.name,
      field: rule.field,
      record,
      type,
      ...(from && { from }),
      ...(expr && { expr }),
      ...(when && { when }),
      ...(rule.map && { map: rule.map }),
      ...(rule.default !== undefined && { default: rule.default }),
      at: ctx.at(path),
    });
  });
  checkUnconditionalDuplicates(ctx, fields);
  return fields;
}

/** Two rules without `when:` for one field leave no way to choose between them. */
function checkUnconditionalDuplicates(ctx: CompileContext, fields: readonly CompiledFieldRule[]) {
  const first = new Map<string, { name: string; index: number }>();
  (ctx.raw.fields ?? []).forEach((rule, i) => {
    if (rule.when !== undefined || !fields.some((f) => f.name === rule.name)) return;
    const seen = first.get(rule.field);
    if (seen === undefined) first.set(rule.field, { name: rule.name, index: i });
    else {
      ctx.fail(
        ["fields", i],
        "DUPLICATE_RULE",
        `${rule.field} has two rules without when: '${seen.name}' (${ctx.at(["fields", seen.index])}) and '${rule.name}'; give one a when: condition, or remove one`,
      );
    }
  });
}
