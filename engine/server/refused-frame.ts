import { controlId, leafValue, messageTypeName } from "../hl7/access.js";
import type { Hl7Message } from "../hl7/tree.js";
import type { Outcome, OutcomeError } from "../model/outcome.js";
import type { Store } from "../store/types.js";
import { ackMessage } from "./acks.js";

/**
 * A frame the listener refuses before any pack decides it (too large,
 * addressed to no practice) is still kept: `raw` is stored as an inbound
 * message in ERROR with `error`, and the sender is answered AR naming it
 * (and MSH-10, when `message` — the frame's parsed header — has one).
 * When the store cannot record it, the AR is still returned, without an
 * outcome.
 */
export async function recordRefusedFrame(
  store: Store,
  raw: Uint8Array,
  message: Hl7Message | undefined,
  error: OutcomeError,
  sender: string,
  now: Date,
): Promise<{ readonly ack: string; readonly outcome?: Outcome }> {
  const msh = message?.segments[0];
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
        raw,
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
