import { controlId, messageTypeName } from "../hl7/access.js";
import { parseHl7 } from "../hl7/parse.js";
import { SEGMENT_TERMINATOR, serializeMessage, serializeSegment } from "../hl7/serialize.js";
import type { Hl7Message, ParseIssue } from "../hl7/tree.js";
import { type ProcessOptions, processMessage, unparseableOutcome } from "../inbound/process.js";
import { decideState, type Outcome } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import { StaleViewError } from "../store/errors.js";
import type { Completion, Store, StoredMessage, StoreView } from "../store/types.js";
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
}

const utf8 = new TextEncoder();
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
  const outside = doc.issues.filter((i) => i.messageIndex < 0 && i.severity === "error");
  if (outside.length > 0) {
    const messageId = await store.receive({
      // With messages beside it, only the lines outside them (each message
      // is stored in its own row): these bytes, processed again (recovery,
      // reprocess), must not process a message a second time.
      raw:
        doc.messages.length === 0
          ? bytes
          : utf8.encode(
              doc.envelope
                .map((e) => serializeSegment(e.segment, e.delimiters) + SEGMENT_TERMINATOR)
                .join(""),
            ),
      receivedAt,
      sender: options.sender,
      controlId: "",
      messageType: "",
      direction: "inbound",
    });
    outcomes.push(await completeSafely(store, unparseableOutcome(messageId, outside), completion));
  }
  for (const message of doc.messages) {
    const header = headerOf(message, options.detectDuplicates === true);
    const received = {
      ...header,
      raw: doc.messages.length === 1 ? bytes : utf8.encode(serializeMessage(message)),
      receivedAt,
      sender: options.sender,
      direction: "inbound" as const,
    };
    const original = options.detectDuplicates
      ? await findOriginal(pack, store, header, receivedAt)
      : undefined;
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
    const messageId = await store.receive(received);
    options.onStored?.(messageId, message);
    const issues = doc.issues.filter((i) => i.messageIndex === message.index);
    outcomes.push(
      await decideAndComplete(
        store,
        (view) =>
          decide(pack, view, message, messageId, issues, {
            now: options.now,
            trace: options.trace === true,
          }),
        completion,
      ),
    );
  }
  return outcomes;
}

/** How many times a decision is taken again when another process changed the store meanwhile. */
const MAX_DECISIONS = 10;

/**
 * Decide on the current view and complete with the view's version, so a
 * commit by another process in between (the listener and `rulepack
 * reprocess` share one file) makes the decision be taken again on fresh
 * records instead of, say, creating a patient twice.
 */
export async function decideAndComplete(
  store: Store,
  decideOnce: (view: StoreView) => Promise<Outcome>,
  completion: CompletionFor,
): Promise<Outcome> {
  for (let round = 1; ; round++) {
    const { view, version: basedOn } = await store.openView();
    const outcome = await decideOnce(view);
    try {
      return await completeSafely(store, outcome, completion, basedOn);
    } catch (e) {
      if (!(e instanceof StaleViewError)) throw e;
      if (round >= MAX_DECISIONS) {
        const failed = internalFault(
          outcome,
          `the store changed under this message ${MAX_DECISIONS} times while it was decided; reprocess it`,
        );
        return completeSafely(store, failed, completion);
      }
    }
  }
}

type CompletionFor =
  | Completion
  | ((outcome: Outcome) => Completion | Promise<Completion>)
  | undefined;

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

async function findOriginal(
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
  completion?: CompletionFor,
  basedOn?: number,
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
