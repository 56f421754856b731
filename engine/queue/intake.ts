import { controlId, messageTypeName } from "../hl7/access.js";
import { parseHl7 } from "../hl7/parse.js";
import { SEGMENT_TERMINATOR, serializeMessage, serializeSegment } from "../hl7/serialize.js";
import type { Hl7Document, Hl7Message, ParseIssue } from "../hl7/tree.js";
import { type ProcessOptions, processMessage, unparseableOutcome } from "../inbound/process.js";
import { decideState, type Outcome } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import { StaleViewError } from "../store/errors.js";
import type { ReadBasis } from "../store/read-keys.js";
import type { Completion, Store, StoredMessage, StoreView } from "../store/types.js";
import { decideFilling } from "../store/view-miss.js";
import { type BackstopTry, decideUnderBackstop } from "./backstop.js";
import { headerErrors, headerOf } from "./header.js";

/**
 * The lifecycle of received bytes: every message is stored as NEW before it
 * is processed, then its actions, final state, outcome and ACK are written
 * in one transaction. Input that holds no message is stored too and ends in
 * ERROR: nothing received vanishes.
 */
export interface IntakeOptions {
  readonly now: Date;
  readonly sender: string;
  readonly receivedAt?: string;
  readonly trace?: boolean;
  /**
   * Look for transport duplicates (`queue.duplicates`): the listener and
   * `rulepack run` do; tests and benches that resend a message on purpose
   * do not.
   */
  readonly detectDuplicates?: boolean;
  /** The ACK for an outcome, stored with it (the listener's). */
  readonly ackFor?: (outcome: Outcome) => string | Promise<string>;
  /**
   * Called once a message's NEW row is committed, before it is processed
   * (not for a duplicate): an enhanced-mode listener sends its commit ACK here.
   */
  readonly onStored?: (messageId: string, message: Hl7Message) => void;
  /**
   * Messages past this many in the input are not processed: each is stored
   * in ERROR with FRAME_MESSAGE_LIMIT (the listener's
   * `queue.listener.maxMessagesPerFrame`; the sender is answered AR).
   */
  readonly maxMessages?: number;
  /**
   * Every `messages` messages, `pause` (the listener's lane lets other
   * connections' frames go first, lane.ts).
   */
  readonly turn?: { readonly messages: number; readonly pause: () => Promise<void> };
}

const utf8 = new TextEncoder();

/**
 * Stores the lines of a frame outside its messages (the frame's parse
 * errors are about them) as one inbound row and returns its ID. With
 * messages beside them, only those lines (each message is stored in its
 * own row): these bytes, processed again (recovery, reprocess), must not
 * process a message a second time.
 */
export function receiveOutsideLines(
  store: Store,
  doc: Hl7Document,
  bytes: Uint8Array,
  receivedAt: string,
  sender: string,
): Promise<string> {
  return store.receive({
    raw:
      doc.messages.length === 0
        ? bytes
        : utf8.encode(
            doc.envelope
              .map((e) => serializeSegment(e.segment, e.delimiters) + SEGMENT_TERMINATOR)
              .join(""),
          ),
    receivedAt,
    sender,
    controlId: "",
    messageType: "",
    direction: "inbound",
  });
}

/** The bytes stored for `message` of a frame: the frame itself when it is the only message. */
export function messageBytes(doc: Hl7Document, bytes: Uint8Array, message: Hl7Message): Uint8Array {
  return doc.messages.length === 1 ? bytes : utf8.encode(serializeMessage(message));
}
const HOUR_MS = 3_600_000;

