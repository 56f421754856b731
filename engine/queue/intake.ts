import { controlId, messageTypeName } from "../hl7/access.js";
import { parseHl7 } from "../hl7/parse.js";
import { serializeMessage } from "../hl7/serialize.js";
import { processMessage, unparseableOutcome } from "../inbound/process.js";
import type { Outcome } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import type { Store } from "../store/types.js";

/**
 * The lifecycle of received bytes: every message is stored as NEW before it
 * is processed, then its actions, final state and outcome are written in one
 * transaction. Input that holds no message is stored too and ends in ERROR:
 * nothing received vanishes.
 */
export interface IntakeOptions {
  readonly now: Date;
  readonly sender: string;
  readonly receivedAt?: string;
  readonly trace?: boolean;
}

const utf8 = new TextEncoder();

export async function receiveBytes(
  pack: CompiledPack,
  store: Store,
  bytes: Uint8Array,
  options: IntakeOptions,
): Promise<Outcome[]> {
  const doc = parseHl7(bytes);
  const receivedAt = options.receivedAt ?? options.now.toISOString();
  const outcomes: Outcome[] = [];
  const outside = doc.issues.filter((i) => i.messageIndex < 0 && i.severity === "error");
  if (outside.length > 0) {
    const messageId = store.receive({
      raw: bytes,
      receivedAt,
      sender: options.sender,
      controlId: "",
      messageType: "",
      direction: "inbound",
    });
    const outcome = unparseableOutcome(messageId, outside);
    store.complete(outcome);
    outcomes.push(outcome);
  }
  for (const message of doc.messages) {
    const messageId = store.receive({
      raw: doc.messages.length === 1 ? bytes : utf8.encode(serializeMessage(message)),
      receivedAt,
      sender: options.sender,
      controlId: controlId(message),
      messageType: messageTypeName(message),
      direction: "inbound",
    });
    const issues = doc.issues.filter((i) => i.messageIndex === message.index);
    const outcome = await processMessage(pack, message, store, options.now, messageId, issues, {
      trace: options.trace === true,
    });
    outcomes.push(completeSafely(store, outcome));
  }
  return outcomes;
}

/**
 * A store that cannot apply the actions (a broken invariant, a full disk)
 * must not lose the message: it is recorded ATHENAERROR with nothing applied.
 */
export function completeSafely(store: Store, outcome: Outcome): Outcome {
  try {
    store.complete(outcome);
    return outcome;
  } catch (e) {
    const failed: Outcome = {
      ...outcome,
      state: "ATHENAERROR",
      actions: [],
      errors: [
        ...outcome.errors,
        {
          code: "INTERNAL_ERROR",
          severity: "error",
          message: `the store could not apply this message: ${e instanceof Error ? e.message : String(e)}`,
        },
      ],
    };
    store.complete(failed);
    return failed;
  }
}
