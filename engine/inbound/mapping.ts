import type { MappingElement } from "../model/canonical-fields.js";
import { lookupRow } from "../pack/mapping-tables.js";
import { type MessageContext, tracing } from "./context.js";
import { isStandardCode, STANDARD_LISTS } from "./standard-codes.js";

/**
 * The map step (Table 19 - Custom mapping): a foreign code becomes the
 * practice system's code. With mapping required, a code without a row is
 * UNMAPPED_CODE (UNMAPPED_INSURANCE for the insurance plan); without, the
 * code is taken as the practice's own and checked: standard code lists for
 * sex, race, ethnicity and language, master data for providers,
 * departments, appointment types and insurance packages.
 */
export type MapResult = { readonly ok: true; readonly value: string } | { readonly ok: false };

const MASTER_CHECKS: Partial<
  Record<MappingElement, (ctx: MessageContext, code: string) => string | undefined>
> = {
  provider: (ctx, code) => {
    const providers = ctx.view.masterData.providers;
    if (providers.length === 0) return code;
    const accept = ctx.pack.mappings.provider?.accept ?? ["practiceId", "npi"];
    const hit = providers.find(
      (p) =>
        (accept.includes("practiceId") && p.id === code) ||
        (accept.includes("npi") && p.npi === code),
    );
    return hit?.id;
  },
  department: (ctx, code) => {
    const departments = ctx.view.masterData.departments;
    if (departments.length === 0) return code;
    return departments.some((d) => d.id === code) ? code : undefined;
  },
  // Table 14's type is a row of the practice's appointment type table (docs/decisions/0004).
  appointmentType: (ctx, code) => {
    const types = ctx.view.masterData.appointmentTypes;
    if (types.length === 0) return code;
    return types.some((t) => t.id === code) ? code : undefined;
  },
  insurancePlan: (ctx, code) => {
    const packages = ctx.view.masterData.insurancePackages;
    if (packages.length === 0) return code;
    return packages.some((p) => p.id === code) ? code : undefined;
  },
};

const UNKNOWN_CODES: Partial<
  Record<MappingElement, "UNKNOWN_PROVIDER" | "UNKNOWN_DEPARTMENT" | "UNMAPPED_INSURANCE">
> = {
  provider: "UNKNOWN_PROVIDER",
  department: "UNKNOWN_DEPARTMENT",
  insurancePlan: "UNMAPPED_INSURANCE",
};

export function mapCode(
  ctx: MessageContext,
  element: MappingElement,
  foreign: string,
  field: string | undefined,
  rule?: { readonly name: string; readonly at: string },
): MapResult {
  const mapping = ctx.pack.mappings[element];
  const table = mapping?.table ?? element;
  let value = foreign;
  if (mapping?.mappingRequired) {
    const row = mapping.rows ? lookupRow(mapping.rows, foreign) : undefined;
    if (!row) {
      const code = element === "insurancePlan" ? "UNMAPPED_INSURANCE" : "UNMAPPED_CODE";
      ctx.found.errors.push({
        code,
        severity: "error",
        message: `'${foreign}' has no row in mapping table ${table}${field ? ` (${field})` : ""}; add one and reprocess`,
        ...(field && { field }),
        table,
        value: foreign,
      });
      return { ok: false };
    }
    if (tracing(ctx))
      ctx.found.trace.push({
        step: "map",
        ...(rule && { rule: rule.name }),
        at: row.at,
        table,
        row: `${row.foreign} -> ${row.practice}`,
        options: [{ path: `mappings.${element}.mappingRequired`, value: true }],
      });
    value = row.practice;
  } else {
    const list = STANDARD_LISTS[element];
    if (list && !isStandardCode(list, foreign)) {
      ctx.found.errors.push({
        code: "INVALID_VALUE",
        severity: "error",
        message: `'${foreign}' is not a standard ${element} code and mapping for ${element} is not required; send a standard code or turn on mappings.${element}.mappingRequired`,
        ...(field && { field }),
        table,
        value: foreign,
      });
      return { ok: false };
    }
  }
  const check = MASTER_CHECKS[element];
  if (check) {
    const known = check(ctx, value);
    if (known === undefined) {
      ctx.found.errors.push({
        code: UNKNOWN_CODES[element] ?? "INVALID_VALUE",
        severity: "error",
        message: `${element} '${value}' is not in the practice's master data`,
        ...(field && { field }),
        table,
        value,
      });
      return { ok: false };
    }
    value = known;
  }
  return { ok: true, value };
}

/** `$mapCode(table, code)` for expressions: a row's practice code, never an error. */
export function mapCodeForExpression(
  ctx: MessageContext,
  table: string,
  code: string,
): string | undefined {
  const rows = ctx.pack.tables.get(table);
  return rows ? lookupRow(rows, code)?.practice : undefined;
}
