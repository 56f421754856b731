import type { SourcePosition } from "../documents/errors.js";
import type { PathKey } from "../documents/merge.js";
import type { CompiledPack } from "../pack/compiled.js";
import type { Layer, ValueCell } from "./sheet.js";

/**
 * The effective pack as the tables read it: a value at a path, and the
 * `FILE:LINE` and layer of the file that wrote it (the merge layers'
 * origins, `PackLoad.locate`).
 */
export interface PackView {
  readonly pack: CompiledPack;
  readonly effective: unknown;
  get(path: PathKey): unknown;
  has(path: PathKey): boolean;
  /** A value cell for the node at `path`, its text from `text` (or the value itself); `absent` when no pack writes it. */
  cell(key: string, path: PathKey, options?: CellOptions): ValueCell;
}

export interface CellOptions {
  readonly text?: (value: unknown) => string;
  /** The text of the engine's default, when no pack writes the key. */
  readonly absent?: string;
  /** The engine's default value when no pack writes the key, shown as a written one would be (wins over `absent`). */
  readonly fallback?: unknown;
}

export function packView(
  pack: CompiledPack,
  locate: (path: PathKey) => SourcePosition | undefined,
  baseFile: string,
): PackView {
  const effective = pack.effective;
  const get = (path: PathKey): unknown => {
    let node: unknown = effective;
    for (const key of path) {
      if (node === null || typeof node !== "object") return undefined;
      node = (node as Record<string | number, unknown>)[key];
    }
    return node;
  };
  const has = (path: PathKey) => get(path) !== undefined;
  return {
    pack,
    effective,
    get,
    has,
    cell(key, path, options = {}) {
      const value = get(path);
      if (value === undefined) {
        return {
          kind: "value",
          key,
          text:
            options.fallback !== undefined
              ? (options.text ?? show)(options.fallback)
              : (options.absent ?? "—"),
          layer: "default",
          changed: false,
        };
      }
      const where = locate(path);
      const layer: Layer = where?.file === baseFile ? "base" : "practice";
      return {
        kind: "value",
        key,
        text: (options.text ?? show)(value),
        ...(where && { at: `${where.file}:${where.line}` }),
        layer,
        changed: false,
      };
    },
  };
}

/** A pack value as the sheet prints it: yes/no, lists joined, maps as `key: value`. */
export function show(value: unknown): string {
  if (value === true) return "Yes";
  if (value === false) return "No";
  if (value === null || value === undefined) return "—";
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.map(show).join(", ");
  if (typeof value === "object") {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${show(v)}`)
      .join("; ");
  }
  return String(value);
}
