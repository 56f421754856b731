import { formatPackError } from "../../engine/documents/errors.js";
import type { CompiledPack } from "../../engine/pack/compiled.js";
import { loadPack } from "../../engine/pack/load.js";

/**
 * A loader of the fixture packs under `dir` (`<dir>/<id>/pack.yaml`), each
 * compiled once per test file; a pack that does not load fails the test with
 * its located errors.
 */
export function fixturePackLoader(dir: string): (id: string) => CompiledPack {
  const packs = new Map<string, CompiledPack>();
  return (id) => {
    const cached = packs.get(id);
    if (cached) return cached;
    const load = loadPack(`${dir}/${id}/pack.yaml`);
    if (!load.ok) throw new Error(load.errors.map(formatPackError).join("\n"));
    packs.set(id, load.pack);
    return load.pack;
  };
}
