import type { CompileContext } from "../context.js";
import {
  type Enablement,
  INBOUND_DEFAULTS,
  INBOUND_EVENTS,
  type InboundEvent,
  OUTBOUND_DEFAULTS,
  type OutboundEvent,
} from "../enablement.js";

/**
 * `enabled` (Table 4 - Interface Enablement), normalized: each event maps to
 * the message types it is enabled for. An event the pack does not mention
 * is disabled: enablement is opt-in, and base.yaml opts in.
 */
export function compileEnabled(ctx: Pick<CompileContext, "raw">): Enablement {
  const raw = ctx.raw.enabled;
  const inbound = {} as Record<InboundEvent, readonly string[]>;
  for (const event of INBOUND_EVENTS) {
    const v = raw?.inbound?.[event];
    inbound[event] =
      v === true
        ? INBOUND_DEFAULTS[event]
        : typeof v === "string"
          ? [v]
          : Array.isArray(v)
            ? v
            : [];
  }
  const outbound = {} as Record<OutboundEvent, string | null>;
  for (const event of INBOUND_EVENTS) {
    if (event === "charge") continue;
    const v = raw?.outbound?.[event];
    outbound[event] = v === true ? OUTBOUND_DEFAULTS[event] : typeof v === "string" ? v : null;
  }
  return { inbound, outbound };
}
