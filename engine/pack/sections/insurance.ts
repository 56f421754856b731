import type { InsuranceOptions } from "../compiled.js";
import type { CompileContext } from "../context.js";
import { PACK_DEFAULTS } from "../defaults.js";

/** `insurance`: Table 12 - Insurance processing options – patients, and IN1.17's direction. */
export function compileInsurance(ctx: CompileContext): InsuranceOptions {
  const raw = ctx.raw.insurance;
  const defaults = PACK_DEFAULTS.insurance;
  return {
    receive: raw?.receive ?? defaults.receive,
    mode: raw?.mode ?? defaults.mode,
    casePolicies: raw?.casePolicies ?? defaults.casePolicies,
    relationshipDirection: raw?.relationshipDirection ?? defaults.relationshipDirection,
    at: ctx.at(["insurance"]),
  };
}
