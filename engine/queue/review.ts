import type { ReviewItem } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import type { Store, StoredMessage, StoreView } from "../store/types.js";
import { type ReprocessAttempt, reprocessMessages } from "./reprocess.js";
import {
  CHOICE_FLAGS,
  choiceNote,
  type ReviewChoice,
  type ReviewChoiceKind,
} from "./review-notes.js";

/**
 * A person's decision on a message held for review (REVIEW_REQUIRED: a
 * possible duplicate, an ambiguous match, a substantial demographic
 * change): the message is processed again with the decision, recorded as a
 * `review` attempt with who decided and what, and the patient's messages
 * that waited on it follow (engine/queue/reprocess.ts). A rejection is not
 * processed: the message is DELETED.
 */
export type { ReviewChoice } from "./review-notes.js";

/**
 * Which decisions answer which review reason. A possible duplicate is this
 * patient or a new one; an ambiguous match (several patients score as the
 * match, or hold the external ID) is one of them, since a new patient would
 * be yet another; a substantial change is accepted or rejected.
 */
const FITS: Readonly<Record<ReviewItem["reason"], readonly ReviewChoiceKind[]>> = {
  possibleDuplicate: ["mergeWith", "createNew", "reject"],
  ambiguousMatch: ["mergeWith", "reject"],
  substantialChange: ["acceptUpdate", "reject"],
};

export interface ReviewOptions {
  readonly clock: () => Date;
  readonly actor: string;
  /**
   * Merge with a patient who is not one of the review's candidates, and
   * apply a stale message whole, as `rulepack reprocess --force` does.
   */
  readonly force: boolean;
}

export type ReviewResult =
  | { readonly ok: true; readonly attempts: readonly ReprocessAttempt[] }
  | { readonly ok: false; readonly message: string };

export async function decideReview(
  pack: CompiledPack,
  store: Store,
  messageId: string,
  choice: ReviewChoice,
  options: ReviewOptions,
): Promise<ReviewResult> {
  const message = await store.message(messageId);
  if (!message) return { ok: false, message: `no message ${messageId} in the store` };
  const { view } = await store.openView();
  const refusal = refuse(view, message, choice, options.force);
  if (refusal !== undefined) return { ok: false, message: refusal };
  const note = choiceNote(choice);
  if (choice.kind === "reject") {
    await store.setState(messageId, "DELETED", {
      kind: "review",
      now: options.clock().toISOString(),
      actor: options.actor,
      note,
    });
    return {
      ok: true,
      attempts: [
        {
          messageId,
          controlId: message.controlId,
          messageType: message.messageType,
          from: message.state,
          to: "DELETED",
        },
      ],
    };
  }
  const attempts = await reprocessMessages(
    pack,
    store,
    [message],
    { clock: options.clock, actor: options.actor, force: options.force },
    { decision: choice, note },
  );
  return { ok: true, attempts };
}

/** Why the decision cannot be taken, if it cannot. */
function refuse(
  view: StoreView,
  message: StoredMessage,
  choice: ReviewChoice,
  force: boolean,
): string | undefined {
  const id = message.messageId;
  const held = message.outcome?.errors.some((e) => e.code === "REVIEW_REQUIRED") === true;
  if (message.direction !== "inbound" || message.state !== "ERROR" || !held) {
    return `${id} is not waiting for review (state ${message.state}${held ? "" : ", no REVIEW_REQUIRED"}): only a message in ERROR with REVIEW_REQUIRED takes a review decision`;
  }
  const items = message.outcome?.review ?? [];
  const misfit = items.find((item) => !FITS[item.reason].includes(choice.kind));
  if (misfit) {
    const fitting = FITS[misfit.reason].map((k) => `--${CHOICE_FLAGS[k]}`).join(", ");
    return `--${CHOICE_FLAGS[choice.kind]} does not fit ${id}'s review (${misfit.reason}): decide with ${fitting}`;
  }
  if (choice.kind !== "mergeWith") return undefined;
  if (!view.patientById(choice.patientId)) return `no patient ${choice.patientId} in the store`;
  const candidates = new Set(items.flatMap((item) => item.candidates.map((c) => c.patientId)));
  if (!force && !candidates.has(choice.patientId)) {
    return `patient ${choice.patientId} is not a candidate of ${id}'s review (${[...candidates].join(", ") || "none"}); --force merges with another patient`;
  }
  return undefined;
}
