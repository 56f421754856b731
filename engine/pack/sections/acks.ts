import type { CompileContext } from "../context.js";
import { PACK_DEFAULTS } from "../defaults.js";
import type { AckOptions } from "../queue-options.js";

/** `acks` (docs/ack-codes.md): the MSA-1 of a held message, and the senders answered in enhanced mode. */
export function compileAcks(ctx: Pick<CompileContext, "raw">): AckOptions {
  const raw = ctx.raw.acks;
  return {
    held: raw?.held ?? PACK_DEFAULTS.acks.held,
    enhanced: raw?.enhanced ?? PACK_DEFAULTS.acks.enhanced,
  };
}
