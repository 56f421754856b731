import { isDeepStrictEqual } from "node:util";
import { messageTypeName } from "../../hl7/access.js";
import { substantialChanges } from "../../matching/scorer.js";
import type { ExternalIdSet, GuarantorSet, PrivacySet, TypedAction } from "../../model/actions.js";
import type { Guarantor, Patient } from "../../model/records.js";
import { isInboundEnabled } from "../../pack/enablement.js";
import type { MessageContext } from "../context.js";
import { matchingKey, type ReceivedExternalId, readExternalIds } from "../external-ids.js";
import { extractRecord, withoutNulls } from "../extract.js";
import { checkRequired } from "../required.js";
import { patientDecision } from "../trace-options.js";
import {
  identifierConflict,
  reportConflict,
  reportSenderIdHolder,
  senderIdHolder,
} from "./identifier-conflict.js";
import { insuranceActions } from "./insurance.js";
import { matchPatient, unknownPatientIdError } from "./match-patient.js";
import { invertRelationship } from "./relationships.js";
import { warnUnreadPhones } from "./unread-phones.js";
import { withXtnLayouts } from "./xtn-layout.js";

/**
 * Inbound patient messages (ADT A04, A08, A28, A31; A01/A05 when enabled):
 * extract the patient, match it, decide add or update, check the required
 * fields for that, then external IDs, privacy, guarantor and insurance.
 */
export async function patientMessage(ctx: MessageContext): Promise<TypedAction[]> {
  const read = { message: ctx.message };
  const ids = readExternalIds(ctx.pack.externalIds.patient, read);
  const extracted = withXtnLayouts(ctx, await extractRecord(ctx, "patient"), read);
  const { guarantor, ...demographics } = extracted.record as Patient & { guarantor?: Guarantor };
  const incoming: Patient = {
    ...demographics,
    ...(ids.length > 0 && {
      externalIds: Object.fromEntries(ids.map((i) => [i.name, i.value])),
    }),
  };

  warnUnreadPhones(ctx, incoming);

  const match = matchPatient(ctx, ctx.pack.matching.order.patient, incoming, ids);
  if (match.kind === "review") {
    ctx.found.errors.push({
      code: "REVIEW_REQUIRED",
      severity: "error",
      message:
        "a person must decide whether this is an existing patient (possible duplicate); nothing was applied",
    });
    return [];
  }
  if (match.kind === "unknownPatientId") {
    ctx.found.errors.push(unknownPatientIdError(match));
    return [];
  }
  const event = match.kind === "matched" ? "patientUpdate" : "patientAdd";
  const type = messageTypeName(ctx.message);
  ctx.found.trace.push({
    step: "decide",
    detail: `${event} (${match.kind === "matched" ? `matched by ${match.by}` : "no match"})`,
    event,
    options: patientDecision(
      ctx.pack,
      event,
      match.kind === "matched" ? match.by : undefined,
      ids,
      ctx.message,
    ),
  });
  if (!isInboundEnabled(ctx.pack.enabled, event, type)) {
    ctx.found.errors.push({
      code: "EVENT_NOT_ENABLED",
      severity: "error",
      message: `${event} is not enabled inbound for ${type} (enabled.inbound.${event}, Table 4 - Interface Enablement)`,
    });
    return [];
  }
  // Only a message that would create a patient: one the pack may not add is refused anyway.
  if (match.kind === "none") {
    const holder = senderIdHolder(ctx, incoming);
    if (holder) {
      reportSenderIdHolder(ctx, holder, incoming.senderPatientId ?? "");
      return [];
    }
  }
  if (match.kind === "matched" && ctx.decision?.kind !== "mergeWith") {
    const conflict = identifierConflict(ctx, match.patient, incoming, ids);
    if (conflict) {
      reportConflict(ctx, conflict, match.patient.id, match.by);
      return [];
    }
  }
  if (match.kind === "matched" && !DECIDES_THE_UPDATE.has(ctx.decision?.kind ?? "")) {
    const changed = substantialChanges(
      ctx.pack.matching.demographics,
      ctx.pack.matching.substantialChange,
      match.patient,
      incoming,
    );
    if (changed.length > 0) {
      const names = changed.map((c) => c.field).join(", ");
      ctx.found.review.push({
        reason: "substantialChange",
        detail: `the message changes ${names} of patient ${match.patient.id}`,
        candidates: [
          {
            patientId: match.patient.id,
            total: 0,
            scores: {},
            changes: Object.fromEntries(
              changed.map((c) => [c.field, { stored: c.stored, received: c.received }]),
            ),
          },
        ],
      });
      ctx.found.errors.push({
        code: "REVIEW_REQUIRED",
        severity: "error",
        message: `substantial demographic change (${names}) to an existing patient needs review`,
      });
      return [];
    }
  }
  if (externalIdHeldElsewhere(ctx, ids, match.kind === "matched" ? match.patient.id : undefined)) {
    return [];
  }
  const operation = match.kind === "matched" ? "update" : "create";
  const requiredOk = await checkRequired(ctx, extracted, operation, read, event);
  if (!requiredOk || !extracted.complete) {
    // The policies' own problems (an unmapped plan, a missing IN1.36) are
    // independent of the patient's: found in the same pass, nothing applied.
    const patientId = match.kind === "matched" ? match.patient.id : "(not created)";
    await insuranceActions(ctx, patientId, match.kind !== "matched", event);
    return [];
  }

  const patientId = match.kind === "matched" ? match.patient.id : ctx.view.nextId("patient");
  const actions: TypedAction[] = [];
  if (match.kind === "matched") {
    actions.push({
      type: "patient.update",
      patientId,
      patient: keepSenderId(demographics, match.patient),
    });
    actions.push(...changedIds(ids, match.patient, patientId));
  } else {
    actions.push({ type: "patient.create", patient: { ...withoutNulls(incoming), id: patientId } });
    // The store indexes IDs of a create by their value; a normalized matching key needs its own action.
    actions.push(
      ...ids.filter((id) => id.key !== id.value).map((id) => externalIdSet(id, patientId)),
    );
    const privacy = privacyOnCreate(ctx, patientId, demographics);
    if (privacy) actions.push(privacy);
  }
  const stored = match.kind === "matched" ? match.patient.guarantor : undefined;
  const guarantorAction = guarantorSet(ctx, patientId, guarantor, stored);
  if (guarantorAction) actions.push(guarantorAction);
  actions.push(...(await insuranceActions(ctx, patientId, match.kind !== "matched", event)));
  return actions;
}

