import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { formatPackError } from "../documents/errors.js";
import { readChain } from "../pack/chain.js";
import type { CompiledPack } from "../pack/compiled.js";
import { loadPack } from "../pack/load.js";
import { lookupRow, type MappingTable } from "../pack/mapping-tables.js";
import { masterDataBeside } from "../pack/practice-load.js";
import {
  appendRow,
  modelineOf,
  type NewRow,
  newTableFile,
  type RowWrite,
  writeChecked,
} from "./mapping-write.js";
import { unknownPracticeCode } from "./master-codes.js";

/**
 * Adding one mapping row to a practice's files (`rulepack mapping add`, the
 * browser's "map this code"): the row is written into
 * `mappings/<pack id>/<TABLE>.yaml` (created beside the standard file when
 * the practice has none), every other byte kept. A key already mapped to
 * another code is refused with the line that maps it; the same row again
 * changes nothing. The pack is loaded again afterwards and the file
 * restored when it no longer loads.
 */

/** The error a message got while the table lacked the row: what `reprocess --blocked-on` takes. */
export interface Blocker {
  readonly code: "UNMAPPED_INSURANCE" | "UNMAPPED_CODE";
  readonly value: string;
}

export type MappingAddResult =
  | {
      readonly ok: true;
      /** False when the table already held this row. */
      readonly written: boolean;
      /** `FILE:LINE` of the row (written or found), FILE relative to the working folder. */
      readonly at: string;
      readonly table: string;
      /** The messages waiting on the missing row (absent for an outbound table). */
      readonly blocker?: Blocker;
    }
  | {
      readonly ok: false;
      /** `pack`: the pack does not load (its located errors); `refused`: the row cannot be added. */
      readonly kind: "pack" | "refused";
      readonly message: string;
      /** Located pack errors (`FILE:LINE:COL: CODE message`), one per line. */
      readonly errors: readonly string[];
    };

const shown = (file: string): string => relative(process.cwd(), file) || file;

/** The column a table is keyed by: foreign codes, or practice codes in an outbound table. */
const keyColumn = (table: MappingTable): "foreign" | "practice" =>
  table.direction === "outbound" ? "practice" : "foreign";

/** The error code a message got for this table's missing row (engine/inbound/mapping.ts). */
export function blockerOf(pack: CompiledPack, table: string, foreign: string): Blocker {
  const code =
    pack.mappings.insurancePlan?.table === table ? "UNMAPPED_INSURANCE" : "UNMAPPED_CODE";
  return { code, value: foreign };
}

const refused = (message: string, errors: readonly string[] = []): MappingAddResult => ({
  ok: false,
  kind: "refused",
  message,
  errors,
});

export function addMappingRow(packFile: string, tableName: string, row: NewRow): MappingAddResult {
  const before = loadPack(packFile);
  if (!before.ok) {
    return {
      ok: false,
      kind: "pack",
      message: `${packFile} does not load`,
      errors: before.errors.map(formatPackError),
    };
  }
  const pack = before.pack;
  if (pack.abstract)
    return refused(`${packFile} is abstract (pack.abstract): add rows for a practice pack`);
  const table = pack.tables.get(tableName);
  if (!table) {
    const read = [...pack.tables.keys()].sort().join(", ") || "none";
    return refused(`pack ${pack.id} reads no mapping table '${tableName}' (it reads: ${read})`);
  }
  if (table.direction !== "outbound") {
    const master = masterDataBeside(packFile);
    if (!master.ok)
      return {
        ok: false,
        kind: "pack",
        message: "master data does not load",
        errors: master.errors,
      };
    const unknown = unknownPracticeCode(pack, table.name, row.practice, master.data);
    if (unknown) return refused(`${table.name}: ${unknown}; nothing written`);
  }
  const chain = readChain(packFile);
  const mappingsDir = chain.ok ? chain.chain.mappingsDir : undefined;
  if (!mappingsDir) return refused(`no pack in ${packFile}'s chain sets pack.mappingsDir`);
  const column = keyColumn(table);
  const existing = lookupRow(table, row[column]);
  const blocker =
    table.direction === "outbound" ? undefined : blockerOf(pack, table.name, row.foreign);
  const done = (written: boolean, at: string): MappingAddResult => ({
    ok: true,
    written,
    at,
    table: table.name,
    ...(blocker && { blocker }),
  });
  if (existing) {
    // A case-insensitive table's row covers the key in any case.
    const other = column === "foreign" ? "practice" : "foreign";
    if (existing[other] === row[other]) return done(false, existing.at);
    return refused(
      `${table.name}: ${column} code '${row[column]}' is already mapped to '${existing[other]}' at ${existing.at}; ${
        existing.at.startsWith(`${shown(join(mappingsDir, "standard"))}/`)
          ? "that is the standard table: override it in the practice's file by hand"
          : "change that line by hand if it is wrong"
      }`,
    );
  }
  const file = join(mappingsDir, pack.id, `${table.name}.yaml`);
  const previous = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  const written =
    previous === undefined ? newFile(mappingsDir, table.name, row) : appendRow(previous, row);
  if (!written.ok) return refused(`${shown(file)}: ${written.message}`);
  let errors: readonly string[] = [];
  const kept = writeChecked(file, written.text, () => {
    const after = loadPack(packFile);
    if (!after.ok) errors = after.errors.map(formatPackError);
    const loaded = after.ok ? after.pack.tables.get(table.name) : undefined;
    return loaded !== undefined && lookupRow(loaded, row[column])?.practice === row.practice;
  });
  if (!kept)
    return refused(
      `${shown(file)}: the pack does not load with the row; the file is as it was`,
      errors,
    );
  return done(true, `${shown(file)}:${written.line}`);
}

/** The practice's first row of a table: a new file headed like the standard one. */
function newFile(mappingsDir: string, table: string, row: NewRow): RowWrite {
  const standard = join(mappingsDir, "standard", `${table}.yaml`);
  const modeline = existsSync(standard) ? modelineOf(readFileSync(standard, "utf8")) : undefined;
  return newTableFile(table, row, modeline);
}
