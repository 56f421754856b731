import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The folders of engine/ depend one way (docs/architecture.md): a folder may
 * import its own files and folders of a lower layer, never one of its own
 * layer or above. The layers, bottom first:
 */
const LAYERS: readonly (readonly string[])[] = [
  ["hl7", "model", "documents", "io"],
  ["paths", "matching"],
  ["expressions"],
  ["pack"],
  ["store"],
  ["inbound", "outbound"],
  ["queue"],
  ["server", "testing", "scope", "diff", "delivery"],
  ["web", "host"],
  ["cli"],
];
/** Files directly in engine/ (cli.ts, index.ts) sit above every folder. */
const TOP = LAYERS.length;

const ENGINE = resolve(import.meta.dirname, "../../engine");
const layerOf = new Map(
  LAYERS.flatMap((folders, layer) => folders.map((f) => [f, layer] as const)),
);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

const IMPORT = /(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g;

function folderOf(path: string): string {
  const rel = relative(ENGINE, path);
  return rel.includes("/") ? (rel.split("/")[0] as string) : "";
}

interface Edge {
  readonly file: string;
  readonly specifier: string;
  readonly from: string;
  readonly to: string;
}

function crossFolderImports(): Edge[] {
  return sources(ENGINE).flatMap((file) => {
    const text = readFileSync(file, "utf8");
    const from = folderOf(file);
    return [...text.matchAll(IMPORT)].flatMap((m) => {
      const specifier = m[1] as string;
      const to = folderOf(resolve(dirname(file), specifier));
      return to !== from ? [{ file: relative(ENGINE, file), specifier, from, to }] : [];
    });
  });
}

describe("folders that depend one way", () => {
  const edges = crossFolderImports();

  it("knows every folder of engine/", () => {
    const folders = readdirSync(ENGINE).filter((e) => statSync(join(ENGINE, e)).isDirectory());
    expect(folders.filter((f) => !layerOf.has(f))).toEqual([]);
  });

  it("reads the imports (the scan is not empty)", () => {
    expect(edges.length).toBeGreaterThan(100);
  });

  it("no folder imports one of its own layer or above", () => {
    const upward = edges
      .filter((e) => {
        const from = e.from === "" ? TOP : (layerOf.get(e.from) ?? -1);
        const to = e.to === "" ? TOP : (layerOf.get(e.to) ?? TOP);
        return to >= from;
      })
      .map((e) => `${e.file}: ${e.specifier} (${e.from} -> ${e.to})`);
    expect(upward).toEqual([]);
  });
});
