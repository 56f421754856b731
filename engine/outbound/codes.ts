import type { OutcomeError } from "../model/outcome.js";
import type { MappingTable } from "../pack/mapping-tables.js";

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

/** Translates practice codes for one message, collecting UNMAPPED_CODE errors. */
export class CodeTranslator {
  readonly errors: OutcomeError[] = [];
  constructor(
    private readonly maps: Readonly<Partial<Record<OutboundCodeElement, OutboundCodeMap>>>,
  ) {}

  /** The receiver's code for `code` (unchanged when the element has no outbound mapping). */
  code(
    element: OutboundCodeElement,
    code: string | null | undefined,
    field: string,
  ): string | undefined {
    if (code === null || code === undefined || code === "") return undefined;
    const map = this.maps[element];
    if (!map) return code;
    const found = map.codes.get(map.caseInsensitive ? code.toUpperCase() : code);
    if (found !== undefined) return found;
    this.errors.push({
      code: "UNMAPPED_CODE",
      severity: "error",
      message: `${element} '${code}' has no row in outbound mapping table ${map.table} (${field}); nothing is sent`,
      field,
      table: map.table,
      value: code,
    });
    return undefined;
  }
}
