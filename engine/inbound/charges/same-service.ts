import type { ChargeLine, Claim } from "../../model/records.js";
import type { ClaimHeader } from "./claim-derivation.js";
import type { ChargeLineInput } from "./lines.js";

/**
 * What makes two charges the same service, for Charge Combining
 * (docs/pack-language.md §18): the same patient (the claims compared are
 * the patient's), procedure, modifiers (as a set: RT and LT are two
 * services, 25 is not its absence), service date, pointed diagnoses (the
 * codes a line points at, in pointer order: the first is why the service
 * was done) and rendering provider. Units are not part of it: "it also
 * updates the unit amount … rather than combining the units". A line has
 * no price in the claim model, so there is none to compare.
 *
 * Only the same service is overridden; any difference keeps both lines.
 */
export type ServiceKey = string;

const SEP = "\u0000";
const LIST = "\u0001";

function keyOf(
  procedure: string,
  modifiers: readonly string[],
  serviceDate: string,
  renderingProviderId: string,
  pointed: readonly string[],
): ServiceKey {
  return [
    procedure,
    [...modifiers].sort().join(LIST),
    serviceDate,
    renderingProviderId,
    pointed.join(LIST),
  ].join(SEP);
}

/** An incoming line: its claim fields, and the first `pointersPerLine` distinct codes it will point at. */
export function incomingService(
  line: ChargeLineInput,
  header: ClaimHeader,
  pointersPerLine: number,
): ServiceKey {
  const pointed = [...new Set(line.diagnoses)].slice(0, pointersPerLine);
  return keyOf(
    line.procedure,
    line.modifiers,
    header.serviceDate,
    header.renderingProviderId,
    pointed,
  );
}

/** A stored claim's line: the claim's date and rendering provider, the codes its pointers name. */
export function storedService(claim: Claim, line: ChargeLine): ServiceKey {
  const pointed = line.diagnosisPointers.map((p) => claim.diagnoses[p - 1] ?? `#${p}`);
  return keyOf(
    line.procedure,
    line.modifiers,
    claim.serviceDate,
    claim.renderingProviderId,
    pointed,
  );
}
