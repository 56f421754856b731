import { lookupRow } from "../../pack/mapping-tables.js";
import type { MessageContext } from "../context.js";

/**
 * HL7 defines IN1-17 and GT1-11 as the insured's / guarantor's relationship
 * *to the patient*; the spec names them the *patient's* relationship. When
 * the sender follows HL7, the mapped practice code is turned around
 * (parent <-> child) through `relationshipInverse`.
 */
export function invertRelationship(
  ctx: MessageContext,
  code: string,
  field: string,
): string | undefined {
  const table = ctx.pack.relationshipInverse;
  const row = table ? lookupRow(table, code) : undefined;
  if (!row) {
    ctx.found.errors.push({
      code: "UNMAPPED_CODE",
      severity: "error",
      message: `relationship '${code}' has no inverse in mapping table relationshipInverse (${field}); add a row and reprocess`,
      field,
      table: "relationshipInverse",
      value: code,
    });
    return undefined;
  }
  ctx.found.trace.push({
    step: "map",
    at: row.at,
    table: "relationshipInverse",
    row: `${row.foreign} -> ${row.practice}`,
    options: [
      field === "GT1.11"
        ? { path: "guarantor.relationshipDirection", value: "guarantorToPatient" }
        : { path: "insurance.relationshipDirection", value: "insuredToPatient" },
    ],
  });
  return row.practice;
}
