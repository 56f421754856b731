import type { MasterData } from "../model/master-data.js";
import type { CompiledPack } from "../pack/compiled.js";

/**
 * The practice codes a mapping table may map to, when master data lists
 * them: a row mapping a foreign code to a package, provider, department or
 * appointment type the practice does not have would only move the message's
 * error from UNMAPPED_* to UNKNOWN_* at reprocess.
 */
const KNOWN: Readonly<
  Record<string, { readonly what: string; readonly codes: (m: MasterData) => readonly string[] }>
> = {
  insurancePlan: {
    what: "an insurance package",
    codes: (m) => m.insurancePackages.map((p) => p.id),
  },
  provider: {
    what: "a provider",
    codes: (m) => m.providers.flatMap((p) => (p.npi ? [p.id, p.npi] : [p.id])),
  },
  department: { what: "a department", codes: (m) => m.departments.map((d) => d.id) },
  appointmentType: {
    what: "an appointment type",
    codes: (m) => m.appointmentTypes.map((t) => t.id),
  },
};

/** Why `practice` cannot be the practice code of `table`'s rows, if master data says so. */
export function unknownPracticeCode(
  pack: CompiledPack,
  table: string,
  practice: string,
  master: MasterData | undefined,
): string | undefined {
  if (!master) return undefined;
  for (const [element, mapping] of Object.entries(pack.mappings)) {
    const known = KNOWN[element];
    if (mapping?.table !== table || !known) continue;
    const codes = known.codes(master);
    if (codes.length > 0 && !codes.includes(practice)) {
      return `'${practice}' is not ${known.what} in the practice's master data (master-data.yaml lists ${codes.length}: ${codes.slice(0, 10).join(", ")}${codes.length > 10 ? ", ..." : ""})`;
    }
  }
  return undefined;
}

/**
 * The practice codes master data offers for `table`'s rows (what a person
 * picks from when mapping a foreign code), with a label; empty when master
 * data lists none for it or the table maps no element it checks.
 */
export function practiceCodeChoices(
  pack: CompiledPack,
  table: string,
  master: MasterData | undefined,
): readonly { readonly code: string; readonly label: string }[] {
  if (!master) return [];
  const element = Object.entries(pack.mappings).find(([, m]) => m?.table === table)?.[0];
  switch (element) {
    case "insurancePlan":
      return master.insurancePackages.map((p) => ({ code: p.id, label: labelOf(p) }));
    case "provider":
      return master.providers.map((p) => ({ code: p.id, label: labelOf(p) }));
    case "department":
      return master.departments.map((d) => ({ code: d.id, label: labelOf(d) }));
    case "appointmentType":
      return master.appointmentTypes.map((t) => ({ code: t.id, label: labelOf(t) }));
    default:
      return [];
  }
}

/** `ID name` when the record has a name, else its ID. */
function labelOf(record: { readonly id: string; readonly name?: string }): string {
  return record.name ? `${record.id} ${record.name}` : record.id;
}
