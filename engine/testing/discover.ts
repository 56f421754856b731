import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

/**
 * The test files of a run: each PATH that is a file, and every `*.test.yaml`
 * under each PATH that is a folder, sorted. Default: `test/rules/` and every
 * practice's `tests/` folder (`rules/practices/* /tests/`).
 */
export const TEST_SUFFIX = ".test.yaml";

export function defaultPaths(root = process.cwd()): string[] {
  const paths = [join(root, "test", "rules")];
  const practices = join(root, "rules", "practices");
  if (existsSync(practices)) {
    for (const name of readdirSync(practices).sort()) {
      const tests = join(practices, name, "tests");
      if (existsSync(tests)) paths.push(tests);
    }
  }
  return paths.filter((p) => existsSync(p)).map((p) => relative(process.cwd(), p) || p);
}

export type Discovery =
  | { readonly ok: true; readonly files: readonly string[] }
  | { readonly ok: false; readonly missing: readonly string[] };

export function discoverTestFiles(paths: readonly string[]): Discovery {
  const files = new Set<string>();
  const missing: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith(TEST_SUFFIX)) files.add(shown(path));
    }
  };
  for (const p of paths) {
    if (!existsSync(p)) {
      missing.push(p);
      continue;
    }
    if (statSync(p).isDirectory()) walk(p);
    else files.add(shown(p));
  }
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, files: [...files].sort() };
}

const shown = (p: string): string => relative(process.cwd(), resolve(p)) || p;
