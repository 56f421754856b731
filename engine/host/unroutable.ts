import { controlId, leafValue, messageTypeName } from "../hl7/access.js";
import type { Outcome, OutcomeError } from "../model/outcome.js";
import { ackMessage } from "../server/acks.js";
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
  const message = refused.header;
  const msh = message?.segments[0];
  const error: OutcomeError = {
    code: "UNROUTABLE",
    severity: "error",
    field: "MSH-5",
    value: refused.addressed,
    message: refused.message,
  };
  const ack = ackMessage(message, "AR", [{ ...error, severity: "E" }], now);
  const header = {
    controlId: message ? controlId(message) : "",
    messageType: message ? messageTypeName(message) : "",
  };
  try {
    let outcome: Outcome | undefined;
    await store.record(
      {
        ...header,
        raw: bytes,
        receivedAt: now.toISOString(),
        sender,
        direction: "inbound",
        sendingApplication: leafValue(msh, 3) ?? "",
        sendingFacility: leafValue(msh, 4) ?? "",
      },
      (messageId) => {
        outcome = {
          messageId,
          ...header,
          state: "ERROR",
          actions: [],
          errors: [error],
          review: [],
          trace: [],
        };
        return outcome;
      },
      { kind: "receive", now: now.toISOString(), ack },
    );
    return { ack, ...(outcome && { outcome }) };
  } catch {
    return { ack };
  }
}
