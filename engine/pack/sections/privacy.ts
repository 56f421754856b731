import type { CompileContext } from "../context.js";
import { PACK_DEFAULTS } from "../defaults.js";

/** `privacy`: Table 13 - Patient privacy processing option. */
export function compilePrivacy(ctx: Pick<CompileContext, "raw">): { readonly autoCheck: boolean } {
  return { autoCheck: ctx.raw.privacy?.autoCheck ?? PACK_DEFAULTS.privacy.autoCheck };
}
