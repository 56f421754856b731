import { parseHl7 } from "../hl7/parse.js";
import type { Outcome } from "../model/outcome.js";
import type { Store } from "../store/types.js";
import { recordRefusedFrame } from "./refused-frame.js";

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
  return recordRefusedFrame(
    store,
    frame.head,
    parseHl7(frame.head).messages[0],
    {
      code: "FRAME_TOO_LARGE",
      severity: "error",
      message: `the frame is ${frame.bytes} bytes, more than the listener accepts (${maxFrameBytes}); its first ${frame.head.length} bytes are kept in the queue`,
    },
    sender,
    now,
  );
}
