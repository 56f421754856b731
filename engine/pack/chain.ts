import { existsSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import type { PackError } from "./errors.js";
import { type Layer, layerOf, mergeLayers } from "./merge.js";
import { readYaml, type YamlSource } from "./source.js";

/**
 * Reading a pack with its `extends` chain, root first, and merging it into
 * one layer. Per-file checks that need the file itself (modeline, duplicate
 * rules) happen here; the schema and semantic checks run on the merged pack.
 */

const MAX_DEPTH = 8;
const MODELINE = /^# yaml-language-server: \$schema=(\S+)/;
/** Lists of named rules and the keys that give an item its identity when it has no `name`. */
const NAMED_LISTS: Readonly<Record<string, readonly string[]>> = {
  fields: ["field"],
  required: ["field", "ref"],
};

export interface PackChain {
  /** The files, root first; the last is the pack that was asked for. */
  readonly sources: readonly YamlSource[];
  readonly merged: Layer;
  /** Absolute path of the mappings folder (the nearest `pack.mappingsDir`), if any. */
  readonly mappingsDir: string | undefined;
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

export function readChain(file: string): ChainResult {
  const sources: YamlSource[] = [];
  const errors: PackError[] = [];
  const warnings: PackError[] = [];
  const seen: string[] = [];
  let current = resolve(file);
  let shown = file;
  for (;;) {
    const read = readYaml(shown);
    if (!read.ok) return { ok: false, errors: read.errors, warnings };
    const source = read.source;
    sources.unshift(source);
    seen.push(current);
    warnings.push(...modelineWarnings(source));
    errors.push(...duplicateRules(source));
    const pack = isMap(source.data) && isMap(source.data.pack) ? source.data.pack : undefined;
    const parent = typeof pack?.extends === "string" ? pack.extends : undefined;
    if (parent === undefined) break;
    const next = resolve(dirname(current), parent);
    const at = source.locate(["pack", "extends"]);
    if (seen.includes(next)) {
      const cycle = [...seen, next].map((p) => relative(process.cwd(), p)).join(" -> ");
      errors.push({ ...at, code: "EXTENDS_CYCLE", message: `extends forms a cycle: ${cycle}` });
      break;
    }
    if (!existsSync(next)) {
      errors.push({
        ...at,
        code: "EXTENDS_NOT_FOUND",
        message: `extends '${parent}': no such file (${relative(process.cwd(), next)})`,
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
    current = next;
    shown = relative(process.cwd(), next) || next;
  }
  if (errors.length > 0) return { ok: false, errors, warnings };
  return { ok: true, chain: mergeChain(sources), warnings };
}

function mergeChain(sources: readonly YamlSource[]): PackChain {
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
    // `pack` describes its own file and is not inherited.
    const { pack: _parentPack, ...inherited } = merged.data as Json;
    merged = mergeLayers({ data: inherited, origins: merged.origins }, layer);
  }
  const data = dropRemoved(merged?.data);
  return { sources, merged: { data, origins: merged?.origins ?? new Map() }, mappingsDir };
}

function identity(item: Json, keys: readonly string[]): string | undefined {
  if (typeof item.name === "string") return item.name;
  for (const k of keys) if (typeof item[k] === "string") return item[k] as string;
  return undefined;
}

/** Give every named-list item a `name` (its identity), so lists merge by name. */
function withIdentities(layer: Layer): Layer {
  if (!isMap(layer.data)) return layer;
  const data: Json = { ...layer.data };
  for (const [list, keys] of Object.entries(NAMED_LISTS)) {
    const items = data[list];
    if (!Array.isArray(items)) continue;
    data[list] = items.map((item) => {
      if (!isMap(item) || typeof item.name === "string") return item;
      const name = identity(item, keys);
      return name === undefined ? item : { name, ...item };
    });
  }
  return { data, origins: layer.origins };
}

function dropRemoved(data: unknown): unknown {
  if (!isMap(data)) return data;
  const out: Json = { ...data };
  for (const list of Object.keys(NAMED_LISTS)) {
    const items = out[list];
    if (Array.isArray(items)) out[list] = items.filter((i) => !(isMap(i) && i.remove === true));
  }
  return out;
}

function duplicateRules(source: YamlSource): PackError[] {
  if (!isMap(source.data)) return [];
  const errors: PackError[] = [];
  for (const [list, keys] of Object.entries(NAMED_LISTS)) {
    const items = source.data[list];
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
      const firstAt = source.locate([list, first]);
      errors.push({
        ...source.locate([list, i]),
        code: "DUPLICATE_RULE",
        message: `${list} has two rules named '${name}' (the first at line ${firstAt.line}); give one a distinct name:`,
      });
    });
  }
  return errors;
}

function modelineWarnings(source: YamlSource): PackError[] {
  const first = source.text.split(/\r?\n/, 1)[0] ?? "";
  const m = MODELINE.exec(first);
  if (m && /rulepack\.schema\.json$/.test(m[1] ?? "")) {
    const target = resolve(dirname(source.file), m[1] as string);
    if (existsSync(target)) return [];
  }
  return [
    {
      file: source.file,
      line: 1,
      col: 1,
      severity: "warning",
      code: "MODELINE_MISSING",
      message:
        "the first line should be '# yaml-language-server: $schema=<relative path>/schemas/rulepack.schema.json' so editors complete and check the pack",
    },
  ];
}
