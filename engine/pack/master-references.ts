import type { PackError } from "../documents/errors.js";
import { originOf, type PathKey } from "../documents/merge.js";
import { readYaml } from "../documents/source.js";
import { closest } from "../documents/suggest.js";
import type { MappingElement } from "../model/canonical-fields.js";
import type { MasterData } from "../model/master-data.js";
import { readChain } from "./chain.js";
import type { CompiledPack } from "./compiled.js";

/**
 * What a pack names in the practice's master data, checked against the
 * `master-data.yaml` beside it before a message runs (`rulepack validate`):
 * the names of `outbound.filters` (a typo would filter every record, not
 * fail), the provider, department, package and appointment-type codes
 * written in field rules (`default:` and `record.X = "code"` in
 * expressions), and the practice codes of the mapping tables' rows. Each
 * unknown one is `UNKNOWN_MASTER_CODE` at `FILE:LINE:COL`, with the nearest
 * known name when one is close.
 */

type Kind = "provider" | "department" | "package" | "appointmentType";

const WHAT: Readonly<Record<Kind, string>> = {
  provider: "a provider",
  department: "a department",
  package: "an insurance package",
  appointmentType: "an appointment type",
};

const LIST: Readonly<Record<Kind, string>> = {
  provider: "providers",
  department: "departments",
  package: "insurancePackages",
  appointmentType: "appointmentTypes",
};

/** The codes of a kind that stand for a master-data entry (a provider's NPI too). */
function codesOf(kind: Kind, master: MasterData): readonly string[] {
  switch (kind) {
    case "provider":
      return master.providers.flatMap((p) => (p.npi ? [p.id, p.npi] : [p.id]));
    case "department":
      return master.departments.map((d) => d.id);
    case "package":
      return master.insurancePackages.map((p) => p.id);
    case "appointmentType":
      return master.appointmentTypes.map((t) => t.id);
  }
}

/** The names an outbound filter may list: master-data names or IDs. */
function namesOf(kind: "provider" | "department", master: MasterData): readonly string[] {
  const entries = kind === "provider" ? master.providers : master.departments;
  return entries.flatMap((e) => (e.name ? [e.name, e.id] : [e.id]));
}

/** Canonical fields whose value is a practice code of a master-data list. */
const FIELD_KINDS: Readonly<Record<string, Kind>> = {
  "patient.primaryProviderId": "provider",
  "patient.primaryDepartmentId": "department",
  "policy.packageId": "package",
  "appointment.providerId": "provider",
  "appointment.departmentId": "department",
  "appointment.type": "appointmentType",
  "claim.renderingProviderId": "provider",
  "claim.supervisingProviderId": "provider",
  "claim.departmentId": "department",
};

/** Mapping elements whose practice codes are master-data entries. */
const TABLE_KINDS: Readonly<Partial<Record<MappingElement, Kind>>> = {
  provider: "provider",
  department: "department",
  insurancePlan: "package",
  appointmentType: "appointmentType",
};

