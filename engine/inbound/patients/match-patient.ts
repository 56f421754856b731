import { blockingKeysFor, classify } from "../../matching/scorer.js";
import type { OutcomeError } from "../../model/outcome.js";
import type { Patient } from "../../model/records.js";
import type { PatientStrategy } from "../../pack/compiled.js";
import { type MessageContext, tracing } from "../context.js";
import type { ReceivedExternalId } from "../external-ids.js";

/**
 * Patient matching in the spec's order, configurable: the external ID
 * flagged for matching -> the practice system's patient ID -> demographic
 * matching. A strategy that has a value but finds nobody hands over to the
 * next one, except that a practice patient ID which is present but held by
 * nobody never hands over to demographics (`matching.patientId.unknown:
 * error`, the base): the spec falls back to demographics only when the ID
 * "is not present in the message". A person's review decision (`rulepack
 * review`) replaces the strategies.
 */
export type PatientMatch =
  | {
      readonly kind: "matched";
      readonly patient: Patient & { readonly id: string };
      /** `review`: the patient a person named (`--merge-with`). */
      readonly by: PatientStrategy | "review";
    }
  | { readonly kind: "none" }
  | { readonly kind: "review" }
  /** A practice patient ID was sent and nobody holds it; demographics were not tried. */
  | { readonly kind: "unknownPatientId"; readonly value: string; readonly field: string };

type Strategy = (
  ctx: MessageContext,
  incoming: Patient,
  ids: readonly ReceivedExternalId[],
) => PatientMatch | undefined;

const withId = (p: Patient | undefined): (Patient & { id: string }) | undefined =>
  p?.id === undefined ? undefined : (p as Patient & { id: string });

const STRATEGIES: Readonly<Record<PatientStrategy, Strategy>> = {
  externalId(ctx, _incoming, ids) {
    const id = ids.find((i) => i.useForMatching);
    if (!id) return undefined;
    const found = ctx.view.patientsByExternalId(id.name, id.key);
    ctx.found.trace.push({
      step: "match",
      rule: "externalId",
      detail: `${id.name}: ${found.length} patient(s)`,
    });
    if (found.length > 1) {
      ctx.found.review.push({
        reason: "ambiguousMatch",
        detail: `external ID ${id.name} is held by ${found.length} patients; external IDs must be unique`,
        candidates: found.map((p) => ({ patientId: p.id ?? "", total: 0, scores: {} })),
      });
      return { kind: "review" };
    }
    const patient = withId(found[0]);
    return patient ? { kind: "matched", patient, by: "externalId" } : undefined;
  },
  patientId(ctx) {
    const read = ctx.pack.matching.patientId.read({ message: ctx.message });
    if (read.kind !== "value" || typeof read.value !== "string") return undefined;
    const patient = withId(ctx.view.patientById(read.value));
    ctx.found.trace.push({
      step: "match",
      rule: "patientId",
      ref: read.alternative,
      detail: patient ? "found" : "no such patient",
    });
    if (patient) return { kind: "matched", patient, by: "patientId" };
    if (ctx.pack.matching.unknownPatientId === "demographics") return undefined;
    return { kind: "unknownPatientId", value: read.value, field: read.alternative };
  },
  demographics(ctx, incoming) {
    const candidates = ctx.view.patientCandidates(
      blockingKeysFor(ctx.pack.matching.demographics, incoming),
    );
    const result = classify(ctx.pack.matching.demographics, incoming, candidates);
    if (result.kind === "match") {
      if (tracing(ctx))
        ctx.found.trace.push({
          step: "match",
          rule: "demographics",
          score: scoresOf(result.score.fields),
          detail: `total ${result.score.total.toFixed(2)}`,
        });
      const patient = withId(candidates.find((c) => c.id === result.patientId));
      return patient ? { kind: "matched", patient, by: "demographics" } : { kind: "none" };
    }
    if (result.kind === "review") {
      ctx.found.review.push({
        reason: result.reason,
        detail:
          result.reason === "ambiguousMatch"
            ? "several stored patients score above the match threshold"
            : "a stored patient scores between the review and match thresholds: a possible duplicate",
        // The outcome's ReviewCandidate: the weight of each field, not the scorer's working levels.
        candidates: result.candidates.map(({ patientId, total, scores }) => ({
          patientId,
          total,
          scores,
        })),
      });
      return { kind: "review" };
    }
    ctx.found.trace.push({
      step: "match",
      rule: "demographics",
      detail: `no candidate above the review threshold (${candidates.length} compared)`,
    });
    return { kind: "none" };
  },
};

function scoresOf(
  fields: Readonly<Record<string, { readonly weight: number }>>,
): Record<string, number> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.weight]));
}

/** A present practice patient ID that names no patient (matching.patientId.unknown: error). */
export function unknownPatientIdError(
  match: Extract<PatientMatch, { kind: "unknownPatientId" }>,
): OutcomeError {
  return {
    code: "PATIENT_NOT_FOUND",
    severity: "error",
    message: `the practice patient ID '${match.value}' (${match.field}) belongs to no patient; a present patient ID is not matched on demographics (matching.patientId.unknown: error)`,
    field: match.field,
    value: match.value,
  };
}

export function matchPatient(
  ctx: MessageContext,
  order: readonly PatientStrategy[],
  incoming: Patient,
  ids: readonly ReceivedExternalId[],
): PatientMatch {
  const decided = decidedMatch(ctx);
  if (decided) return decided;
  let unknown: PatientMatch | undefined;
  for (const name of order) {
    // A present, unknown practice ID stops before demographics (an ID strategy may still match).
    if (unknown && name === "demographics") return unknown;
    const result = STRATEGIES[name](ctx, incoming, ids);
    if (result?.kind === "unknownPatientId") unknown = result;
    else if (result) return result;
  }
  return unknown ?? { kind: "none" };
}

/**
 * `mergeWith`: the named patient is the match; `createNew`: no match, so the
 * message registers a new patient. The review command refuses a patient the
 * store does not hold; should one be gone by now, the message goes back to
 * review rather than create anybody.
 */
function decidedMatch(ctx: MessageContext): PatientMatch | undefined {
  const decision = ctx.decision;
  if (decision?.kind === "createNew") {
    ctx.found.trace.push({ step: "match", rule: "review", detail: "create-new: no match" });
    return { kind: "none" };
  }
  if (decision?.kind !== "mergeWith") return undefined;
  const patient = withId(ctx.view.patientById(decision.patientId));
  ctx.found.trace.push({
    step: "match",
    rule: "review",
    detail: `merge-with ${decision.patientId}: ${patient ? "found" : "no such patient"}`,
  });
  if (patient) return { kind: "matched", patient, by: "review" };
  ctx.found.review.push({
    reason: "ambiguousMatch",
    detail: `the review decided patient ${decision.patientId}, which the store does not hold`,
    candidates: [],
  });
  return { kind: "review" };
}
