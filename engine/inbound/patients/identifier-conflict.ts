import type { Patient } from "../../model/records.js";
import type { MessageContext } from "../context.js";
import { matchingKey, type ReceivedExternalId } from "../external-ids.js";

/**
 * "External IDs must be unique and non-changing" (Table 5 – Patient-level
 * custom fields). The identifier a patient is matched by is the external ID
 * flagged `useForMatching`; without one, the sender's own patient
 * identifier (`patient.senderPatientId`, PID-3's MR repetition, else its
 * first). A message matched to a patient (by the practice ID or by
 * demographics) whose identifier differs from the one the patient holds is
 * either the same person under two identifiers or two people: a person
 * decides, nothing is overwritten. A patient who holds no identifier yet
 * simply gets it.
 */
export interface IdentifierConflict {
  /** The identifier's name as the pack and the message say it (`mrn`, `sender patient ID (PID-3)`). */
  readonly label: string;
  readonly received: string;
  readonly stored: string;
}

export const SENDER_ID_LABEL = "sender patient ID (PID-3)";

/** The patient external ID that matching reads from a received message, if any. */
function matchingExternalId(ctx: MessageContext) {
  return ctx.pack.externalIds.patient.find(
    (id) => id.useForMatching && id.direction !== "outbound",
  );
}

export function identifierConflict(
  ctx: MessageContext,
  stored: Patient,
  incoming: Patient,
  ids: readonly ReceivedExternalId[],
): IdentifierConflict | undefined {
  const matching = matchingExternalId(ctx);
  if (matching) {
    const received = ids.find((id) => id.name === matching.name);
    const current = stored.externalIds?.[matching.name];
    if (!received || current === undefined) return undefined;
    if (matchingKey(current, received.leadingZeros) === received.key) return undefined;
    return { label: matching.name, received: received.value, stored: current };
  }
  const received = incoming.senderPatientId;
  const current = stored.senderPatientId;
  if (typeof received !== "string" || typeof current !== "string") return undefined;
  if (received.trim() === current.trim()) return undefined;
  return { label: SENDER_ID_LABEL, received, stored: current };
}

/** REVIEW_REQUIRED (possibleDuplicate: this patient after all, a new one, or neither) naming both values. */
export function reportConflict(
  ctx: MessageContext,
  conflict: IdentifierConflict,
  patientId: string,
  by: string,
): void {
  const differs = `the message's ${conflict.label} '${conflict.received}' differs from patient ${patientId}'s '${conflict.stored}'`;
  ctx.found.review.push({
    reason: "possibleDuplicate",
    detail: `${differs}: the same person under two identifiers, or two people`,
    candidates: [{ patientId, total: 0, scores: {} }],
  });
  ctx.found.errors.push({
    code: "REVIEW_REQUIRED",
    severity: "error",
    message: `${differs} (matched by ${by}); identifiers used for matching never change, so a person decides`,
  });
}

/**
 * The other half of the sender's identifier: with no matching external ID,
 * a message that matched nobody (its demographics changed, say an A08 with
 * a new surname) but carries the PID-3 a stored patient holds is not
 * silently a second patient. The patient holding it, when there is one: the
 * message is a possible duplicate of that patient. A person's `--create-new`
 * decides otherwise; the identifier itself never matches on its own
 * (external IDs stay opt-in, Table 5).
 */
export function senderIdHolder(ctx: MessageContext, incoming: Patient): Patient | undefined {
  if (matchingExternalId(ctx) || ctx.decision?.kind === "createNew") return undefined;
  const senderId = incoming.senderPatientId?.trim();
  if (!senderId) return undefined;
  return ctx.view
    .patientCandidates({ senderId })
    .find((p) => p.id !== undefined && p.senderPatientId?.trim() === senderId);
}

/** REVIEW_REQUIRED (possibleDuplicate) naming the patient who holds the message's sender ID. */
export function reportSenderIdHolder(ctx: MessageContext, holder: Patient, senderId: string): void {
  const holds = `patient ${holder.id} holds the message's ${SENDER_ID_LABEL} '${senderId}' but its demographics do not match`;
  ctx.found.review.push({
    reason: "possibleDuplicate",
    detail: `${holds}: the same person with changed demographics, or another person under that identifier`,
    candidates: [{ patientId: holder.id ?? "", total: 0, scores: {} }],
  });
  ctx.found.errors.push({
    code: "REVIEW_REQUIRED",
    severity: "error",
    message: `${holds}; a second patient with the same sender patient ID is not created without review`,
  });
}
