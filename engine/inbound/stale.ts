import type { TypedAction } from "../model/actions.js";
import type { OutcomeError } from "../model/outcome.js";
import type { Patient } from "../model/records.js";
import type { StoreView } from "../store/types.js";

/**
 * A reprocessed message older than what the store already applied to its
 * patient (docs/pack-language.md §20 "Reprocess and review"): the newer
 * values win. Without `force`, each action on that patient keeps only what
 * fills a gap in the stored record; appointment and charge actions, which
 * concern their own records, apply as decided.
 */
export interface StaleReprocess {
  readonly patientId: string;
  /** The newest message already applied to the patient, received after this one. */
  readonly newerMessageId: string;
  /** Apply the actions as decided (`--force`). */
  readonly force: boolean;
}

type Keep<T extends TypedAction> = (
  action: T,
  stored: Patient,
  view: StoreView,
) => TypedAction | undefined;
type KeepTable = { readonly [K in TypedAction["type"]]?: Keep<Extract<TypedAction, { type: K }>> };

const holds = (value: unknown): boolean => value !== undefined && value !== null;

const policyHeld = (view: StoreView, patientId: string, sequence: number): boolean =>
  view.policiesOf(patientId).some((p) => p.sequence === sequence);

const KEEP: KeepTable = {
  "patient.update": (action, stored) => {
    const record = stored as Readonly<Record<string, unknown>>;
    const gaps = Object.entries(action.patient).filter(([key]) => !holds(record[key]));
    return gaps.length === 0 ? undefined : { ...action, patient: Object.fromEntries(gaps) };
  },
  "externalId.set": (action, stored) =>
    holds(stored.externalIds?.[action.name]) ? undefined : action,
  "guarantor.set": (action, stored) => (holds(stored.guarantor) ? undefined : action),
  "insurance.add": (action, _stored, view) =>
    policyHeld(view, action.patientId, action.policy.sequence) ? undefined : action,
  "insurance.update": (action, _stored, view) =>
    policyHeld(view, action.patientId, action.policy.sequence) ? undefined : action,
  "insurance.replace": (action, _stored, view) =>
    policyHeld(view, action.patientId, action.policy.sequence) ? undefined : action,
  "insurance.selfPay": (action, _stored, view) =>
    view.policiesOf(action.patientId).length > 0 ? undefined : action,
};

function concerns(action: TypedAction, patientId: string): boolean {
  if (action.type === "externalId.set")
    return action.record === "patient" && action.recordId === patientId;
  return "patientId" in action && action.patientId === patientId;
}

/** The actions with the patient's stored values kept (the newer message's values win). */
export function keepStoredValues(
  actions: readonly TypedAction[],
  view: StoreView,
  patientId: string,
): TypedAction[] {
  const stored = view.patientById(patientId);
  if (!stored) return [...actions];
  return actions.flatMap((action) => {
    const keep = KEEP[action.type] as Keep<TypedAction> | undefined;
    if (!keep || !concerns(action, patientId)) return [action];
    const kept = keep(action, stored, view);
    return kept ? [kept] : [];
  });
}

export function staleWarning(stale: StaleReprocess): OutcomeError {
  return {
    code: "STALE_REPROCESS",
    severity: "warning",
    message: `this message was received before ${stale.newerMessageId}, already applied to patient ${stale.patientId}: ${
      stale.force
        ? "its actions applied as decided (--force), over newer values"
        : "values the store holds for the patient were kept; only gaps were filled (--force applies it whole)"
    }`,
  };
}
