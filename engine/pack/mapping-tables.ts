import { basename, join, relative } from "node:path";
import type { PackError } from "../documents/errors.js";
import { layerOf } from "../documents/merge.js";
import { schemaValidator } from "../documents/schema.js";
import { convertSchemaErrors } from "../documents/schema-errors.js";
import type { YamlRead, YamlSource } from "../documents/source.js";
import { keepBounded, sameItems } from "./memo.js";
import { DISK_FILES, type PackFiles } from "./pack-files.js";
import { readPackYaml } from "./source-cache.js";

/**
 * Code mapping tables (Table 19 - Custom mapping): the standard rows of
 * `mappings/standard/<table>.yaml` overlaid row by row by the practice's
 * `mappings/<pack id>/<table>.yaml`.
 */
export interface MappingRow {
  readonly foreign: string;
  readonly practice: string;
  readonly description?: string;
  readonly outbound?: boolean;
  /** `FILE:LINE` of the row, for traces. */
  readonly at: string;
}

export interface MappingTable {
  readonly name: string;
  readonly caseInsensitive: boolean;
  /**
   * `inbound` (the default): foreign code -> practice code, keyed by the
   * foreign code. `outbound`: practice code -> receiver code, keyed by the
   * practice code; several practice codes may share one receiver code (§19).
   */
  readonly direction: "inbound" | "outbound";
  /** Keyed by foreign code, or by practice code for an outbound table (upper-cased when caseInsensitive). */
  readonly rows: ReadonlyMap<string, MappingRow>;
  readonly files: readonly string[];
}

export function lookupRow(table: MappingTable, foreign: string): MappingRow | undefined {
  return table.rows.get(table.caseInsensitive ? foreign.toUpperCase() : foreign);
}

export type TableLoad =
  | { readonly ok: true; readonly table: MappingTable }
  | { readonly ok: false; readonly errors: readonly PackError[]; readonly missing: boolean };

interface RawTable {
  table: string;
  caseInsensitive?: boolean;
  direction?: "inbound" | "outbound";
  rows: RawRow[];
}

interface RawRow {
  foreign: string;
  practice: string;
  description?: string;
  outbound?: boolean;
}

export function tableFiles(
  mappingsDir: string,
  practiceId: string | undefined,
  table: string,
  files: PackFiles = DISK_FILES,
): string[] {
  // Within one run's files (pack-files.ts) the answer cannot change: found once.
  if (files === DISK_FILES) return findTableFiles(mappingsDir, practiceId, table, files);
  const found = tablesOfRun.get(files) ?? new Map<string, readonly string[]>();
  tablesOfRun.set(files, found);
  const key = `${mappingsDir}\u0000${practiceId ?? ""}\u0000${table}`;
  const listed = found.get(key) ?? findTableFiles(mappingsDir, practiceId, table, files);
  found.set(key, listed);
  return [...listed];
}

const tablesOfRun = new WeakMap<PackFiles, Map<string, readonly string[]>>();

function findTableFiles(
  mappingsDir: string,
  practiceId: string | undefined,
  table: string,
  files: PackFiles,
): string[] {
  const candidates = [join(mappingsDir, "standard", `${table}.yaml`)];
  if (practiceId) candidates.push(join(mappingsDir, practiceId, `${table}.yaml`));
  // Shown in errors and traces like every other file: relative to the working directory.
  return candidates.filter((f) => files.exists(f)).map((f) => relative(process.cwd(), f) || f);
}

export function loadMappingTable(
  mappingsDir: string,
  practiceId: string | undefined,
  table: string,
  read: PackFiles = DISK_FILES,
): TableLoad {
  const files = tableFiles(mappingsDir, practiceId, table, read);
  if (files.length === 0) return { ok: false, errors: [], missing: true };
  const reads = files.map((file) => readPackYaml(file, read));
  const key = [table, ...files].join("\u0000");
  const kept = built.get(key);
  if (kept && sameItems(kept.reads, reads)) return kept.load;
  return keepBounded(built, key, { reads, load: checkedTable(table, files, reads) }, 1_000).load;
}

/** The files' reads checked against the schema and their names, then built into one table. */
function checkedTable(
  table: string,
  files: readonly string[],
  reads: readonly YamlRead[],
): TableLoad {
  const errors: PackError[] = [];
  const validate = schemaValidator("mapping-table");
  const read: { source: YamlSource; data: RawTable }[] = [];
  files.forEach((file, i) => {
    const yaml = reads[i];
    if (!yaml) return;
    if (!yaml.ok) {
      errors.push(...yaml.errors);
      return;
    }
    const source = yaml.source;
    if (!validate(source.data)) {
      errors.push(...convertSchemaErrors(validate.errors ?? [], layerOf(source)));
      return;
    }
    const data = source.data as RawTable;
    if (data.table !== basename(file, ".yaml")) {
      errors.push({
        ...source.locate(["table"]),
        code: "INVALID_VALUE",
        message: `table '${data.table}' is in a file named ${basename(file)}: the file name must be the table's name`,
      });
    }
    read.push({ source, data });
  });
  if (errors.length > 0) return { ok: false, errors, missing: false };
  return buildTable(table, files, read);
}

/**
 * Each table as last loaded from its files, kept while their reads are the
 * same objects (source-cache.ts parses a file again only when its
 * text changed): a reload reads the rows it already has (decision 0036).
 */
const built = new Map<string, { readonly reads: readonly YamlRead[]; readonly load: TableLoad }>();

function buildTable(
  table: string,
  files: readonly string[],
  read: readonly { source: YamlSource; data: RawTable }[],
): TableLoad {
  const errors: PackError[] = [];
  // caseInsensitive is a property of the table: either file may set it, and it keys every row.
  const caseInsensitive = read.some((r) => r.data.caseInsensitive === true);
  // The direction is a property of the table too, but both files must say the same.
  const direction = read[0]?.data.direction ?? "inbound";
  for (const { source, data } of read.slice(1)) {
    if ((data.direction ?? "inbound") !== direction)
      errors.push({
        ...source.locate(data.direction === undefined ? ["table"] : ["direction"]),
        code: "INVALID_VALUE",
        message: `table '${table}' is direction ${data.direction ?? "inbound"} here but ${direction} in ${read[0]?.source.file}: both files of a table read the same way`,
      });
  }
  const column = direction === "outbound" ? "practice" : "foreign";
  const keyOf = (code: string) => (caseInsensitive ? code.toUpperCase() : code);
  const rows = new Map<string, MappingRow>();
  for (const { source, data } of read) {
    const inFile = new Map<string, number>();
    data.rows.forEach((row, i) => {
      const key = keyOf(row[column]);
      const first = inFile.get(key);
      const where = source.locate(["rows", i]);
      if (first !== undefined) {
        errors.push({
          ...where,
          code: "DUPLICATE_ROW",
          message: `${column} code '${row[column]}' already has a row in this table (line ${source.locate(["rows", first]).line})`,
        });
        return;
      }
      inFile.set(key, i);
      // The practice file comes after the standard one: its row replaces the standard row.
      rows.set(key, { ...row, at: `${where.file}:${where.line}` });
    });
  }
  if (errors.length > 0) return { ok: false, errors, missing: false };
  return { ok: true, table: { name: table, caseInsensitive, direction, rows, files } };
}
