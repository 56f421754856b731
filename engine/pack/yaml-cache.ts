import { createHash } from "node:crypto";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
} from "yaml";
import type { SourcePosition } from "../documents/errors.js";
import {
  type ReadYamlOptions,
  readYaml,
  type YamlRead,
  type YamlSource,
} from "../documents/source.js";
import { DISK_FILES } from "./pack-files.js";

/**
 * Pack and mapping-table files parsed once per text across processes
 * (decision 0042): a successful parse is kept on disk as its plain data, the
 * offsets of its nodes and keys and where its lines start, under the SHA-256
 * of the text. A later process that reads the same text takes the data from
 * JSON and answers `locate` from the kept offsets, exactly as the parse would
 * (the entry is written only after every node's position was checked against
 * the parse). The YAML `Document` and `locateWithin` (error paths: schema
 * messages that quote the source, a column inside an expression) parse the
 * text again on first use. A file that does not parse is never kept: its
 * problems come from the parse every time.
 */

/** Bumped when the entry's shape or the meaning of its fields changes. */
const FORMAT = 1;

/** The `yaml` package's version: a new parser may read the same text differently. */
const YAML_VERSION = (() => {
  try {
    return String(createRequire(import.meta.url)("yaml/package.json").version);
  } catch {
    return "unknown";
  }
})();

/**
 * Where parsed files are kept: `RULEPACK_CACHE_DIR` when set (empty or `off`
 * turns the cache off), else `$XDG_CACHE_HOME/rulepack/yaml`, else
 * `~/.cache/rulepack/yaml`.
 */
export function yamlCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const set = env.RULEPACK_CACHE_DIR;
  if (set !== undefined)
    return set === "" || set === "off" ? undefined : join(resolve(set), "yaml");
  const base = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "rulepack", "yaml");
}

/**
 * The positions of a document's nodes: a number is a leaf's offset (a scalar
 * or an alias, -1 when it has none), `null` a pair with no value node; maps
 * keep their pairs flat as (key value, key offset, value) triples, in order.
 */
type Tree = number | null | MapTree | SeqTree;
interface MapTree {
  readonly m: number;
  readonly p: readonly (string | number | boolean | null | Tree)[];
}
interface SeqTree {
  readonly s: number;
  readonly i: readonly Tree[];
}

/** What is kept of one parse. */
interface Entry {
  readonly v: number;
  readonly data: unknown;
  readonly lines: readonly number[];
  readonly tree: Tree;
  /** The data holds tagged values, written as `{ [TAG_KEY]: tag }`. */
  readonly tagged?: true;
}

/**
 * Options of a cached read: `readYaml`'s, and the value each custom tag
 * reads to when that value is one constant (a rule test's `!absent` reads
 * to the one ABSENT marker), which is how such a value is kept.
 */
export interface CachedReadOptions extends ReadYamlOptions {
  readonly tagValues?: ReadonlyMap<string, object>;
}

/** The key a kept tagged value is written under (a key no YAML file of ours has). */
const TAG_KEY = "\u0000tag";

/**
 * `readYaml(file, text)` for a pack or mapping-table file, through the cache
 * in `dir` (none: parse). The shown name `file` is not part of the key: a
 * kept entry serves the same text under any name.
 */
export function readYamlCached(
  file: string,
  text: string,
  dir: string | undefined = yamlCacheDir(),
  options: CachedReadOptions = {},
): YamlRead {
  const parseOptions = options.customTags ? { customTags: options.customTags } : {};
  if (dir === undefined) return readYaml(file, text, parseOptions);
  const key = keyOf(text, options);
  const entry = readEntry(dir, key, options);
  if (entry) return { ok: true, source: cachedSource(file, text, entry, parseOptions) };
  const read = readYaml(file, text, parseOptions);
  if (read.ok) {
    const made = entryOf(read.source, options);
    if (made) writeEntry(dir, key, made);
  }
  return read;
}

