import type { Hl7Message, Hl7Segment } from "../hl7/tree.js";

/**
 * Segment groups of the message structures: a policy is an IN1 with the
 * IN2 and IN3 that follow it; in a DFT_P03 a charge line is an FT1 with the
 * PR1 that follow it (and their ROL).
 */
export interface SegmentGroup {
  readonly segments: readonly Hl7Segment[];
  /** The segment IDs that belong to this kind of group, read only within it. */
  readonly members: readonly string[];
  /** 1-based position of the group in the message. */
  readonly index: number;
}

const GROUPS = {
  policy: { head: "IN1", members: ["IN1", "IN2", "IN3"] },
  chargeLine: { head: "FT1", members: ["FT1", "PR1", "ROL"] },
} as const;

export type GroupKind = keyof typeof GROUPS;

export function groupsOf(message: Hl7Message, kind: GroupKind): SegmentGroup[] {
  const { head, members } = GROUPS[kind];
  const groups: SegmentGroup[] = [];
  let current: Hl7Segment[] | null = null;
  for (const segment of message.segments) {
    if (segment.name === head) {
      current = [segment];
      groups.push({ segments: current, members, index: groups.length + 1 });
    } else if (current && (members as readonly string[]).includes(segment.name)) {
      current.push(segment);
    } else {
      current = null;
    }
  }
  return groups;
}
