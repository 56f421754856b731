import { TRIGGER_STRUCTURES } from "../hl7/structures.js";

/** The structures outbound messages are built in (MSH-9.3). */
export const OUTBOUND_STRUCTURES: readonly string[] = ["ADT_A05", "ADT_A01", "SIU_S12"];

/** `SIU^S12` -> `SIU_S12`; undefined for a type the engine does not know. */
export function structureOf(messageType: string): string | undefined {
  const [type = "", trigger = ""] = messageType.split("^");
  return TRIGGER_STRUCTURES[`${type}^${trigger}`];
}

/** The message types the engine sends, by trigger (`outbound.fields[].messages`). */
export const OUTBOUND_TRIGGERS: Readonly<Record<string, string | undefined>> = Object.fromEntries(
  [
    "ADT^A01",
    "ADT^A04",
    "ADT^A05",
    "ADT^A08",
    "ADT^A28",
    "ADT^A31",
    "SIU^S12",
    "SIU^S14",
    "SIU^S15",
  ].map((t) => [t, structureOf(t)]),
);
