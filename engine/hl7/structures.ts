import { messageType } from "./access.js";
import type { Hl7Message, ParseIssue } from "./tree.js";

/**
 * Which segments each message structure can carry (HL7 v2.5.1 abstract
 * message syntax, plus what later versions added: ARV, PRT, ... ), so a pack
 * can be told at load that a rule reads a segment its messages never hold.
 * Z-segments are site-defined and allowed everywhere.
 */
const COMMON = ["MSH", "SFT", "UAC", "NTE"];

const ADT_PATIENT = [
  ...COMMON,
  "EVN",
  "PID",
  "PD1",
  "ARV",
  "ROL",
  "NK1",
  "PV1",
  "PV2",
  "DB1",
  "OBX",
  "AL1",
  "DG1",
  "DRG",
  "PR1",
  "GT1",
  "IN1",
  "IN2",
  "IN3",
  "ACC",
  "UB1",
  "UB2",
  "PDA",
  "PRT",
  "RF1",
  "CON",
];

export const MESSAGE_STRUCTURES: Readonly<Record<string, readonly string[]>> = {
  ADT_A01: ADT_PATIENT,
  ADT_A05: ADT_PATIENT,
  SIU_S12: [
    ...COMMON,
    "SCH",
    "TQ1",
    "PID",
    "PD1",
    "PV1",
    "PV2",
    "OBX",
    "DG1",
    "RGS",
    "AIS",
    "AIG",
    "AIL",
    "AIP",
    "ARQ",
    "PRT",
  ],
  DFT_P03: [
    ...COMMON,
    "EVN",
    "PID",
    "PD1",
    "ROL",
    "PV1",
    "PV2",
    "DB1",
    "ORC",
    "OBR",
    "TQ1",
    "OBX",
    "FT1",
    "PR1",
    "DG1",
    "DRG",
    "GT1",
    "IN1",
    "IN2",
    "IN3",
    "ACC",
    "PRT",
  ],
};

/** The structure each supported trigger uses (MSH-9.3 may say so too). */
export const TRIGGER_STRUCTURES: Readonly<Record<string, string>> = {
  "ADT^A01": "ADT_A01",
  "ADT^A04": "ADT_A01",
  "ADT^A08": "ADT_A01",
  "ADT^A05": "ADT_A05",
  "ADT^A28": "ADT_A05",
  "ADT^A31": "ADT_A05",
  "SIU^S12": "SIU_S12",
  "SIU^S13": "SIU_S12",
  "SIU^S14": "SIU_S12",
  "SIU^S15": "SIU_S12",
  "SIU^S17": "SIU_S12",
  "SIU^S26": "SIU_S12",
  "DFT^P03": "DFT_P03",
};

export function structureCarries(structure: string, segment: string): boolean {
  if (segment.startsWith("Z")) return true;
  return MESSAGE_STRUCTURES[structure]?.includes(segment) ?? false;
}

/**
 * The segments each structure holds at most once: those outside every
 * repeating group (HL7 v2.5.1 abstract message syntax; 2.3.1 agrees). In
 * SIU_S12 the patient group repeats, so PID may too.
 */
export const SINGLE_SEGMENTS: Readonly<Record<string, readonly string[]>> = {
  ADT_A01: ["MSH", "UAC", "EVN", "PID", "PD1", "PV1", "PV2", "DRG", "ACC", "UB1", "UB2", "PDA"],
  ADT_A05: ["MSH", "UAC", "EVN", "PID", "PD1", "PV1", "PV2", "DRG", "ACC", "UB1", "UB2", "PDA"],
  SIU_S12: ["MSH", "UAC", "SCH"],
  DFT_P03: ["MSH", "UAC", "EVN", "PID", "PD1", "PV1", "PV2", "DRG", "ACC"],
};

/**
 * The structure a message is read with: its trigger's (the engine routes by
 * MSH-9.1 and MSH-9.2), else the one MSH-9.3 names when it is known.
 */
export function structureOf(message: Hl7Message): string | undefined {
  const type = messageType(message);
  // Own keys only: a message's MSH-9 may say `__proto__`.
  const trigger = `${type.code}^${type.trigger}`;
  if (Object.hasOwn(TRIGGER_STRUCTURES, trigger)) return TRIGGER_STRUCTURES[trigger];
  return Object.hasOwn(SINGLE_SEGMENTS, type.structure) ? type.structure : undefined;
}

/**
 * A segment its structure holds once, repeated (a second PID in an ADT^A04):
 * an error at its second occurrence (`PID[2]`), since the engine would read
 * one and silently drop the others.
 */
export function repeatedSegments(message: Hl7Message): ParseIssue[] {
  const structure = structureOf(message);
  const single = structure !== undefined ? SINGLE_SEGMENTS[structure] : undefined;
  if (!structure || !single) return [];
  const seen = new Map<string, number>();
  const issues: ParseIssue[] = [];
  message.segments.forEach((segment, segmentIndex) => {
    if (!single.includes(segment.name)) return;
    const occurrence = (seen.get(segment.name) ?? 0) + 1;
    seen.set(segment.name, occurrence);
    if (occurrence !== 2) return;
    issues.push(
      Object.freeze({
        code: "SEGMENT_REPEATED",
        severity: "error",
        messageIndex: message.index,
        segmentIndex,
        line: segment.line,
        field: `${segment.name}[${occurrence}]`,
        message: `${segment.name} occurrence ${occurrence}: the ${structure} structure holds one ${segment.name}`,
      }),
    );
  });
  return issues;
}
