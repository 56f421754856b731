import type { OptionInForce, TraceEntry } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import type { OutboundEvent } from "../pack/enablement.js";
import type { OutboundOptions } from "../pack/outbound-options.js";

type OutboundCodeElement = keyof OutboundOptions["mappings"];

/**
 * An outbound leg's trace (§19): which options decided whether it is sent
 * (Table 4 enablement, Table 7 filters) and which the standard layout and
 * the field rules read to build it, named as the pack names them. Rule-test
 * coverage reads these; `rulepack outbound` does not keep them.
 */

const isPatientEvent = (leg: OutboundEvent) => leg === "patientAdd" || leg === "patientUpdate";

/** Table 4, then the leg's Table 7 filter when there is one. */
export function sendingTrace(
  pack: CompiledPack,
  leg: OutboundEvent,
  messageType: string | null,
): TraceEntry[] {
  const enabled = `enabled.outbound.${leg}`;
  const trace: TraceEntry[] = [
    {
      step: "filter",
      rule: enabled,
      event: leg,
      detail: messageType ? `sent as ${messageType}` : "not enabled",
      options: [{ path: enabled, value: messageType ?? false }],
    },
  ];
  const section = isPatientEvent(leg) ? "patients" : "appointments";
  const filter = pack.outbound.filters[section];
  if (messageType && filter) {
    trace.push({
      step: "filter",
      rule: `outbound.filters.${section}`,
      event: leg,
      detail: `by ${filter.by}: ${filter.names.join(", ")}`,
      options: [{ path: `outbound.filters.${section}` }],
    });
  }
  return trace;
}

/** Elements the PID, NK1, GT1 and IN1 segments code; an SIU adds its own. */
const PATIENT_ELEMENTS: readonly OutboundCodeElement[] = [
  "sex",
  "race",
  "ethnicity",
  "language",
  "maritalStatus",
  "country",
  "relationshipToInsured",
  "guarantorRelationship",
  "nextOfKinRelationship",
  "insurancePlan",
];
const APPOINTMENT_ELEMENTS: readonly OutboundCodeElement[] = ["cancelReason", "appointmentType"];

/** What building the leg's message read: MSH, provider IDs, code systems and mappings, SIU defaults, field rules. */
export function buildTrace(
  pack: CompiledPack,
  leg: OutboundEvent,
  messageType: string,
): TraceEntry[] {
  const outbound = pack.outbound;
  const patient = isPatientEvent(leg);
  const elements = patient ? PATIENT_ELEMENTS : [...PATIENT_ELEMENTS, ...APPOINTMENT_ELEMENTS];
  const options: OptionInForce[] = [
    { path: "outbound.msh" },
    { path: "outbound.providerId" },
    { path: "outbound.codeSystems" },
    ...elements
      .filter((e) => outbound.mappings[e] !== undefined)
      .map((e) => ({ path: `outbound.mappings.${e}` })),
  ];
  if (patient) options.push({ path: "guarantor.send", value: pack.guarantor.send });
  else
    options.push(
      { path: "outbound.appointmentDefaults" },
      {
        path: `outbound.appointmentStatuses.${leg}`,
        value: outbound.appointmentStatuses[leg as keyof typeof outbound.appointmentStatuses],
      },
    );
  const trace: TraceEntry[] = [
    { step: "build", rule: "standard layout", event: leg, detail: messageType, options },
  ];
  for (const rule of outbound.fields) {
    if (rule.messages && !rule.messages.includes(messageType)) continue;
    trace.push({
      step: "build",
      rule: rule.name,
      at: rule.at,
      event: leg,
      detail: `outbound field rule -> ${messageType}`,
      options: [{ path: "outbound.fields", value: rule.name, at: rule.at }],
    });
  }
  return trace;
}
