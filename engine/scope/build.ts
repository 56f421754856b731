import { resolve } from "node:path";
import type { PackError } from "../documents/errors.js";
import { loadPack } from "../pack/load.js";
import { chainRoot } from "./chain-root.js";
import { type ScopeSheet, type ScopeTable, type ValueCell, valueCells } from "./sheet.js";
import { appointmentsTable } from "./tables/appointments.js";
import { chargesTable } from "./tables/charges.js";
import { mappingRowsTable, mappingsTable } from "./tables/mappings.js";
import { filtersTable, providerIdsTable, statusesTable } from "./tables/outbound.js";
import {
  externalIdsTable,
  insuranceTable,
  matchingTable,
  privacyTable,
  requiredTable,
} from "./tables/patients.js";
import { enablementTable, practiceTable } from "./tables/practice.js";
import { alertsTable, queueTable } from "./tables/queue.js";
import { type PackView, packView } from "./view.js";

/** The spec's tables, in the order the scoping document asks them. */
const TABLES: readonly ((view: PackView) => ScopeTable)[] = [
  practiceTable,
  enablementTable,
  matchingTable,
  externalIdsTable,
  filtersTable,
  statusesTable,
  providerIdsTable,
  requiredTable,
  insuranceTable,
  privacyTable,
  appointmentsTable,
  chargesTable,
  mappingsTable,
  mappingRowsTable,
  queueTable,
  alertsTable,
];

export type SheetBuild =
  | { readonly ok: true; readonly sheet: ScopeSheet }
  | { readonly ok: false; readonly errors: readonly PackError[] };

/** The sheet of one pack as it stands, cells not yet compared with the base. */
function sheetOf(file: string, base: string): SheetBuild {
  const load = loadPack(file);
  if (!load.ok) return { ok: false, errors: load.errors };
  const view = packView(load.pack, load.locate, base);
  return {
    ok: true,
    sheet: {
      pack: file,
      packId: load.pack.id,
      title: load.pack.practice?.name ?? load.pack.id,
      base,
      tables: TABLES.map((table) => table(view)),
    },
  };
}

/**
 * `rulepack scope`'s sheet: every table filled in from the effective pack,
 * each value with the `FILE:LINE` that set it, and marked where it differs
 * from the base at the root of the pack's `extends` chain.
 */
export function buildScopeSheet(file: string): SheetBuild {
  const base = chainRoot(file);
  const built = sheetOf(file, base);
  if (!built.ok) return built;
  const baseBuilt = resolve(base) === resolve(file) ? built : sheetOf(base, base);
  if (!baseBuilt.ok) return baseBuilt;
  return { ok: true, sheet: markChanges(built.sheet, baseBuilt.sheet) };
}

/** Each value cell whose text is not the base's (or that the base has no cell for) is marked. */
export function markChanges(sheet: ScopeSheet, base: ScopeSheet): ScopeSheet {
  const baseText = new Map(valueCells(base).map((c) => [c.key, c.text]));
  const mark = (c: ValueCell): ValueCell => ({ ...c, changed: baseText.get(c.key) !== c.text });
  return {
    ...sheet,
    tables: sheet.tables.map((t) => ({
      ...t,
      rows: t.rows.map((r) => ({
        ...r,
        cells: r.cells.map((c) => (c.kind === "value" ? mark(c) : c)),
      })),
    })),
  };
}
