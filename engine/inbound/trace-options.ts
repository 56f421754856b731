import type { Hl7Message } from "../hl7/tree.js";
import type { OptionInForce } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import type { InboundEvent } from "../pack/enablement.js";
import type { ReceivedExternalId } from "./external-ids.js";

/**
 * The options a decision read, for the trace's `options` (what rule-test
 * coverage counts as exercised): named as the pack names them, with the
 * value in force. Only what decided goes in, so a case covers the options
 * its messages actually took a path through.
 */

/** Table 4: the message types the event is enabled for (`[]`: disabled). */
export const enabledInbound = (pack: CompiledPack, event: InboundEvent): OptionInForce => ({
  path: `enabled.inbound.${event}`,
  value: [...pack.enabled.inbound[event]],
});

/** Table 5 / Table 6: each external ID the message carried, by its entry. */
export function receivedExternalIds(
  pack: CompiledPack,
  kind: "patient" | "appointment",
  ids: readonly ReceivedExternalId[],
): OptionInForce[] {
  return ids.flatMap((id) => {
    const entry = pack.externalIds[kind].find((e) => e.name === id.name);
    return entry ? [{ path: `externalIds.${kind}`, value: id.name, at: entry.at }] : [];
  });
}

type PatientMatchBy = "externalId" | "patientId" | "demographics" | "review" | undefined;

const carries = (message: Hl7Message, segment: string): boolean =>
  message.segments.some((s) => s.name === segment);

/**
 * A patient message's add or update: its enablement, the matching order and
 * the tier that matched (demographics: its scorer; no match: every tier was
 * tried), the substantial-change fields an update is judged by, the
 * external IDs received, and what the actions that follow read: privacy on
 * a create, guarantor with a GT1, insurance (and its mode without an IN1).
 * One entry for all of it: rule tests assert on the one `decide` entry.
 */
export function patientDecision(
  pack: CompiledPack,
  event: "patientAdd" | "patientUpdate",
  by: PatientMatchBy,
  ids: readonly ReceivedExternalId[],
  message: Hl7Message,
): OptionInForce[] {
  const order = pack.matching.order.patient;
  const options: OptionInForce[] = [
    enabledInbound(pack, event),
    { path: "matching.order.patient", value: [...order] },
  ];
  if (by === "demographics" || (by === undefined && order.includes("demographics")))
    options.push({ path: "matching.demographics" });
  if (by === "patientId" || (by === undefined && order.includes("patientId")))
    options.push({ path: "matching.patientId" });
  if (by !== undefined && by !== "review")
    options.push({
      path: "matching.substantialChange",
      value: [...pack.matching.substantialChange],
    });
  options.push(...receivedExternalIds(pack, "patient", ids));
  if (event === "patientAdd")
    options.push({ path: "privacy.autoCheck", value: pack.privacy.autoCheck });
  if (carries(message, "GT1"))
    options.push({ path: "guarantor.receive", value: pack.guarantor.receive });
  options.push({ path: "insurance.receive", value: pack.insurance.receive });
  if (pack.insurance.receive && !carries(message, "IN1"))
    options.push({ path: "insurance.mode", value: pack.insurance.mode });
  return options;
}

/**
 * An appointment message's event (§17): its enablement, how the patient was
 * found, and the option the trigger's path read: S13 on a stored
 * appointment `reschedule`, S26 `noShow`, S14 `updateEvents`.
 */
export function appointmentDecision(
  pack: CompiledPack,
  event: InboundEvent,
  trigger: string,
  matched: boolean,
  ids: readonly ReceivedExternalId[],
): OptionInForce[] {
  const options: OptionInForce[] = [
    enabledInbound(pack, event),
    { path: "matching.order.appointment", value: [...pack.matching.order.appointment] },
  ];
  const appointments = pack.appointments;
  if (matched && trigger === "S13")
    options.push({ path: "appointments.reschedule", value: appointments.reschedule });
  if (matched && trigger === "S26") options.push({ path: "appointments.noShow" });
  if (matched && (trigger === "S14" || trigger === "S26"))
    options.push({ path: "appointments.updateEvents" });
  options.push(...receivedExternalIds(pack, "appointment", ids));
  return options;
}
