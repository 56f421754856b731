import { basename, dirname } from "node:path";
import type { PathKey } from "../documents/merge.js";
import type { YamlSource } from "../documents/source.js";
import { readChain } from "../pack/chain.js";
import type { CompiledPack } from "../pack/compiled.js";

/**
 * What a pack's coverage is made of, read from the pack files themselves
 * (not from a list of known options), so every option of every section is
 * an item the day the schema gains it:
 * - option: a value the pack sets (a scalar, or a list of scalars), e.g.
 *   `insurance.mode: whenPresent`, `enabled.inbound.patientAdd`;
 * - rule: an entry of a list of maps (a field or required rule, an external
 *   ID, an outbound field rule), one item per entry;
 * - mapping: a row of the practice's own mapping tables (mappings/<pack id>/).
 * Scope `practice` (the default) lists what the practice's own file sets;
 * `all` adds what it inherits (base.yaml) and the standard tables' rows,
 * each only where it is in force (not overridden by the practice).
 */

export type CoverageKind = "option" | "rule" | "mapping";
export type CoverageScope = "practice" | "all";

export interface CoverageItem {
  /** The pack file the cases named (the practice pack). */
  readonly pack: string;
  readonly kind: CoverageKind;
  /** The option's path in the pack, dotted (`charges.unmatched`, `fields[0]`); a row's table. */
  readonly path: string;
  readonly label: string;
  /** Where it is written. */
  readonly file: string;
  readonly line: number;
}

/** An item with what the coverage collector needs to decide hits. */
export interface ItemSpec extends CoverageItem {
  /** The path in its own file, for option items (to tell whether a variant still has it in force). */
  readonly key?: PathKey;
}

/** Not processing choices: the pack's identity and the practice's name and numbers (Table 1). */
const DESCRIPTIVE: readonly string[] = [
  "pack",
  "practice.contextId",
  "practice.name",
  "practice.eventNumber",
  "practice.vendorName",
  "practice.vendorType",
];

export const dotted = (path: PathKey): string =>
  path.reduce<string>(
    (s, k) => (typeof k === "number" ? `${s}[${k}]` : s === "" ? k : `${s}.${k}`),
    "",
  );

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

const isScalar = (v: unknown): boolean => v === null || typeof v !== "object";

const render = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(render).join(", ")}]`
    : isMap(v)
      ? "{}"
      : v === null
        ? "null"
        : String(v);

/** A list entry's name for people: its `name`, else what it is about. */
function entryName(entry: Record<string, unknown>): string {
  for (const key of ["name", "field", "ref", "to", "table"]) {
    const v = entry[key];
    if (typeof v === "string") return v;
  }
  return render(Object.values(entry).filter(isScalar));
}

/** Every option and rule one pack file sets. */
export function itemsOfFile(source: YamlSource, pack: string): ItemSpec[] {
  const out: ItemSpec[] = [];
  const walk = (value: unknown, path: PathKey) => {
    const name = dotted(path);
    if (DESCRIPTIVE.some((d) => name === d || name.startsWith(`${d}.`))) return;
    // An empty map is a choice of its own (`sex: {}`: the standard table, read backwards).
    if (isMap(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
      return;
    }
    if (Array.isArray(value) && value.length > 0 && value.every(isMap)) {
      value.forEach((entry, i) => {
        // A removal directive takes a base rule out; there is nothing left to exercise.
        if (entry.remove === true) return;
        const at = source.locate([...path, i]);
        out.push({
          pack,
          kind: "rule",
          path: dotted([...path, i]),
          label: `${name}: ${entryName(entry)}`,
          file: source.file,
          line: at.line,
        });
      });
      return;
    }
    const at = source.locate(path, "key");
    out.push({
      pack,
      kind: "option",
      path: name,
      label: `${name}: ${render(value)}`,
      file: source.file,
      line: at.line,
      key: path,
    });
  };
  walk(source.data, []);
  return out;
}

/** The pack's files, root first (base.yaml, ..., the practice's pack), or none when it cannot be read. */
export function packFiles(file: string): readonly YamlSource[] {
  const read = readChain(file);
  return read.ok ? read.chain.sources : [];
}

/** The rows of the inbound tables the pack reads, as items; `own`: only its mappings/<pack id>/ files. */
export function mappingRows(pack: CompiledPack, packFile: string, own: boolean): ItemSpec[] {
  const out: ItemSpec[] = [];
  const seen = new Set<string>();
  for (const table of pack.tables.values()) {
    // Outbound tables are read backwards by the builders, row by row unseen by the trace.
    if (table.direction === "outbound") continue;
    for (const row of table.rows.values()) {
      const [file = "", line = "0"] = row.at.split(/:(?=\d+$)/);
      if (own && basename(dirname(file)) !== pack.id) continue;
      if (seen.has(row.at)) continue;
      seen.add(row.at);
      out.push({
        pack: packFile,
        kind: "mapping",
        path: table.name,
        label: `mapping ${table.name}: ${row.foreign} -> ${row.practice}`,
        file,
        line: Number(line),
      });
    }
  }
  return out;
}
