import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import type { PackError } from "./errors.js";
import { layerOf } from "./merge.js";
import { schemaValidator } from "./schema.js";
import { convertSchemaErrors } from "./schema-errors.js";
import { readYaml } from "./source.js";

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
  /** Keyed by foreign code (upper-cased when caseInsensitive). */
  readonly rows: ReadonlyMap<string, MappingRow>;
  readonly files: readonly string[];
}

export function lookupRow(table: MappingTable, foreign: string): MappingRow | undefined {
  return table.rows.get(table.caseInsensitive ? foreign.toUpperCase() : foreign);
}

export type TableLoad =
  | { readonly ok: true; readonly table: MappingTable }
  | { readonly ok: false; readonly errors: readonly PackError[]; readonly missing: boolean };

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
): string[] {
  const candidates = [join(mappingsDir, "standard", `${table}.yaml`)];
  if (practiceId) candidates.push(join(mappingsDir, practiceId, `${table}.yaml`));
  return candidates.filter((f) => existsSync(f));
}

export function loadMappingTable(
  mappingsDir: string,
  practiceId: string | undefined,
  table: string,
): TableLoad {
  const files = tableFiles(mappingsDir, practiceId, table);
  if (files.length === 0) return { ok: false, errors: [], missing: true };
  const errors: PackError[] = [];
  const rows = new Map<string, MappingRow>();
  let caseInsensitive = false;
  const validate = schemaValidator("mapping-table");
  for (const file of files) {
    const read = readYaml(file);
    if (!read.ok) {
      errors.push(...read.errors);
      continue;
    }
    const source = read.source;
    if (!validate(source.data)) {
      errors.push(...convertSchemaErrors(validate.errors ?? [], layerOf(source)));
      continue;
    }
    const data = source.data as { table: string; caseInsensitive?: boolean; rows: RawRow[] };
    if (data.table !== basename(file, ".yaml")) {
      errors.push({
        ...source.locate(["table"]),
        code: "INVALID_VALUE",
        message: `table '${data.table}' is in a file named ${basename(file)}: the file name must be the table's name`,
      });
    }
    if (data.caseInsensitive) caseInsensitive = true;
    const inFile = new Map<string, number>();
    data.rows.forEach((row, i) => {
      const key = caseInsensitive ? row.foreign.toUpperCase() : row.foreign;
      const first = inFile.get(key);
      const where = source.locate(["rows", i]);
      if (first !== undefined) {
        errors.push({
          ...where,
          code: "DUPLICATE_ROW",
          message: `foreign code '${row.foreign}' already has a row in this table (line ${source.locate(["rows", first]).line})`,
        });
        return;
      }
      inFile.set(key, i);
      rows.set(key, { ...row, at: `${where.file}:${where.line}` });
    });
  }
  if (errors.length > 0) return { ok: false, errors, missing: false };
  return { ok: true, table: { name: table, caseInsensitive, rows, files } };
}
