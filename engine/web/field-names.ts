import type { CompiledPack } from "../pack/compiled.js";

/**
 * What each HL7 field means to this practice's interface, for the message
 * page's hover: the pack's own field rules (`PID.7` -> `patient.dob`), its
 * required-field rules' labels and external IDs, read from the compiled
 * pack, so the names are the ones the engine uses. Keyed `SEG.N`.
 */
export function fieldNames(pack: CompiledPack): Readonly<Record<string, string>> {
  const names = new Map<string, Set<string>>();
  const add = (source: string | undefined, name: string) => {
    if (source === undefined) return;
    for (const m of source.matchAll(/\b([A-Z][A-Z0-9]{2})(?:\[[^\]]*\])?\.(\d+)/g)) {
      const key = `${m[1]}.${m[2]}`;
      const set = names.get(key) ?? new Set<string>();
      set.add(name);
      names.set(key, set);
    }
  };
  for (const rule of pack.fields) add(rule.from?.source, rule.field);
  for (const rule of pack.required) add(rule.ref?.source, rule.label);
  for (const id of pack.externalIds.patient) add(id.from.source, `patient external ID ${id.name}`);
  for (const id of pack.externalIds.appointment)
    add(id.from.source, `appointment external ID ${id.name}`);
  add(pack.matching.patientId.source, "patient ID (matching)");
  return Object.fromEntries([...names].map(([key, set]) => [key, [...set].join(", ")]));
}
