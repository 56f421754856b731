import type { Outcome, QueueState } from "../model/outcome.js";
import type { MessageFilter, StoredMessage } from "./types.js";

/**
 * Rules about queue rows both stores share: which patient an outcome
 * concerned and which messages a filter selects. The SQLite store says the
 * same in SQL (sqlite.ts); the contract suite holds them to each other.
 */

/** States a message waits in for a person to fix it (alerts, `oldestWaitingSince`). */
export const WAITING_STATES: readonly QueueState[] = ["ERROR", "CBOERROR"];

/** The patient the outcome's actions concern: the first action that names one. */
export function subjectPatientId(outcome: Outcome): string | undefined {
  for (const action of outcome.actions) {
    if (action.type === "patient.create") return action.patient.id;
    if ("patientId" in action && typeof action.patientId === "string") return action.patientId;
    if (action.type === "appointment.create" || action.type === "appointment.update") {
      const id = action.appointment.patientId;
      if (id !== undefined && id !== null) return id;
    }
    if (action.type === "claim.create") return action.claim.patientId;
  }
  return undefined;
}

/** How the queue names a sender: `MSH-3^MSH-4` (undefined for a message without MSH-3). */
export function senderName(m: {
  readonly sendingApplication?: string;
  readonly sendingFacility?: string;
}): string | undefined {
  return m.sendingApplication ? `${m.sendingApplication}^${m.sendingFacility ?? ""}` : undefined;
}

/** `ADT` selects every ADT message, `ADT^A04` every A04 with or without its structure. */
export function typeMatches(messageType: string, type: string): boolean {
  return messageType === type || messageType.startsWith(`${type}^`);
}

export function matchesFilter(m: StoredMessage, f: MessageFilter): boolean {
  return (
    (f.state === undefined || m.state === f.state) &&
    (f.states === undefined || f.states.includes(m.state)) &&
    (f.direction === undefined || m.direction === f.direction) &&
    (f.type === undefined || typeMatches(m.messageType, f.type)) &&
    (f.since === undefined || m.receivedAt >= f.since) &&
    (f.patientKey === undefined || m.patientKey === f.patientKey) &&
    (f.patientId === undefined || m.patientId === f.patientId) &&
    (f.afterSequence === undefined || m.sequence > f.afterSequence) &&
    (f.code === undefined ||
      (m.outcome?.errors ?? []).some(
        (e) => e.code === f.code && (f.value === undefined || e.value === f.value),
      ))
  );
}
