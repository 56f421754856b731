import type { GuarantorOptions, InsuranceOptions } from "../compiled.js";
import type { CompileContext } from "../context.js";
import { PACK_DEFAULTS } from "../defaults.js";
import type { MappingTable } from "../mapping-tables.js";

/** `guarantor` (Guarantor Information): received, sent, and GT1.11's direction. */
export function compileGuarantor(ctx: Pick<CompileContext, "raw">): GuarantorOptions {
  const raw = ctx.raw.guarantor;
  const defaults = PACK_DEFAULTS.guarantor;
  return {
    receive: raw?.receive ?? defaults.receive,
    send: raw?.send ?? defaults.send,
    relationshipDirection: raw?.relationshipDirection ?? defaults.relationshipDirection,
  };
}

/**
 * A relationship written the other way round (the insured's to the patient,
 * the guarantor's to the patient) is turned around through
 * `mappings/standard/relationshipInverse.yaml`, read when a direction needs it.
 */
export function relationshipInverse(
  ctx: CompileContext,
  insurance: InsuranceOptions,
  guarantor: GuarantorOptions,
): MappingTable | undefined {
  const inverted =
    insurance.relationshipDirection === "insuredToPatient"
      ? ["insurance", "relationshipDirection"]
      : guarantor.relationshipDirection === "guarantorToPatient"
        ? ["guarantor", "relationshipDirection"]
        : undefined;
  if (!inverted || ctx.abstract) return undefined;
  return ctx.readTable("relationshipInverse", inverted, "turns relationships around");
}
