import type { MappingTable } from "./mapping-tables.js";

/**
 * Outbound code mappings (docs/pack-language.md §19, docs/decisions/0006):
 * a practice code -> the receiver's code, per Table 19 element. The table a
 * pack names in `outbound.mappings.<element>` is either written that way
 * (`direction: outbound`: one row per practice code, several practice codes
 * may share a receiver code) or an inbound table read backwards (the row
 * marked `outbound: true` wins among rows sharing a practice code, else the
 * first). A code with no row is UNMAPPED_CODE: nothing is sent.
 */

/** The coded values the builders write that a receiver may want in its own codes. */
export const OUTBOUND_CODE_ELEMENTS = [
  "sex",
  "race",
  "ethnicity",
  "language",
  "maritalStatus",
  "country",
  "relationshipToInsured",
  "guarantorRelationship",
  "nextOfKinRelationship",
  "cancelReason",
  "appointmentType",
  "insurancePlan",
] as const;
export type OutboundCodeElement = (typeof OUTBOUND_CODE_ELEMENTS)[number];

export interface OutboundCodeMap {
  readonly element: OutboundCodeElement;
  readonly table: string;
  /** How the table is written: `outbound` as sent, `inbound` read backwards. */
  readonly read: "outbound" | "reversed";
  readonly caseInsensitive: boolean;
  /** Practice code (upper-cased when caseInsensitive) -> receiver code. */
  readonly codes: ReadonlyMap<string, string>;
  readonly at: string;
}

export function codeMapOf(
  element: OutboundCodeElement,
  table: MappingTable,
  at: string,
): OutboundCodeMap {
  const base = { element, table: table.name, at };
  if (table.direction === "outbound") {
    const codes = new Map([...table.rows].map(([key, row]) => [key, row.foreign]));
    return { ...base, read: "outbound", caseInsensitive: table.caseInsensitive, codes };
  }
  const codes = new Map<string, string>();
  const marked = new Set<string>();
  for (const row of table.rows.values()) {
    if (marked.has(row.practice)) continue;
    if (row.outbound === true) marked.add(row.practice);
    if (row.outbound === true || !codes.has(row.practice)) codes.set(row.practice, row.foreign);
  }
  return { ...base, read: "reversed", caseInsensitive: false, codes };
}
