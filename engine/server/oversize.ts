import { controlId, leafValue, messageTypeName } from "../hl7/access.js";
import { parseHl7 } from "../hl7/parse.js";
import type { Outcome } from "../model/outcome.js";
import type { Store } from "../store/types.js";
import { ackMessage } from "./acks.js";

/**
 * A frame larger than the listener accepts is not processed, but it is not
 * lost either: its first bytes (its MSH, OVERSIZE_HEAD_BYTES at most) are
 * stored as a message in ERROR with FRAME_TOO_LARGE, and the AR names its
 * MSH-10 so the sender can tell which message was refused.
 */
export async function recordOversize(
  store: Store,
  frame: { readonly bytes: number; readonly head: Uint8Array },
  sender: string,
  maxFrameBytes: number,
  now: Date,
): Promise<{ readonly ack: string; readonly outcome?: Outcome }> {
  const message = parseHl7(frame.head).messages[0];
  const msh = message?.segments[0];
  const error = {
    code: "FRAME_TOO_LARGE" as const,
    severity: "error" as const,
    message: `the frame is ${frame.bytes} bytes, more than the listener accepts (${maxFrameBytes}); its first ${frame.head.length} bytes are kept in the queue`,
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
        raw: frame.head,
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