/**
 * Review decisions that settle the update a substantial change would hold:
 * accepting it, and merging with a patient a person chose after comparing
 * the records (one decision, not a second review of the same message).
 */
const DECIDES_THE_UPDATE: ReadonlySet<string> = new Set(["acceptUpdate", "mergeWith"]);

/**
 * externalId.set for every received ID that is new or differs from the
 * stored one. IDs are compared by their matching key: with `leadingZeros:
 * strip`, "123" is the stored "00123", not a change.
 */
function changedIds(
  ids: readonly ReceivedExternalId[],
  stored: Patient,
  patientId: string,
): ExternalIdSet[] {
  return ids
    .filter((id) => {
      const current = stored.externalIds?.[id.name];
      if (current === undefined) return true;
      // The ID a patient is matched by is never changed by a message (a person merged them: kept).
      return !id.useForMatching && matchingKey(current, id.leadingZeros) !== id.key;
    })
    .map((id) => externalIdSet(id, patientId));
}

/** The sender's patient identifier is written once: a stored one is never replaced by an update. */
function keepSenderId(update: Patient, stored: Patient): Patient {
  if (typeof stored.senderPatientId !== "string" || !("senderPatientId" in update)) return update;
  const { senderPatientId: _received, ...rest } = update;
  return rest;
}

/**
 * "External IDs must be unique and non-changing": an ID this message would
 * give its patient, while another patient holds it, needs a person.
 */
function externalIdHeldElsewhere(
  ctx: MessageContext,
  ids: readonly ReceivedExternalId[],
  patientId: string | undefined,
): boolean {
  for (const id of ids) {
    const others = ctx.view.patientsByExternalId(id.name, id.key).filter((p) => p.id !== patientId);
    if (others.length === 0) continue;
    ctx.found.review.push({
      reason: "ambiguousMatch",
      detail: `external ID ${id.name} '${id.value}' already belongs to patient ${others.map((p) => p.id).join(", ")}`,
      candidates: others.map((p) => ({ patientId: p.id ?? "", total: 0, scores: {} })),
    });
    ctx.found.errors.push({
      code: "REVIEW_REQUIRED",
      severity: "error",
      message: `external ID ${id.name} is held by another patient; external IDs must be unique, so a person decides`,
    });
    return true;
  }
  return false;
}

function externalIdSet(id: ReceivedExternalId, patientId: string): ExternalIdSet {
  return {
    type: "externalId.set",
    record: "patient",
    recordId: patientId,
    name: id.name,
    value: id.value,
    key: id.key,
  };
}

/** Table 13: both boxes checked on create, unless a field rule set them explicitly. */
function privacyOnCreate(
  ctx: MessageContext,
  patientId: string,
  patient: Patient,
): PrivacySet | undefined {
  if (!ctx.pack.privacy.autoCheck || patient.privacy) return undefined;
  return {
    type: "privacy.set",
    patientId,
    privacy: { releaseOfBillingInformation: true, assignmentOfBenefits: true },
  };
}

/** guarantor.set when a GT1 is present and differs from the stored guarantor (it replaces it whole). */
function guarantorSet(
  ctx: MessageContext,
  patientId: string,
  received: Guarantor | undefined,
  stored: Guarantor | undefined,
): GuarantorSet | undefined {
  const guarantor = received && withoutNulls(received);
  if (!ctx.pack.guarantor.receive || !guarantor || Object.keys(guarantor).length === 0)
    return undefined;
  let record = guarantor;
  if (
    ctx.pack.guarantor.relationshipDirection === "guarantorToPatient" &&
    typeof guarantor.relationship === "string"
  ) {
    const inverse = invertRelationship(ctx, guarantor.relationship, "GT1.11");
    if (inverse === undefined) return undefined;
    record = { ...guarantor, relationship: inverse };
  }
  if (isDeepStrictEqual(record, stored)) return undefined;
  return { type: "guarantor.set", patientId, guarantor: record };
}