export async function receiveBytes(
  pack: CompiledPack,
  store: Store,
  bytes: Uint8Array,
  options: IntakeOptions,
): Promise<Outcome[]> {
  const doc = parseHl7(bytes);
  const receivedAt = options.receivedAt ?? options.now.toISOString();
  const completion = async (outcome: Outcome): Promise<Completion> => ({
    kind: "receive",
    now: options.now.toISOString(),
    ...(options.ackFor && { ack: await options.ackFor(outcome) }),
  });
  const outcomes: Outcome[] = [];
  const later: { index: number; attempt: (backstop: BackstopTry) => Promise<Outcome> }[] = [];
  const outside = doc.issues.filter((i) => i.messageIndex < 0 && i.severity === "error");
  // Grouped once: a frame of many messages is read in linear time.
  const issuesOf = new Map<number, ParseIssue[]>();
  for (const issue of doc.issues) {
    const of = issuesOf.get(issue.messageIndex);
    if (of) of.push(issue);
    else issuesOf.set(issue.messageIndex, [issue]);
  }
  if (outside.length > 0) {
    const messageId = await receiveOutsideLines(store, doc, bytes, receivedAt, options.sender);
    outcomes.push(await completeSafely(store, unparseableOutcome(messageId, outside), completion));
  }
  for (const [i, message] of doc.messages.entries()) {
    if (options.turn && i > 0 && i % options.turn.messages === 0) await options.turn.pause();
    if (options.maxMessages !== undefined && i >= options.maxMessages) {
      outcomes.push(
        await refuseOverLimit(store, message, doc.messages.length, options, receivedAt),
      );
      continue;
    }
    const header = headerOf(message, options.detectDuplicates === true);
    const received = {
      ...header,
      raw: messageBytes(doc, bytes, message),
      receivedAt,
      sender: options.sender,
      direction: "inbound" as const,
    };
    const found = options.detectDuplicates
      ? await findOriginal(pack, store, header, receivedAt)
      : undefined;
    // An original still NEW has no outcome yet (the store failed after its
    // NEW row): it is processed now, and the resend answered with its real ACK.
    const original =
      found?.state === "NEW" ? await processOriginal(pack, store, found, options) : found;
    if (original) {
      const messageId = await store.receive({ ...received, duplicateOf: original.messageId });
      const outcome = duplicateOutcome(messageId, original);
      outcomes.push(
        await completeSafely(store, outcome, {
          kind: "duplicate",
          now: options.now.toISOString(),
          ...(original.ack !== undefined
            ? { ack: original.ack }
            : options.ackFor && { ack: await options.ackFor(outcome) }),
        }),
      );
      continue;
    }
    // The NEW row and its first attempt in one commit: deciding follows at once.
    const at = options.now.toISOString();
    const messageId = await store.receive(received, { attemptAt: at });
    options.onStored?.(messageId, message);
    const issues = issuesOf.get(message.index) ?? [];
    let begun = true;
    const attempt = (backstop: BackstopTry) => {
      const first = { messageId, at, begun };
      begun = false;
      return decideAndComplete(
        store,
        (view) =>
          decide(pack, view, message, messageId, issues, {
            now: options.now,
            trace: options.trace === true,
          }),
        completion,
        first,
        backstop,
      );
    };
    const outcome = await attempt("defer");
    if (outcome.state === "NEW") later.push({ index: outcomes.length, attempt });
    outcomes.push(outcome);
  }
  // Messages that hit the expression backstop, once more after the rest (backstop.ts).
  for (const { index, attempt } of later) outcomes[index] = await attempt("final");
  return outcomes;
}

/** How many times a decision is taken again when another process changed the store meanwhile. */
const MAX_DECISIONS = 10;

/**
 * Decide on the current view and complete with the view's version, so a
 * commit by another process in between (the listener and `rulepack
 * reprocess` share one file) makes the decision be taken again on fresh
 * records instead of, say, creating a patient twice.
 *
 * The attempt is marked in the store before deciding (unless `begun`: the
 * caller marked it with the NEW row, receive-many.ts), so a message the
 * process dies on is known at the next start (poison messages,
 * engine/server/recovery.ts). No step is marked before completing: the
 * completion is the attempt's second and last commit (decision 0039).
 *
 * `backstop` says what a decision that hit the expression backstop does
 * (backstop.ts); deferred, the outcome is returned NEW and not completed.
 */
export async function decideAndComplete(
  store: Store,
  decideOnce: (view: StoreView) => Promise<Outcome>,
  completion: CompletionFor,
  attempt: { readonly messageId: string; readonly at: string; readonly begun?: boolean },
  backstop: BackstopTry = "retry",
  /** Decisions taken before giving up (several workers on one database refuse each other's often). */
  maxDecisions = MAX_DECISIONS,
): Promise<Outcome> {
  if (!attempt.begun) await store.beginAttempt(attempt.messageId, attempt.at);
  for (let round = 1; ; round++) {
    const opened = await store.openView({ lazy: true });
    // Refused only when a key the decision read was written since (decision 0037).
    const basedOn = opened.basis ?? opened.version;
    const outcome = await decideFilling(opened, () =>
      decideUnderBackstop(() => decideOnce(opened.view), backstop),
    );
    if (outcome.state === "NEW") return outcome; // deferred: not completed
    try {
      return await completeSafely(store, outcome, completion, basedOn);
    } catch (e) {
      if (!(e instanceof StaleViewError)) throw e;
      if (round >= maxDecisions) {
        const failed = internalFault(
          outcome,
          `the store changed under this message ${maxDecisions} times while it was decided; reprocess it`,
        );
        return completeSafely(store, failed, completion);
      }
    }
  }
}

type CompletionFor = Completion | ((outcome: Outcome) => Completion | Promise<Completion>);

/** The outcome of one stored message: refused for its header (MSH-11, MSH-12), or processed. */
export async function decide(
  pack: CompiledPack,
  view: StoreView,
  message: Hl7Message,
  messageId: string,
  issues: readonly ParseIssue[],
  options: { readonly now: Date } & ProcessOptions,
): Promise<Outcome> {
  const refused = issues.some((i) => i.severity === "error")
    ? []
    : headerErrors(message, pack.queue.accept);
  if (refused.length > 0) {
    return {
      messageId,
      controlId: controlId(message),
      messageType: messageTypeName(message),
      state: decideState(refused, false),
      actions: [],
      errors: refused,
      review: [],
      trace: [],
    };
  }
  return processMessage(pack, message, view, options.now, messageId, issues, options);
}

