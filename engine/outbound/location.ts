import type { Location } from "../pack/outbound-location.js";
import type { Segment } from "./segments.js";

/** Writing at a location parsed at load (pack/outbound-location.ts). */
export { type Location, parseLocation } from "../pack/outbound-location.js";

/**
 * The repetition a location names: its number, the one whose component is
 * the value (created when `create` and there is none; else 0), or the first.
 */
function repetitionOf(segment: Segment, location: Location, create: boolean): number {
  const r = location.repetition;
  if (r === undefined) return 1;
  if ("index" in r) return r.index;
  if (create) return segment.repWhere(location.field, r.component, r.value);
  const reps = segment.fields[location.field] ?? [];
  return reps.findIndex((x) => x[r.component - 1] === r.value) + 1;
}

/** Write `value` at the location in `segment` (the repetition created when needed). */
export function writeAt(segment: Segment, location: Location, value: string): void {
  segment.set(location.field, location.component, value, repetitionOf(segment, location, true));
}

/** Clear the location in `segment` (an outbound field rule's null); nothing when it is not there. */
export function clearAt(segment: Segment, location: Location): void {
  const rep = repetitionOf(segment, location, false);
  if (rep > 0) segment.clear(location.field, location.component, rep);
}
