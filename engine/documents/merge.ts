import type { YamlSource } from "./source.js";

/**
 * Composition of packs (`extends`): maps deep-merge, lists of named rules
 * (every item a map with a `name`) override by name and keep the base's
 * order, any other list or value replaces. Every merged node remembers the
 * file and path it came from, so a problem found in the merged pack is
 * reported where its author wrote it.
 */

export type PathKey = readonly (string | number)[];

export interface Origin {
  readonly source: YamlSource;
  /** Path of the node within its own file. */
  readonly path: PathKey;
}

export interface Layer {
  readonly data: unknown;
  readonly origins: ReadonlyMap<string, Origin>;
}

export const pathId = (path: PathKey): string => path.join("\u0000");

type Json = unknown;

function isMap(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function isNamedList(v: Json): v is Array<Record<string, Json> & { name: string }> {
  return Array.isArray(v) && v.length > 0 && v.every((i) => isMap(i) && typeof i.name === "string");
}

const nameOf = (item: Json): string | undefined =>
  isMap(item) && typeof item.name === "string" ? item.name : undefined;

/**
 * One file as a layer: every node's origin is itself. With `at`, the layer is
 * the node at that path of the file (a rule test's per-case `overrides:`),
 * its origins still pointing into the file.
 */
export function layerOf(source: YamlSource, at: PathKey = []): Layer {
  const origins = new Map<string, Origin>();
  const walk = (value: Json, path: PathKey) => {
    origins.set(pathId(path), { source, path: [...at, ...path] });
    if (Array.isArray(value)) for (const [i, v] of value.entries()) walk(v, [...path, i]);
    else if (isMap(value)) for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  let data: Json = source.data;
  for (const key of at) data = (data as Record<string | number, Json> | undefined)?.[key];
  walk(data, []);
  return { data, origins };
}

/**
 * `over` applied on top of `base`. `isNamed` says which lists are lists of
 * named rules (by path in the merged pack); without it, a list is named when
 * every item of both lists has a `name`.
 */
export function mergeLayers(
  base: Layer,
  over: Layer,
  isNamed: (path: PathKey) => boolean = () => false,
): Layer {
  const origins = new Map<string, Origin>();
  const copy = (from: Layer, fromPath: PathKey, toPath: PathKey, value: Json) => {
    const origin = from.origins.get(pathId(fromPath));
    if (origin) origins.set(pathId(toPath), origin);
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) copy(from, [...fromPath, i], [...toPath, i], v);
    } else if (isMap(value)) {
      for (const [k, v] of Object.entries(value)) copy(from, [...fromPath, k], [...toPath, k], v);
    }
  };
  const merge = (b: Json, bPath: PathKey, o: Json, oPath: PathKey, path: PathKey): Json => {
    if (isMap(b) && isMap(o)) {
      const origin = over.origins.get(pathId(oPath)) ?? base.origins.get(pathId(bPath));
      if (origin) origins.set(pathId(path), origin);
      const out: Record<string, Json> = {};
      for (const [k, v] of Object.entries(b)) {
        if (!(k in o)) {
          out[k] = v;
          copy(base, [...bPath, k], [...path, k], v);
        }
      }
      for (const [k, v] of Object.entries(o)) {
        out[k] = k in b ? merge(b[k], [...bPath, k], v, [...oPath, k], [...path, k]) : v;
        if (!(k in b)) copy(over, [...oPath, k], [...path, k], v);
      }
      return out;
    }
    if (
      Array.isArray(b) &&
      Array.isArray(o) &&
      (isNamed(path) || (isNamedList(b) && isNamedList(o)))
    ) {
      // Items are matched by name: a match replaces the base item whole, in its place;
      // the rest of `over` (including items with no name, which match nothing) is appended.
      const origin = over.origins.get(pathId(oPath));
      if (origin) origins.set(pathId(path), origin);
      const overByName = new Map<string, { item: Json; i: number }>();
      const appended: { item: Json; i: number }[] = [];
      o.forEach((item, i) => {
        const name = nameOf(item);
        if (name === undefined || overByName.has(name)) appended.push({ item, i });
        else overByName.set(name, { item, i });
      });
      const out: Json[] = [];
      for (const [i, item] of b.entries()) {
        const name = nameOf(item);
        const replaced = name === undefined ? undefined : overByName.get(name);
        if (replaced && name !== undefined) {
          copy(over, [...oPath, replaced.i], [...path, out.length], replaced.item);
          out.push(replaced.item);
          overByName.delete(name);
        } else {
          copy(base, [...bPath, i], [...path, out.length], item);
          out.push(item);
        }
      }
      const rest = [...overByName.values(), ...appended].sort((x, y) => x.i - y.i);
      for (const { item, i } of rest) {
        copy(over, [...oPath, i], [...path, out.length], item);
        out.push(item);
      }
      return out;
    }
    copy(over, oPath, path, o);
    return o;
  };
  const data = merge(base.data, [], over.data, [], []);
  return { data, origins };
}

/** The origin of the node at `path` in the merged pack, or of its nearest ancestor. */
export function originOf(layer: Layer, path: PathKey): Origin | undefined {
  for (let n = path.length; n >= 0; n--) {
    const origin = layer.origins.get(pathId(path.slice(0, n)));
    if (origin) return { source: origin.source, path: [...origin.path, ...path.slice(n)] };
  }
  return undefined;
}