/** `record.departmentId = "12"` (or `"12" = record.departmentId`, `!=`) in an expression. */
const COMPARED =
  /(?:\b(?:record|patient|appointment|claim|policy)\.)([A-Za-z]+)\s*!?=\s*(["'])([^"']*)\2|(["'])([^"']*)\4\s*!?=\s*(?:\b(?:record|patient|appointment|claim|policy)\.)([A-Za-z]+)/g;

/** The master-data kind of a record field's last name (`departmentId`, `renderingProviderId`). */
function kindOfName(name: string): Kind | undefined {
  if (/providerid$/i.test(name)) return "provider";
  if (/departmentid$/i.test(name)) return "department";
  if (name === "packageId") return "package";
  return undefined;
}

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The unknown master-data references of a loaded practice pack. A kind
 * whose list is empty in `master` is not checked for rule codes and mapping
 * rows (the practice lists none); filters are, since they would filter all.
 */
export function checkMasterReferences(
  packFile: string,
  pack: CompiledPack,
  master: MasterData,
  masterFile: string,
): PackError[] {
  const read = readChain(packFile);
  if (!read.ok) return [];
  const merged = read.chain.merged;
  const errors: PackError[] = [];
  const locate = (path: PathKey, column?: number) => {
    const origin = originOf(merged, path);
    if (!origin) return { file: packFile, line: 1, col: 1 };
    return column === undefined
      ? origin.source.locate(origin.path)
      : origin.source.locateWithin(origin.path, column);
  };
  const unknown = (kind: Kind, code: string, known: readonly string[], where: string) => {
    // A one- or two-character code is near every other: no suggestion.
    const near = code.length >= 4 ? closest(code, known) : undefined;
    return `${where} '${code}' is not ${WHAT[kind]} of ${masterFile} (${LIST[kind]}: ${known.slice(0, 8).join(", ") || "none"}${known.length > 8 ? ", ..." : ""})${near ? `; did you mean '${near}'?` : ""}`;
  };

  // Outbound filters: names matched ignoring case, as the sender does.
  const data = merged.data as Json;
  const filters = isMap(data.outbound) && isMap(data.outbound.filters) ? data.outbound.filters : {};
  for (const record of ["patients", "appointments"] as const) {
    const filter = filters[record];
    if (!isMap(filter) || !Array.isArray(filter.names)) continue;
    const kind = filter.by === "provider" ? "provider" : "department";
    const known = namesOf(kind, master);
    const lower = new Set(known.map((n) => n.toLowerCase()));
    filter.names.forEach((name, i) => {
      if (typeof name !== "string" || lower.has(name.toLowerCase())) return;
      const path = ["outbound", "filters", record, "names", i];
      errors.push({
        ...locate(path),
        code: "UNKNOWN_MASTER_CODE",
        message: `${unknown(kind, name, known, `outbound.filters.${record}.names[${i}]`)}: every ${record === "patients" ? "patient" : "appointment"} of it would be FILTERED`,
        path: path.join("."),
      });
    });
  }

  // Field rules: defaults of a master-data field, and codes compared in expressions.
  const fields = Array.isArray(data.fields) ? data.fields : [];
  fields.forEach((rule, i) => {
    if (!isMap(rule)) return;
    const kind = typeof rule.field === "string" ? FIELD_KINDS[rule.field] : undefined;
    if (kind && typeof rule.default === "string") {
      const known = codesOf(kind, master);
      if (known.length > 0 && !known.includes(rule.default)) {
        const path = ["fields", i, "default"];
        errors.push({
          ...locate(path),
          code: "UNKNOWN_MASTER_CODE",
          message: unknown(kind, rule.default, known, `${rule.field} default:`),
          path: path.join("."),
        });
      }
    }
    for (const key of ["expr", "when"] as const) {
      const text = rule[key];
      if (typeof text !== "string") continue;
      for (const m of text.matchAll(COMPARED)) {
        const name = m[1] ?? m[6];
        const code = m[3] ?? m[5];
        const compared = name === undefined ? undefined : kindOfName(name);
        if (!compared || code === undefined) continue;
        const known = codesOf(compared, master);
        if (known.length === 0 || known.includes(code)) continue;
        const path = ["fields", i, key];
        const column = (m.index ?? 0) + m[0].indexOf(code) + 1;
        errors.push({
          ...locate(path, column),
          code: "UNKNOWN_MASTER_CODE",
          message: unknown(compared, code, known, `${rule.field} ${key}: compares ${name} with`),
          path: path.join("."),
        });
      }
    }
  });

  // Mapping tables: every row's practice code (the practice's file and the standard's).
  for (const [element, mapping] of Object.entries(pack.mappings)) {
    const kind = TABLE_KINDS[element as MappingElement];
    const table = mapping && pack.tables.get(mapping.table);
    if (!kind || !table || table.direction === "outbound") continue;
    const known = codesOf(kind, master);
    if (known.length === 0) continue;
    for (const row of table.rows.values()) {
      if (known.includes(row.practice)) continue;
      errors.push({
        ...rowPosition(row.at),
        code: "UNKNOWN_MASTER_CODE",
        message: unknown(
          kind,
          row.practice,
          known,
          `${table.name}: '${row.foreign}' maps to practice code`,
        ),
      });
    }
  }
  return errors;
}

/** A mapping row's `FILE:LINE`, with the column of its `practice:` value. */
function rowPosition(at: string): { file: string; line: number; col: number } {
  const split = at.lastIndexOf(":");
  const file = at.slice(0, split);
  const line = Number(at.slice(split + 1));
  const read = readYaml(file);
  if (read.ok) {
    const rows = (read.source.data as { rows?: unknown[] } | null)?.rows ?? [];
    for (let i = 0; i < rows.length; i++) {
      if (read.source.locate(["rows", i]).line !== line) continue;
      return read.source.locate(["rows", i, "practice"]);
    }
  }
  return { file, line, col: 1 };
}
