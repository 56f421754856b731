import type { ExpressionBudget } from "../../expressions/runtime.js";
import { PACK_DEFAULTS } from "../defaults.js";
import type { RawPack } from "../raw.js";

/**
 * `limits.expressions` over the defaults. Compiled first: every expression
 * of the pack (inbound, outbound, conditions) is compiled under it. Every
 * budget field the pack sets is passed to compileExpression as it is, so a
 * limit the expression runtime gains applies with no change here.
 */
export interface CompiledLimits {
  readonly budget: ExpressionBudget;
  /** The longest expression text a pack may write. */
  readonly maxLength: number;
}

export function compileLimits(raw: Pick<RawPack, "limits">): CompiledLimits {
  const { maxLength, ...set } = raw.limits?.expressions ?? {};
  const { maxLength: defaultLength, ...defaults } = PACK_DEFAULTS.limits.expressions;
  const given = Object.fromEntries(Object.entries(set).filter(([, v]) => v !== undefined));
  return {
    maxLength: maxLength ?? defaultLength,
    budget: { ...defaults, ...given } as ExpressionBudget,
  };
}
