import type { Hl7Field, Hl7Message, Hl7Segment } from "./tree.js";

/**
 * Plain reads of a parsed message by standard position. Rule packs use the
 * compiled field references of engine/paths; these are for the engine's own
 * fixed reads (MSH routing, ACKs).
 *
 * `undefined` means absent (empty or missing); `null` is the HL7 null `""`.
 */
export type Hl7Value = string | null | undefined;

export function segmentsNamed(message: Hl7Message, name: string): Hl7Segment[] {
  return message.segments.filter((s) => s.name === name);
}

export function fieldOf(segment: Hl7Segment | undefined, n: number): Hl7Field | undefined {
  return segment?.fields[n - 1];
}

/** One leaf by 1-based field, repetition, component and subcomponent. */
export function leafValue(
  segment: Hl7Segment | undefined,
  field: number,
  repetition = 1,
  component = 1,
  subcomponent = 1,
): Hl7Value {
  const value = fieldOf(segment, field)?.[repetition - 1]?.[component - 1]?.[subcomponent - 1]
    ?.value;
  return value === "" ? undefined : value;
}

export interface MessageType {
  /** MSH-9.1, e.g. `ADT`. */
  readonly code: string;
  /** MSH-9.2, e.g. `A04`; `""` when absent. */
  readonly trigger: string;
  /** MSH-9.3, e.g. `ADT_A01`; `""` when absent. */
  readonly structure: string;
}

export function messageType(message: Hl7Message): MessageType {
  const msh = message.segments[0];
  return {
    code: leafValue(msh, 9, 1, 1) ?? "",
    trigger: leafValue(msh, 9, 1, 2) ?? "",
    structure: leafValue(msh, 9, 1, 3) ?? "",
  };
}

/** `ADT^A04`, as outcomes and logs name a message's type. */
export function messageTypeName(message: Hl7Message): string {
  const t = messageType(message);
  return t.trigger ? `${t.code}^${t.trigger}` : t.code;
}

/** MSH-10, the sender's message control ID. */
export function controlId(message: Hl7Message): string {
  return leafValue(message.segments[0], 10) ?? "";
}

/** MSH-12.1, the version, e.g. `2.5.1`. */
export function versionId(message: Hl7Message): string {
  return leafValue(message.segments[0], 12) ?? "";
}
