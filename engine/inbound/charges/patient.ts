import type { Patient } from "../../model/records.js";
import type { MessageContext } from "../context.js";
import { readExternalIds } from "../external-ids.js";
import { extractRecord } from "../extract.js";
import { matchPatient, unknownPatientIdError } from "../patients/match-patient.js";

/**
 * The patient of a charge (docs/pack-language.md §13, §18): "See subsection
 * 5.5 for information on how athenaNet matches inbound messages to a
 * patient", in `matching.order.charge`. The DFT's demographics serve the
 * matcher only ("athenaNet discards all other data, including demographic
 * updates"), so a field that fails to extract (an unmapped department in
 * PV1, a bad date) is left out of the comparison, not reported. A charge
 * never creates or updates a patient: no match, or a match in the review
 * band, is PATIENT_NOT_FOUND.
 */
export async function chargePatient(ctx: MessageContext): Promise<string | undefined> {
  const ids = readExternalIds(ctx.pack.externalIds.patient, { message: ctx.message });
  // Findings of their own: extraction errors and review candidates are not this message's.
  const quiet: MessageContext = {
    ...ctx,
    found: { errors: [], review: [], trace: ctx.found.trace },
  };
  const externalIds = Object.fromEntries(ids.map((i) => [i.name, i.value]));
  const order = ctx.pack.matching.order.charge;
  // The IDs first; the demographics are read only if that strategy is reached.
  const byDemographics = order.indexOf("demographics");
  const first = byDemographics < 0 ? order : order.slice(0, byDemographics);
  let match = matchPatient(quiet, first, { externalIds }, ids);
  if (match.kind === "none" && byDemographics >= 0) {
    const extracted = await extractRecord(quiet, "patient");
    // An internal fault (a pack expression over budget) is still the engine's to report.
    ctx.found.errors.push(...quiet.found.errors.filter((e) => e.code.startsWith("EXPRESSION_")));
    const { guarantor: _g, nextOfKin: _n, privacy: _p, ...demographics } = extracted.record;
    const incoming: Patient = { ...(demographics as Patient), externalIds };
    match = matchPatient(quiet, order.slice(byDemographics), incoming, ids);
  }
  if (match.kind === "matched") {
    ctx.found.trace.push({
      step: "match",
      rule: "matching.order.charge",
      detail: `patient ${match.patient.id} (by ${match.by})`,
      options: [{ path: "matching.order.charge", value: [...ctx.pack.matching.order.charge] }],
    });
    return match.patient.id;
  }
  if (match.kind === "unknownPatientId") {
    ctx.found.errors.push(unknownPatientIdError(match));
    return undefined;
  }
  const candidates = quiet.found.review.flatMap((r) => r.candidates.map((c) => c.patientId));
  ctx.found.errors.push({
    code: "PATIENT_NOT_FOUND",
    severity: "error",
    message:
      match.kind === "review"
        ? `the charge's patient is uncertain (${[...new Set(candidates)].join(", ") || "several candidates"} in the review band of ${order.join(", ")}); a charge never creates or updates a patient: match the patient by ID and reprocess`
        : `no patient matches the charge (tried ${order.join(", ")}); a charge never creates a patient: register the patient and reprocess`,
  });
  return undefined;
}
