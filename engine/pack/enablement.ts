/**
 * Table 4 - Interface Enablement, normalized: each event maps to the message
 * types it is enabled for (`[]` = disabled). `true` in a pack means the
 * defaults below (docs/pack-language.md §7); sections/enabled.ts compiles it.
 */
export const INBOUND_EVENTS = [
  "patientAdd",
  "patientUpdate",
  "appointmentSchedule",
  "appointmentUpdate",
  "appointmentCancel",
  "appointmentCheckIn",
  "appointmentCheckOut",
  "charge",
] as const;
export type InboundEvent = (typeof INBOUND_EVENTS)[number];
export type OutboundEvent = Exclude<InboundEvent, "charge">;

const PATIENT_MESSAGES = ["ADT^A01", "ADT^A04", "ADT^A05", "ADT^A08", "ADT^A28", "ADT^A31"];

export const INBOUND_DEFAULTS: Readonly<Record<InboundEvent, readonly string[]>> = {
  patientAdd: PATIENT_MESSAGES,
  patientUpdate: PATIENT_MESSAGES,
  appointmentSchedule: ["SIU^S12"],
  appointmentUpdate: ["SIU^S14", "SIU^S13", "SIU^S26"],
  appointmentCancel: ["SIU^S15", "SIU^S17", "SIU^S14", "SIU^S26"],
  appointmentCheckIn: ["SIU^S14"],
  appointmentCheckOut: ["SIU^S14"],
  charge: ["DFT^P03"],
};

export const OUTBOUND_DEFAULTS: Readonly<Record<OutboundEvent, string>> = {
  patientAdd: "ADT^A28",
  patientUpdate: "ADT^A31",
  appointmentSchedule: "SIU^S12",
  appointmentUpdate: "SIU^S14",
  appointmentCancel: "SIU^S15",
  appointmentCheckIn: "SIU^S14",
  appointmentCheckOut: "SIU^S14",
};

export interface Enablement {
  readonly inbound: Readonly<Record<InboundEvent, readonly string[]>>;
  /** The message type sent, or null when disabled. */
  readonly outbound: Readonly<Record<OutboundEvent, string | null>>;
}

export function isInboundEnabled(e: Enablement, event: InboundEvent, messageType: string): boolean {
  return e.inbound[event].includes(messageType);
}
