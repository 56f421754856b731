import type { MessageContext } from "../context.js";

/**
 * Is the procedure code one the practice bills? Checked against the
 * practice's procedure list when master data has one; otherwise only its
 * form is checked (master-data.schema.json "procedures"). Either failure is
 * UNKNOWN_PROCEDURE, a billing error (CBOERROR on a charge).
 *
 * The form: a CPT code (five digits; Category II `dddd F`, Category III
 * `dddd T`, PLA `dddd U`, MAAA `dddd M`) or a HCPCS Level II code (a letter
 * and four digits).
 */
const PROCEDURE_FORM = /^(?:\d{4}[0-9FMTU]|[A-Z]\d{4})$/;

export function checkUnknownProcedure(ctx: MessageContext, code: string, field: string): boolean {
  const listed = ctx.view.masterData.procedures;
  const known = listed.length > 0 ? listed.some((p) => p.code === code) : PROCEDURE_FORM.test(code);
  if (known) return true;
  ctx.found.errors.push({
    code: "UNKNOWN_PROCEDURE",
    severity: "error",
    message:
      listed.length > 0
        ? `procedure '${code}' (${field}) is not in the practice's procedure list (master data)`
        : `procedure '${code}' (${field}) is not a CPT or HCPCS code (five digits, four digits and F/M/T/U, or a letter and four digits)`,
    field,
    value: code,
  });
  return false;
}
