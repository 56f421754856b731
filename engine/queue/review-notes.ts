import type { ReviewDecision } from "../model/outcome.js";
import type { Store } from "../store/types.js";

/**
 * A review decision as its attempt records it (`merge-with 1001`,
 * `create-new`, `accept-update`, `reject`), and back: a message reviewed
 * once and sent back to ERROR for another reason (an unmapped plan found
 * after the decision) keeps its decision when it is reprocessed.
 */
export type ReviewChoice = ReviewDecision | { readonly kind: "reject" };
export type ReviewChoiceKind = ReviewChoice["kind"];

/** The command-line spelling of each choice (`--merge-with`, ...). */
export const CHOICE_FLAGS: Readonly<Record<ReviewChoiceKind, string>> = {
  mergeWith: "merge-with",
  createNew: "create-new",
  acceptUpdate: "accept-update",
  reject: "reject",
};

/** What the attempt records as the decision, e.g. `merge-with 1001`. */
export function choiceNote(choice: ReviewChoice): string {
  const flag = CHOICE_FLAGS[choice.kind];
  return choice.kind === "mergeWith" ? `${flag} ${choice.patientId}` : flag;
}

/** The decision a note records; undefined for a rejection or another note. */
export function decisionOfNote(note: string | undefined): ReviewDecision | undefined {
  const [flag, patientId, ...rest] = (note ?? "").split(" ");
  if (rest.length > 0) return undefined;
  if (flag === CHOICE_FLAGS.mergeWith && patientId) return { kind: "mergeWith", patientId };
  if (patientId !== undefined) return undefined;
  if (flag === CHOICE_FLAGS.createNew) return { kind: "createNew" };
  if (flag === CHOICE_FLAGS.acceptUpdate) return { kind: "acceptUpdate" };
  return undefined;
}

/** The decision of the message's latest review attempt, which stands until another review. */
export async function standingDecision(
  store: Store,
  messageId: string,
): Promise<ReviewDecision | undefined> {
  const reviews = (await store.attempts(messageId)).filter((a) => a.kind === "review");
  return decisionOfNote(reviews.at(-1)?.note);
}