/** The original of a transport duplicate (`queue.duplicates`), when the message is one. */
export async function findOriginal(
  pack: CompiledPack,
  store: Store,
  header: ReturnType<typeof headerOf>,
  receivedAt: string,
): Promise<StoredMessage | undefined> {
  const hours = pack.queue.duplicateWindowHours;
  if (hours <= 0 || header.controlId === "") return undefined;
  const since = new Date(Date.parse(receivedAt) - hours * HOUR_MS).toISOString();
  return store.findDuplicate(
    {
      sendingApplication: header.sendingApplication ?? "",
      sendingFacility: header.sendingFacility ?? "",
      controlId: header.controlId,
      contentHash: header.contentHash ?? "",
    },
    since,
  );
}

/**
 * Process an original still NEW from its stored bytes, completed with the
 * ACK it is answered with (its own, built for the resend's identical
 * header); returns it as stored afterwards.
 */
async function processOriginal(
  pack: CompiledPack,
  store: Store,
  original: StoredMessage,
  options: IntakeOptions,
): Promise<StoredMessage> {
  const doc = parseHl7(original.raw);
  const message = doc.messages[0];
  if (message) {
    const issues = doc.issues.filter((i) => i.messageIndex === message.index);
    await decideAndComplete(
      store,
      (view) =>
        decide(pack, view, message, original.messageId, issues, {
          now: options.now,
          trace: options.trace === true,
        }),
      async (outcome) => ({
        kind: "receive",
        now: options.now.toISOString(),
        ...(options.ackFor && { ack: await options.ackFor(outcome) }),
      }),
      { messageId: original.messageId, at: options.now.toISOString() },
    );
  }
  return (await store.message(original.messageId)) ?? original;
}

/**
 * A message past the input's limit, stored already decided (never NEW) in
 * ERROR with FRAME_MESSAGE_LIMIT and without its duplicate key: the sender's
 * resend in a smaller frame is processed, not answered with this refusal.
 */
export async function refuseOverLimit(
  store: Store,
  message: Hl7Message,
  count: number,
  options: IntakeOptions,
  receivedAt: string,
): Promise<Outcome> {
  const header = headerOf(message, false);
  let outcome: Outcome | undefined;
  const errors: Outcome["errors"] = [
    {
      code: "FRAME_MESSAGE_LIMIT",
      severity: "error",
      message: `the frame holds ${count} messages, more than the listener processes per frame (${options.maxMessages}): this one was not processed; resend it in a smaller frame`,
    },
  ];
  await store.record(
    {
      ...header,
      raw: utf8.encode(serializeMessage(message)),
      receivedAt,
      sender: options.sender,
      direction: "inbound",
    },
    (messageId) => {
      outcome = {
        messageId,
        controlId: header.controlId,
        messageType: header.messageType,
        state: "ERROR",
        actions: [],
        errors,
        review: [],
        trace: [],
      };
      return outcome;
    },
    // No ACK of its own is stored: no resend is answered from this row.
    { kind: "receive", now: options.now.toISOString() },
  );
  if (!outcome) throw new Error("the store recorded no outcome");
  return outcome;
}

/** A resend's outcome: PROCESSED with info DUPLICATE naming the original, nothing applied. */
export function duplicateOutcome(
  messageId: string,
  original: Pick<StoredMessage, "messageId" | "controlId" | "messageType">,
): Outcome {
  return {
    messageId,
    controlId: original.controlId,
    messageType: original.messageType,
    state: "PROCESSED",
    actions: [],
    errors: [
      {
        code: "DUPLICATE",
        severity: "info",
        value: original.messageId,
        message: `a resend of ${original.messageId} (same MSH-3, MSH-4, MSH-10 and content): not processed again`,
      },
    ],
    review: [],
    trace: [],
  };
}

/**
 * A store that cannot apply the actions (a broken invariant, a full disk)
 * must not lose the message: it is recorded ATHENAERROR with nothing applied.
 */
export async function completeSafely(
  store: Store,
  outcome: Outcome,
  completion: CompletionFor,
  basedOn?: number | ReadBasis,
): Promise<Outcome> {
  const completionOf = (o: Outcome) =>
    typeof completion === "function" ? completion(o) : completion;
  try {
    await store.complete(outcome, await completionOf(outcome), basedOn);
    return outcome;
  } catch (e) {
    if (e instanceof StaleViewError) throw e;
    const failed = internalFault(
      outcome,
      `the store could not apply this message: ${e instanceof Error ? e.message : String(e)}`,
    );
    await store.complete(failed, await completionOf(failed));
    return failed;
  }
}

/** The outcome held as the engine's own fault: ATHENAERROR, nothing applied, the reason added. */
function internalFault(outcome: Outcome, message: string): Outcome {
  return {
    ...outcome,
    state: "ATHENAERROR",
    actions: [],
    errors: [...outcome.errors, { code: "INTERNAL_ERROR", severity: "error", message }],
  };
}