/** `readYamlCached` of a file by name: an unreadable file is reported by readYaml, located, as ever. */
export function readYamlFileCached(file: string, options: CachedReadOptions = {}): YamlRead {
  const text = DISK_FILES.read(file);
  if (text === undefined)
    return readYaml(file, undefined, options.customTags ? { customTags: options.customTags } : {});
  return readYamlCached(file, text, yamlCacheDir(), options);
}

function keyOf(text: string, options: CachedReadOptions): string {
  const tags = [...(options.tagValues?.keys() ?? [])].join(" ");
  return createHash("sha256")
    .update(`rulepack yaml cache ${FORMAT}, yaml ${YAML_VERSION}, tags ${tags}\u0000`)
    .update(text)
    .digest("hex");
}

function readEntry(dir: string, key: string, options: CachedReadOptions): Entry | undefined {
  let json: string;
  try {
    json = readFileSync(join(dir, `${key}.json`), "utf8");
  } catch {
    return undefined;
  }
  try {
    const entry = JSON.parse(json) as Entry;
    if (entry.v !== FORMAT || !Array.isArray(entry.lines) || !("data" in entry)) return undefined;
    if (!entry.tagged) return entry;
    const values = options.tagValues ?? new Map<string, object>();
    return { ...entry, data: mapTagged(entry.data, (tag) => values.get(tag)) };
  } catch {
    // A torn or foreign file: parse as if it were not there (the write replaces it).
    return undefined;
  }
}

