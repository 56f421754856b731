import { existsSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { PackError, SourcePosition } from "../documents/errors.js";
import {
  type Layer,
  layerOf,
  mergeLayers,
  type Origin,
  type PathKey,
  pathId,
} from "../documents/merge.js";
import { missingModeline, type YamlRead, type YamlSource } from "../documents/source.js";
import { deepFreeze } from "../model/merge.js";
import { keepBounded, sameItems } from "./memo.js";
import { DISK_FILES, type PackFiles } from "./pack-files.js";
import { readPackYaml } from "./source-cache.js";

/**
 * Reading a pack with its `extends` chain, root first, and merging it into
 * one layer. Per-file checks that need the file itself (modeline, duplicate
 * rules, the pack ID against its folder) happen here; the schema and
 * semantic checks run on the merged pack.
 */

const MAX_DEPTH = 8;

/**
 * The named-rule lists of docs/pack-language.md §3, and the keys that give an
 * item its identity when it has no `name`.
 */
export const NAMED_LISTS: readonly {
  readonly path: readonly string[];
  readonly keys: readonly string[];
}[] = [
  { path: ["fields"], keys: ["field"] },
  { path: ["required"], keys: ["field", "ref"] },
  { path: ["externalIds", "patient"], keys: [] },
  { path: ["externalIds", "appointment"], keys: [] },
  { path: ["matching", "demographics", "fields"], keys: ["field"] },
  { path: ["outbound", "fields"], keys: ["to"] },
];

export const isNamedPath = (path: PathKey): boolean =>
  NAMED_LISTS.some((l) => l.path.length === path.length && l.path.every((p, i) => p === path[i]));

export interface PackChain {
  /** The files, root first; the last is the pack that was asked for. */
  readonly sources: readonly YamlSource[];
  readonly merged: Layer;
  /** Absolute path of the mappings folder (the nearest `pack.mappingsDir`), if any. */
  readonly mappingsDir: string | undefined;
  /** How the chain's files were read; its mapping tables are read the same way. */
  readonly files?: PackFiles;
}

export type ChainResult =
  | { readonly ok: true; readonly chain: PackChain; readonly warnings: readonly PackError[] }
  | {
      readonly ok: false;
      readonly errors: readonly PackError[];
      readonly warnings: readonly PackError[];
    };

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/** Files are shown relative to the working directory (docs/pack-language.md §21). */
export const shown = (absolute: string): string => relative(process.cwd(), absolute) || absolute;

function getIn(data: unknown, path: readonly string[]): unknown {
  let node = data;
  for (const key of path) node = isMap(node) ? node[key] : undefined;
  return node;
}

/**
 * `overrides` is one more layer merged on top of the pack (a rule test's
 * per-case `overrides:`), after the pack's own `pack` section is kept: its
 * nodes keep their origins, so problems and traces point at the test file.
 */
export function readChain(
  file: string,
  overrides?: Layer,
  files: PackFiles = DISK_FILES,
): ChainResult {
  const sources: YamlSource[] = [];
  const errors: PackError[] = [];
  const warnings: PackError[] = [];
  const seen: string[] = [];
  let current = resolve(file);
  /** Where the file being read was named by its child's `extends` (none for the pack asked for). */
  let namedAt: { readonly position: SourcePosition; readonly parent: string } | undefined;
  for (;;) {
    const read = readPackYaml(shown(current), files);
    const notAPack = namedAt && notAPackFile(current, read);
    if (namedAt && notAPack) {
      errors.push({
        ...namedAt.position,
        code: "EXTENDS_NOT_A_PACK",
        message: `extends '${namedAt.parent}': ${shown(current)} ${notAPack}`,
        path: "pack.extends",
      });
      break;
    }
    if (!read.ok) return { ok: false, errors: [...errors, ...read.errors], warnings };
    const source = read.source;
    sources.unshift(source);
    seen.push(current);
    const checked = fileChecks(source, files);
    warnings.push(...checked.warnings);
    errors.push(...checked.errors);
    const pack = isMap(source.data) && isMap(source.data.pack) ? source.data.pack : undefined;
    const parent = typeof pack?.extends === "string" ? pack.extends : undefined;
    if (parent === undefined) break;
    const at = source.locate(["pack", "extends"]);
    if (isAbsolute(parent)) {
      errors.push({
        ...at,
        code: "EXTENDS_NOT_FOUND",
        message: `extends '${parent}' is an absolute path; write it relative to this file`,
      });
      break;
    }
    const next = resolve(dirname(current), parent);
    if (seen.includes(next)) {
      const cycle = [...seen, next].map(shown).join(" -> ");
      errors.push({ ...at, code: "EXTENDS_CYCLE", message: `extends forms a cycle: ${cycle}` });
      break;
    }
    if (!files.exists(next)) {
      errors.push({
        ...at,
        code: "EXTENDS_NOT_FOUND",
        message: `extends '${parent}': no such file (${shown(next)})`,
      });
      break;
    }
    if (statSync(next).isDirectory()) {
      errors.push({
        ...at,
        code: "EXTENDS_NOT_A_PACK",
        message: `extends '${parent}': ${shown(next)} is a folder; name the pack file in it${existsSync(join(next, "pack.yaml")) ? ` (${parent.replace(/\/+$/, "")}/pack.yaml)` : ""}`,
        path: "pack.extends",
      });
      break;
    }
    if (seen.length >= MAX_DEPTH) {
      errors.push({
        ...at,
        code: "EXTENDS_CYCLE",
        message: `extends chains more than ${MAX_DEPTH} packs deep`,
      });
      break;
    }
    namedAt = { position: at, parent };
    current = next;
  }
  if (errors.length > 0) return { ok: false, errors, warnings };
  return { ok: true, chain: { ...mergeChain(sources, overrides), files }, warnings };
}

/** What the per-file checks found in one file: its modeline, duplicate rules and pack ID. */
interface FileChecks {
  readonly warnings: readonly PackError[];
  readonly errors: readonly PackError[];
}

/** Per-file checks of sources read within one run's files (pack-files.ts): a parsed file is checked once. */
const checksOfRun = new WeakMap<PackFiles, WeakMap<YamlSource, FileChecks>>();

function fileChecks(source: YamlSource, files: PackFiles): FileChecks {
  const check = (): FileChecks => ({
    warnings: modelineWarnings(source),
    errors: [...duplicateRules(source), ...packIdMismatch(source)],
  });
  // From the disk, every load checks again (the modeline's schema file may have gone).
  if (files === DISK_FILES) return check();
  const checked = checksOfRun.get(files) ?? new WeakMap<YamlSource, FileChecks>();
  checksOfRun.set(files, checked);
  const found = checked.get(source) ?? check();
  checked.set(source, found);
  return found;
}

/**
 * Why a file some `extends` names is not a pack, or undefined when it is
 * one (or a pack file with its own problems, which it reports itself): a
 * pack is YAML (`.yaml`, `.yml`) whose top level has a `pack:` map.
 */
function notAPackFile(file: string, read: YamlRead): string | undefined {
  const yamlNamed = /\.ya?ml$/i.test(file);
  if (!read.ok) return yamlNamed ? undefined : "is not a YAML pack file (it does not read as YAML)";
  const data = read.source.data;
  if (isMap(data) && isMap(data.pack)) return undefined;
  return "is not a pack: a pack file's top level has a pack: section (pack.id)";
}

interface SourcesMerge {
  readonly sources: readonly YamlSource[];
  readonly merged: Layer | undefined;
  readonly mappingsDir: string | undefined;
}

/**
 * The last merge of each chain of files, kept while its parsed sources are
 * the same objects (source-cache.ts parses a file again only when its text
 * changed): a rule test's `overrides:` reload merges only its own layer on
 * top (decision 0036). The kept data is frozen, like the sources'.
 */
const merges = new Map<string, SourcesMerge>();

function mergeSourcesOnce(sources: readonly YamlSource[]): SourcesMerge {
  const key = sources.map((s) => s.file).join("\u0000");
  const kept = merges.get(key);
  if (kept && sameItems(kept.sources, sources)) return kept;
  const merge = mergeSources(sources);
  if (merge.merged) deepFreeze(merge.merged.data);
  return keepBounded(merges, key, merge, 1_000);
}

function mergeChain(sources: readonly YamlSource[], overrides?: Layer): PackChain {
  let { merged, mappingsDir } = mergeSourcesOnce(sources);
  if (merged && overrides)
    merged = mergeLayers(dropRemoved(merged), withIdentities(overrides), isNamedPath);
  return {
    sources,
    merged: dropRemoved(merged ?? { data: undefined, origins: new Map() }),
    mappingsDir,
  };
}

function mergeSources(sources: readonly YamlSource[]): SourcesMerge {
  let merged: Layer | undefined;
  let mappingsDir: string | undefined;
  for (const source of sources) {
    const layer = withIdentities(layerOf(source));
    const pack = isMap(source.data) && isMap(source.data.pack) ? source.data.pack : {};
    if (typeof pack.mappingsDir === "string")
      mappingsDir = resolve(dirname(source.file), pack.mappingsDir);
    if (!merged) {
      merged = layer;
      continue;
    }
    // `pack` describes its own file and is not inherited (mappingsDir is followed above).
    const { pack: _parentPack, ...inherited } = merged.data as Json;
    // Each level's removals apply before the next level: a pack extends its parent's
    // effective pack, so re-adding a removed rule appends it.
    merged = dropRemoved(
      mergeLayers({ data: inherited, origins: merged.origins }, layer, isNamedPath),
    );
  }
  return { sources, merged, mappingsDir };
}

function identity(item: Json, keys: readonly string[]): string | undefined {
  if (typeof item.name === "string") return item.name;
  for (const k of keys) if (typeof item[k] === "string") return item[k] as string;
  return undefined;
}

/** A copy of `data` with `value` at `path` (the maps on the way copied, not mutated). */
function setIn(data: unknown, path: readonly string[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined || !isMap(data)) return data;
  return { ...data, [head]: rest.length ? setIn(data[head], rest, value) : value };
}

/** Give every named-list item a `name` (its identity), so lists merge by name. */
function withIdentities(layer: Layer): Layer {
  let data = layer.data;
  for (const { path, keys } of NAMED_LISTS) {
    const items = getIn(data, path);
    if (!Array.isArray(items)) continue;
    const named = items.map((item) => {
      if (!isMap(item) || typeof item.name === "string") return item;
      const name = identity(item, keys);
      return name === undefined ? item : { name, ...item };
    });
    data = setIn(data, path, named);
  }
  return { data, origins: layer.origins };
}

/**
 * Drop the items that say `remove: true`, and move the origins of the items
 * after them to their new indices, so that errors still point at the right
 * rule.
 */
function dropRemoved(layer: Layer): Layer {
  let data = layer.data;
  // Copied only when some item goes: most layers remove nothing, and a
  // rule test's overrides reload would copy the whole pack's origins twice.
  let origins: ReadonlyMap<string, Origin> = layer.origins;
  for (const { path } of NAMED_LISTS) {
    const items = getIn(data, path);
    if (!Array.isArray(items)) continue;
    if (!items.some((item) => isMap(item) && item.remove === true)) continue;
    const kept = items.flatMap((item, i) => (isMap(item) && item.remove === true ? [] : [i]));
    data = setIn(
      data,
      path,
      kept.map((i) => items[i]),
    );
    const newIndex = new Map(kept.map((from, to) => [from, to]));
    const prefix = `${pathId(path)}\u0000`;
    const moved = new Map<string, Origin>();
    for (const [key, origin] of origins) {
      if (!key.startsWith(prefix)) {
        moved.set(key, origin);
        continue;
      }
      const [index, ...rest] = key.slice(prefix.length).split("\u0000");
      const to = newIndex.get(Number(index));
      if (to !== undefined) moved.set([`${prefix}${to}`, ...rest].join("\u0000"), origin);
    }
    origins = moved;
  }
  return { data, origins };
}

function duplicateRules(source: YamlSource): PackError[] {
  const errors: PackError[] = [];
  for (const { path, keys } of NAMED_LISTS) {
    const items = getIn(source.data, path);
    if (!Array.isArray(items)) continue;
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      if (!isMap(item)) return;
      const name = identity(item, keys);
      if (name === undefined) return;
      const first = seen.get(name);
      if (first === undefined) {
        seen.set(name, i);
        return;
      }
      const firstAt = source.locate([...path, first]);
      errors.push({
        ...source.locate([...path, i]),
        code: "DUPLICATE_RULE",
        message: `rule "${name}" is already defined at line ${firstAt.line} (${path.join(".")}); give one of them a distinct name`,
        path: [...path, i].join("."),
      });
    });
  }
  return errors;
}

/** A practice pack lives in rules/practices/<id>/pack.yaml: its ID is its folder's name (§3). */
function packIdMismatch(source: YamlSource): PackError[] {
  if (basename(source.file) !== "pack.yaml" || !isMap(source.data)) return [];
  const pack = source.data.pack;
  if (!isMap(pack) || pack.abstract === true || typeof pack.id !== "string") return [];
  const folder = basename(dirname(resolve(source.file)));
  if (pack.id === folder) return [];
  return [
    {
      ...source.locate(["pack", "id"]),
      code: "PACK_ID_MISMATCH",
      message: `id "${pack.id}" must equal the folder name "${folder}" (it also names the mapping folder mappings/<id>/)`,
      path: "pack.id",
    },
  ];
}

function modelineWarnings(source: YamlSource): PackError[] {
  const problem = missingModeline(source, "rulepack.schema.json", "pack");
  return problem ? [{ ...problem, severity: "warning", code: "MODELINE_MISSING" }] : [];
}
