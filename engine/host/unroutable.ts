import type { Outcome } from "../model/outcome.js";
import { recordRefusedFrame } from "../server/refused-frame.js";
import type { Store } from "../store/types.js";
import type { RouteResult } from "./route.js";

/**
 * A frame on the shared port that no practice receives is not processed
 * (no practice's pack applies to it) and not lost: it is stored whole, in
 * ERROR with UNROUTABLE (field MSH-5), in the host's `_unrouted` store,
 * and answered AR naming what it addressed. `rulepack queue list --db`
 * on that store lists them; once the host file routes it, the sender
 * resends (the AR asked for it).
 */
export async function recordUnroutable(
  store: Store,
  bytes: Uint8Array,
  refused: Extract<RouteResult, { ok: false }>,
  sender: string,
  now: Date,
): Promise<{ readonly ack: string; readonly outcome?: Outcome }> {
  return recordRefusedFrame(
    store,
    bytes,
    refused.header,
    {
      code: "UNROUTABLE",
      severity: "error",
      field: "MSH-5",
      value: refused.addressed,
      message: refused.message,
    },
    sender,
    now,
  );
}
