import { type AckCode, ackWanted } from "../hl7/ack.js";
import { parseHl7 } from "../hl7/parse.js";
import { unparseableOutcome } from "../inbound/process.js";
import type { Outcome } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import { headerOf } from "../queue/header.js";
import {
  completeSafely,
  duplicateOutcome,
  findOriginal,
  type IntakeOptions,
  messageBytes,
  receiveOutsideLines,
  refuseOverLimit,
} from "../queue/intake.js";
import type { Store } from "../store/types.js";
import { ackErrors, ackMessage, ackMode, applicationCode, STORE_FAILED } from "./acks.js";
import type { CompletionWaiter } from "./completion-waiter.js";
import {
  acceptedOnStore,
  type FrameOptions,
  type FrameResult,
  messagesByControlId,
  type Reply,
  replies,
  reply,
  storedAck,
} from "./frame.js";

/**
 * One MLLP frame when workers decide (`serve --workers`, decision 0023):
 * the listener stores each message NEW (one commit each) and leaves the
 * deciding to the workers, which claim it from the store (claim-loop.ts).
 * The frame's ACKs are the ones `processFrame` sends (frame.ts), built from
 * what the workers recorded: original mode once every message of the frame
 * is final; enhanced mode's CA at the NEW commit, the application ACK after.
 *
 * Decided here without a worker, as the single lane does: input that holds
 * no message, messages past the frame's limit, and a resend whose original
 * is final (answered with the original's ACK). A resend whose original is
 * still NEW is stored NEW as its duplicate, in the original's lane, so a
 * worker completes it after the original, with the original's ACK.
 */
export interface DeferredFrame {
  /** The frame's replies and outcomes, once the workers finished its messages. */
  readonly later: Promise<FrameResult>;
}

export interface WorkerFrameOptions extends FrameOptions {
  readonly waiter: CompletionWaiter;
  /** Stored: workers, look now. */
  readonly wake: () => void;
}

/** How the listener handles a frame: `processFrame`, or `storeFrameForWorkers` bound to its workers. */
export type FrameProcessor = (
  pack: CompiledPack,
  store: Store,
  bytes: Uint8Array,
  sender: string,
  now: Date,
  sendNow: ((reply: Reply) => void) | undefined,
  options: FrameOptions,
) => Promise<FrameResult | DeferredFrame>;

export async function storeFrameForWorkers(
  pack: CompiledPack,
  store: Store,
  bytes: Uint8Array,
  sender: string,
  now: Date,
  sendNow: ((reply: Reply) => void) | undefined,
  options: WorkerFrameOptions,
): Promise<DeferredFrame> {
  const doc = parseHl7(bytes);
  const first = doc.messages[0];
  const mode = ackMode(pack.acks, first);
  const receivedAt = now.toISOString();
  const messageOf = messagesByControlId(doc);
  const ackFor = (o: Outcome) => storedAck(pack, store, messageOf(o), o, now);
  const intake: IntakeOptions = {
    now,
    sender,
    ...(options.maxMessages !== undefined && { maxMessages: options.maxMessages }),
  };
  /** The frame's outcomes in order: decided here, or the message ID a worker decides. */
  const slots: (Outcome | string)[] = [];
  let committed = false;
  try {
    const outside = doc.issues.filter((i) => i.messageIndex < 0 && i.severity === "error");
    if (outside.length > 0) {
      const messageId = await receiveOutsideLines(store, doc, bytes, receivedAt, sender);
      const outcome = unparseableOutcome(messageId, outside);
      slots.push(
        await completeSafely(store, outcome, async (o) => ({
          kind: "receive",
          now: receivedAt,
          ack: await ackFor(o),
        })),
      );
    }
    for (const [i, message] of doc.messages.entries()) {
      if (options.turn && i > 0 && i % options.turn.messages === 0) await options.turn.pause();
      if (options.maxMessages !== undefined && i >= options.maxMessages) {
        slots.push(await refuseOverLimit(store, message, doc.messages.length, intake, receivedAt));
        continue;
      }
      const header = headerOf(message, true);
      const received = {
        ...header,
        raw: messageBytes(doc, bytes, message),
        receivedAt,
        sender,
        direction: "inbound" as const,
      };
      const original = await findOriginal(pack, store, header, receivedAt);
      if (original && original.state !== "NEW") {
        const messageId = await store.receive({ ...received, duplicateOf: original.messageId });
        const outcome = duplicateOutcome(messageId, original);
        slots.push(
          await completeSafely(store, outcome, async (o) => ({
            kind: "duplicate",
            now: receivedAt,
            ack: original.ack ?? (await ackFor(o)),
          })),
        );
        continue;
      }
      const messageId = await store.receive({
        ...received,
        ...(original && { duplicateOf: original.messageId }),
      });
      slots.push(messageId);
      if (!original && sendNow && mode.enhanced && acceptedOnStore(pack, doc, message)) {
        committed = true;
        if (ackWanted(mode.commit, "CA")) sendNow(reply(ackMessage(first, "CA", [], now), "CA"));
      }
    }
  } catch {
    const code: AckCode = mode.enhanced ? "CE" : "AR";
    const failed = reply(ackMessage(first, code, [STORE_FAILED], now), code);
    const wanted = !mode.enhanced || ackWanted(mode.commit, code);
    return { later: Promise.resolve({ replies: wanted ? [failed] : [], outcomes: [] }) };
  }
  const waiting = slots.filter((s): s is string => typeof s === "string");
  if (waiting.length > 0) options.wake();
  const later = (async (): Promise<FrameResult> => {
    const finished = new Map(
      (await options.waiter.wait(waiting)).map((m) => [m.messageId, m] as const),
    );
    const acks = new Map<string, string>();
    const outcomes: Outcome[] = [];
    for (const slot of slots) {
      if (typeof slot !== "string") {
        outcomes.push(slot);
        continue;
      }
      const stored = finished.get(slot);
      if (stored?.outcome === undefined) throw new Error(`${slot} finished without an outcome`);
      outcomes.push(stored.outcome);
      if (stored.ack !== undefined) acks.set(slot, stored.ack);
    }
    for (const o of outcomes) if (!acks.has(o.messageId)) acks.set(o.messageId, await ackFor(o));
    const appAck = () =>
      ackMessage(first, applicationCode(outcomes, pack.acks), ackErrors(outcomes), now);
    return {
      replies: replies(
        mode,
        first,
        outcomes,
        (o) => acks.get(o.messageId) ?? "",
        appAck,
        now,
        committed,
      ),
      outcomes,
    };
  })();
  return { later };
}