/** Written to a file of its own, then renamed: a reader sees the whole entry or none. */
function writeEntry(dir: string, key: string, entry: Entry): void {
  const temporary = join(dir, `${key}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(temporary, JSON.stringify(entry));
    renameSync(temporary, join(dir, `${key}.json`));
  } catch {
    // An unwritable cache costs the next process a parse, nothing else.
    return;
  }
  if (!pruned.has(dir)) {
    pruned.add(dir);
    pruneYamlCache(dir);
  }
}

/** Folders this process has pruned: once per process, on its first write. */
const pruned = new Set<string>();

/** Entries a cache folder may hold before its oldest are removed. */
export const MAX_ENTRIES = 5_000;

/**
 * Keep a cache folder from growing without end (tests and editors write a
 * new entry per text they try): past `max` entries, the oldest written go
 * until half remain. A removed entry costs its next reader one parse.
 */
export function pruneYamlCache(dir: string, max = MAX_ENTRIES): void {
  try {
    const names = readdirSync(dir).filter((n) => n.endsWith(".json"));
    if (names.length <= max) return;
    const dated = names.flatMap((name) => {
      try {
        return [{ name, at: statSync(join(dir, name)).mtimeMs }];
      } catch {
        return [];
      }
    });
    dated.sort((a, b) => a.at - b.at || a.name.localeCompare(b.name));
    for (const { name } of dated.slice(0, dated.length - Math.floor(max / 2)))
      rmSync(join(dir, name), { force: true });
  } catch {
    // A folder that cannot be listed is left as it is.
  }
}

/**
 * The entry of a successful parse, or undefined when the data would not come
 * back the same from JSON (non-finite numbers, a tag's own values), the
 * document has a shape the kept offsets do not describe (complex keys, pairs
 * in sequences), or a kept position differs from the parse's own.
 */
function entryOf(source: YamlSource, options: CachedReadOptions): Entry | undefined {
  const values = options.tagValues ?? new Map<string, object>();
  const tagOf = new Map([...values].map(([tag, value]) => [value, tag]));
  if (!source.doc || !faithful(source.data, tagOf)) return undefined;
  const tree = treeOf(source.doc.contents as Node | null);
  if (tree === REFUSED) return undefined;
  const lines = [0];
  for (let at = source.text.indexOf("\n"); at >= 0; at = source.text.indexOf("\n", at + 1))
    lines.push(at + 1);
  const entry: Entry = { v: FORMAT, data: source.data, lines, tree };
  const kept = cachedSource(source.file, source.text, entry, {});
  if (!samePositions(source, kept, tree)) return undefined;
  if (tagOf.size === 0) return entry;
  return { ...entry, data: keepTagged(source.data, tagOf), tagged: true };
}

/** A copy of `data` with each tag value written as `{ [TAG_KEY]: tag }`. */
function keepTagged(data: unknown, tagOf: ReadonlyMap<unknown, string>): unknown {
  const tag = tagOf.get(data);
  if (tag !== undefined) return { [TAG_KEY]: tag };
  if (Array.isArray(data)) return data.map((v) => keepTagged(v, tagOf));
  if (data !== null && typeof data === "object")
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, keepTagged(v, tagOf)]));
  return data;
}

/** `data` with each `{ [TAG_KEY]: tag }` replaced by the tag's value. */
function mapTagged(data: unknown, tagValue: (tag: string) => object | undefined): unknown {
  if (Array.isArray(data)) {
    for (const [i, v] of data.entries()) data[i] = mapTagged(v, tagValue);
    return data;
  }
  if (data !== null && typeof data === "object") {
    const map = data as Record<string, unknown>;
    const tag = map[TAG_KEY];
    if (typeof tag === "string") return tagValue(tag) ?? data;
    for (const k of Object.keys(map)) map[k] = mapTagged(map[k], tagValue);
  }
  return data;
}

const REFUSED = Symbol("refused");

function treeOf(node: unknown): Tree | typeof REFUSED {
  if (node === null || node === undefined) return null;
  if (isMap(node)) {
    const p: (string | number | boolean | null | Tree)[] = [];
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key) || !faithfulScalar(pair.key.value)) return REFUSED;
      const value = treeOf(pair.value);
      if (value === REFUSED) return REFUSED;
      p.push(pair.key.value as string | number | boolean | null, offset(pair.key), value);
    }
    return { m: offset(node), p };
  }
  if (isSeq(node)) {
    const i: Tree[] = [];
    for (const item of node.items) {
      if (isPair(item)) return REFUSED;
      const value = treeOf(item);
      if (value === REFUSED) return REFUSED;
      i.push(value);
    }
    return { s: offset(node), i };
  }
  if (isScalar(node) || isAlias(node)) return offset(node);
  return REFUSED;
}

const offset = (node: Node): number => node.range?.[0] ?? -1;

const faithfulScalar = (v: unknown): boolean =>
  v === null ||
  typeof v === "string" ||
  typeof v === "boolean" ||
  (typeof v === "number" && Number.isFinite(v) && !Object.is(v, -0));

/**
 * Whether `v` comes back the same from JSON: plain data, or one of the tag
 * values `tagOf` names (kept as `{ [TAG_KEY]: tag }`, so no map may have
 * that key itself).
 */
function faithful(v: unknown, tagOf: ReadonlyMap<unknown, string>): boolean {
  if (tagOf.has(v)) return true;
  if (Array.isArray(v)) return v.every((item) => faithful(item, tagOf));
  if (v !== null && typeof v === "object") {
    const proto = Object.getPrototypeOf(v);
    return (
      (proto === Object.prototype || proto === null) &&
      !Object.hasOwn(v, TAG_KEY) &&
      Object.values(v).every((item) => faithful(item, tagOf))
    );
  }
  return faithfulScalar(v);
}

/** Every node's and key's position from the entry equals the parse's. */
function samePositions(parsed: YamlSource, kept: YamlSource, tree: Tree): boolean {
  const same = (path: readonly (string | number)[], at: "key" | "value") => {
    const a = parsed.locate(path, at);
    const b = kept.locate(path, at);
    return a.line === b.line && a.col === b.col;
  };
  const walk = (node: Tree, path: (string | number)[]): boolean => {
    if (!same(path, "value")) return false;
    if (isMapTree(node)) {
      for (let k = 0; k < node.p.length; k += 3) {
        const key = node.p[k] as string | number | boolean | null;
        if (typeof key !== "string" && typeof key !== "number") continue;
        const next = [...path, key];
        if (!same(next, "key") || !walk(node.p[k + 2] as Tree, next)) return false;
      }
    } else if (isSeqTree(node)) {
      for (const [i, item] of node.i.entries()) if (!walk(item, [...path, i])) return false;
    }
    return true;
  };
  return walk(tree, []);
}

const isMapTree = (t: Tree | undefined): t is MapTree =>
  t !== null && typeof t === "object" && "m" in t;
const isSeqTree = (t: Tree | undefined): t is SeqTree =>
  t !== null && typeof t === "object" && "s" in t;

/** `yaml`'s index of a sequence item for a path element (YAMLSeq's asItemIndex). */
function itemIndex(key: string | number): number | null {
  let idx: unknown = key;
  if (idx && typeof idx === "string") idx = Number(idx);
  return typeof idx === "number" && Number.isInteger(idx) && idx >= 0 ? idx : null;
}

/** The node a collection holds under `key`, as YAMLMap.get / YAMLSeq.get find it. */
function childOf(node: Tree | undefined, key: string | number): Tree | undefined {
  if (isMapTree(node)) {
    for (let k = 0; k < node.p.length; k += 3)
      if (node.p[k] === key) return (node.p[k + 2] as Tree) ?? undefined;
    return undefined;
  }
  if (isSeqTree(node)) {
    const idx = itemIndex(key);
    return idx === null ? undefined : (node.i[idx] ?? undefined);
  }
  return undefined;
}

/** Document.getIn(path, true) over the kept tree. */
function nodeAt(root: Tree, path: readonly (string | number)[]): Tree | undefined {
  if (path.length === 0) return root;
  let node: Tree | undefined = root;
  if (!isMapTree(node) && !isSeqTree(node)) return undefined;
  for (const [i, key] of path.entries()) {
    node = childOf(node, key);
    if (i < path.length - 1 && !isMapTree(node) && !isSeqTree(node)) return undefined;
  }
  return node;
}

const offsetOf = (node: Tree | undefined): number | undefined => {
  const at =
    typeof node === "number" ? node : isMapTree(node) ? node.m : isSeqTree(node) ? node.s : -1;
  return at >= 0 ? at : undefined;
};

/** The offset of the key the last path element names in its map (readYaml's keyOf). */
function keyOffset(root: Tree, path: readonly (string | number)[]): number | undefined {
  const parent = path.length === 1 ? root : nodeAt(root, path.slice(0, -1));
  if (!isMapTree(parent)) return undefined;
  const last = String(path[path.length - 1]);
  for (let k = 0; k < parent.p.length; k += 3) {
    if (String(parent.p[k]) === last) {
      const at = parent.p[k + 1] as number;
      return at >= 0 ? at : undefined;
    }
  }
  return undefined;
}

/** A YamlSource answering from a kept entry; the Document is parsed on first use. */
function cachedSource(
  file: string,
  text: string,
  entry: Entry,
  parseOptions: ReadYamlOptions,
): YamlSource {
  const lines = new LineCounter();
  lines.lineStarts.push(...entry.lines);
  const position = (at: number): SourcePosition => {
    const { line, col } = lines.linePos(at);
    return { file, line, col };
  };
  let parsed: YamlSource | undefined;
  const parse = (): YamlSource => {
    if (parsed) return parsed;
    const read = readYaml(file, text, parseOptions);
    // The entry was written from a successful parse of this very text.
    if (!read.ok) throw new Error(`${file} no longer parses as it did when it was cached`);
    parsed = read.source;
    return parsed;
  };
  const locate = (
    path: readonly (string | number)[],
    at: "key" | "value" = "value",
  ): SourcePosition => {
    for (let n = path.length; n >= 0; n--) {
      const prefix = path.slice(0, n);
      const key = n === path.length && at === "key" ? keyOffset(entry.tree, path) : undefined;
      const found = key ?? offsetOf(nodeAt(entry.tree, prefix));
      if (found !== undefined) return position(found);
    }
    return { file, line: 1, col: 1 };
  };
  return {
    file,
    text,
    data: entry.data,
    get doc(): Document | null {
      return parse().doc;
    },
    locate,
    locateWithin: (path, column) => parse().locateWithin(path, column),
  };
}
