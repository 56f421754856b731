import { controlId } from "../hl7/access.js";
import { type AckCode, ackWanted } from "../hl7/ack.js";
import { parseHl7 } from "../hl7/parse.js";
import type { Hl7Document, Hl7Message } from "../hl7/tree.js";
import type { Outcome } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import { headerErrors } from "../queue/header.js";
import { type IntakeOptions, receiveBytes } from "../queue/intake.js";
import type { Store } from "../store/types.js";
import {
  type AckMode,
  ackCodeOf,
  ackErrors,
  ackMessage,
  ackMode,
  applicationCode,
  isDuplicate,
  isRejected,
  STORE_FAILED,
} from "./acks.js";

/**
 * One MLLP frame through the queue (receiveBytes: stored as NEW, processed,
 * completed with its ACK in one transaction) and the ACKs that answer it.
 *
 * Original mode: one ACK — AA once stored and processed (`acks.held` for a
 * message held in the queue), AR when it cannot be parsed or its MSH-11/12
 * are refused, AR with 207 when the store failed (the sender resends).
 * Enhanced mode (senders in `acks.enhanced`): a commit ACK (CA, CR, CE) when
 * MSH-15 asks for it — CA as soon as the NEW row is committed when the
 * caller can write at once (`sendNow`) — then the application ACK when
 * MSH-16 asks for it.
 * A transport duplicate is answered with the original's stored ACK.
 */

export interface Reply {
  readonly code: AckCode;
  readonly ack: string;
}

export interface FrameResult {
  /** The ACKs to write, in order: none, one, or a commit ACK then an application ACK. */
  readonly replies: readonly Reply[];
  /** Empty when the store failed. */
  readonly outcomes: readonly Outcome[];
}

/** The message of the frame an outcome is about (a batch holds several; unreadable bytes none). */
/** The message of the frame an outcome is about, by control ID (the first for none); looked up once per frame. */
export function messagesByControlId(
  doc: Hl7Document,
): (outcome: Outcome) => Hl7Message | undefined {
  if (doc.messages.length <= 1) return () => doc.messages[0];
  const byControlId = new Map<string, Hl7Message>();
  for (const m of doc.messages)
    if (!byControlId.has(controlId(m))) byControlId.set(controlId(m), m);
  return (outcome) => byControlId.get(outcome.controlId) ?? doc.messages[0];
}

/**
 * The ACK stored with a message's completion: a duplicate's is its
 * original's; in enhanced mode a refused message's is the CR; otherwise
 * the application ACK.
 */
export async function storedAck(
  pack: CompiledPack,
  store: Store,
  message: Hl7Message | undefined,
  outcome: Outcome,
  now: Date,
): Promise<string> {
  if (isDuplicate(outcome)) {
    const originalId = (await store.message(outcome.messageId))?.duplicateOf;
    const original = originalId !== undefined ? await store.message(originalId) : undefined;
    if (original?.ack !== undefined) return original.ack;
    const decided = original?.outcome ?? outcome;
    return ackMessage(message, applicationCode([decided], pack.acks), ackErrors([decided]), now);
  }
  const code: AckCode =
    ackMode(pack.acks, message).enhanced && isRejected([outcome])
      ? "CR"
      : applicationCode([outcome], pack.acks);
  return ackMessage(message, code, ackErrors([outcome]), now);
}

export function reply(ack: string, fallback: AckCode): Reply {
  return { code: ackCodeOf(ack) ?? fallback, ack };
}

/** The replies once the frame's messages are stored and processed (less a commit ACK already sent). */
export function replies(
  mode: AckMode,
  first: Hl7Message | undefined,
  outcomes: readonly Outcome[],
  ackOf: (outcome: Outcome) => string,
  appAck: () => string,
  now: Date,
  committed: boolean,
): Reply[] {
  const single = outcomes.length === 1 ? (outcomes[0] as Outcome) : undefined;
  const application = reply(single ? ackOf(single) : appAck(), "AA");
  if (!mode.enhanced) return [application];
  const rejected = isRejected(outcomes) || application.code === "CR";
  const commit: Reply = rejected ? application : reply(ackMessage(first, "CA", [], now), "CA");
  return [
    ...(!committed && ackWanted(mode.commit, commit.code) ? [commit] : []),
    ...(!rejected && ackWanted(mode.application, application.code) ? [application] : []),
  ];
}

/**
 * Whether the commit ACK can go out as soon as the NEW row is committed: a
 * single well-formed message whose header the pack accepts (else it is CR,
 * known only with the outcome).
 */
export function acceptedOnStore(
  pack: CompiledPack,
  doc: Hl7Document,
  message: Hl7Message,
): boolean {
  return (
    doc.messages.length === 1 &&
    !doc.issues.some((i) => i.severity === "error") &&
    headerErrors(message, pack.queue.accept).length === 0
  );
}

export interface FrameOptions {
  /** Let other connections' frames go every `messages` messages (the listener's lane). */
  readonly turn?: IntakeOptions["turn"];
  /** Messages past this many are stored in ERROR, not processed, and the frame answered AR. */
  readonly maxMessages?: number;
}

export async function processFrame(
  pack: CompiledPack,
  store: Store,
  bytes: Uint8Array,
  sender: string,
  now: Date,
  /** Writes a reply at once; given, an enhanced-mode CA goes out on commit, before processing. */
  sendNow?: (reply: Reply) => void,
  options: FrameOptions = {},
): Promise<FrameResult> {
  const doc = parseHl7(bytes);
  const first = doc.messages[0];
  const mode = ackMode(pack.acks, first);
  const stored = new Map<string, string>();
  const messageOf = messagesByControlId(doc);
  const ackOf = async (outcome: Outcome): Promise<string> => {
    const known = stored.get(outcome.messageId);
    if (known !== undefined) return known;
    const ack = await storedAck(pack, store, messageOf(outcome), outcome, now);
    stored.set(outcome.messageId, ack);
    return ack;
  };
  let committed = false;
  const onStored = (_messageId: string, message: Hl7Message): void => {
    if (!sendNow || !mode.enhanced || !acceptedOnStore(pack, doc, message)) return;
    committed = true;
    if (ackWanted(mode.commit, "CA")) sendNow(reply(ackMessage(first, "CA", [], now), "CA"));
  };
  let outcomes: Outcome[];
  try {
    outcomes = await receiveBytes(pack, store, bytes, {
      now,
      sender,
      detectDuplicates: true,
      ackFor: ackOf,
      onStored,
      ...(options.maxMessages !== undefined && { maxMessages: options.maxMessages }),
      ...(options.turn && { turn: options.turn }),
    });
  } catch {
    const code: AckCode = mode.enhanced ? "CE" : "AR";
    const failed = reply(ackMessage(first, code, [STORE_FAILED], now), code);
    const wanted = !mode.enhanced || ackWanted(mode.commit, code);
    return { replies: wanted ? [failed] : [], outcomes: [] };
  }
  // Every outcome's ACK was built at its completion; the replies read them back.
  for (const outcome of outcomes) await ackOf(outcome);
  const storedAckOf = (outcome: Outcome): string => stored.get(outcome.messageId) ?? "";
  const appAck = () =>
    ackMessage(first, applicationCode(outcomes, pack.acks), ackErrors(outcomes), now);
  return {
    replies: replies(mode, first, outcomes, storedAckOf, appAck, now, committed),
    outcomes,
  };
}
