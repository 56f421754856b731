import { DEFAULT_DEMOGRAPHICS, type DemographicsConfig } from "../../matching/config.js";
import { compileDemographics } from "../../matching/scorer.js";
import type { CompiledMatching } from "../compiled.js";
import type { CompileContext } from "../context.js";
import { PACK_DEFAULTS } from "../defaults.js";
import { withTrainedFile } from "./trained-weights.js";

/**
 * `matching` (athena Patient Matching Logic, docs/pack-language.md §13):
 * the order of the strategies per message kind, where the athenaNet patient
 * ID travels, the demographic scorer and the substantial changes.
 * Undefined when the patient ID's reference does not compile (reported).
 */
/** The pack's demographic configuration over the defaults, with its trained weights file applied. */
function demographicsOf(ctx: CompileContext): DemographicsConfig {
  const raw = ctx.raw.matching;
  const { trained, ...demographics } = raw?.demographics ?? {};
  return withTrainedFile(
    ctx,
    {
      ...DEFAULT_DEMOGRAPHICS,
      ...demographics,
      ...(raw?.blocking && { blocking: raw.blocking }),
    },
    trained,
  );
}

export function compileMatching(ctx: CompileContext): CompiledMatching | undefined {
  const raw = ctx.raw.matching;
  const defaults = PACK_DEFAULTS.matching;
  const patientId = ctx.reference(
    ["matching", "patientId", "from"],
    raw?.patientId?.from ?? defaults.patientId.from,
    "patient",
  );
  if (!patientId) return undefined;
  return {
    order: {
      patient: raw?.order?.patient ?? defaults.order.patient,
      appointment: raw?.order?.appointment ?? defaults.order.appointment,
      charge: raw?.order?.charge ?? defaults.order.charge,
    },
    patientId,
    unknownPatientId: raw?.patientId?.unknown ?? defaults.patientId.unknown,
    demographics: compileDemographics(demographicsOf(ctx)),
    substantialChange: raw?.substantialChange ?? defaults.substantialChange,
    at: ctx.at(["matching"]),
  };
}
