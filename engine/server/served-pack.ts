import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type { CompiledPack } from "../pack/compiled.js";
import { formatPackError } from "../pack/errors.js";
import { loadPack } from "../pack/load.js";
import type { MasterData } from "../store/master-data.js";
import { loadMasterData } from "../store/master-data-load.js";

/**
 * What `rulepack serve` serves: the practice pack (with its mapping tables)
 * and the master data beside it, loaded at start and again on SIGHUP.
 * Problems are located lines (`FILE:LINE:COL: CODE message`), never thrown.
 */
export type ServedPackLoad =
  | {
      readonly ok: true;
      readonly pack: CompiledPack;
      /** Absent when the pack has no master-data.yaml beside it. */
      readonly masterData?: MasterData;
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly errors: readonly string[] };

export function loadServedPack(file: string): ServedPackLoad {
  const load = loadPack(file);
  const warnings = load.warnings.map(formatPackError);
  if (!load.ok) return { ok: false, errors: [...warnings, ...load.errors.map(formatPackError)] };
  if (load.pack.abstract) {
    return {
      ok: false,
      errors: [`${file} is abstract (pack.abstract): serve a practice pack that extends it`],
    };
  }
  const masterDataFile = join(dirname(file), "master-data.yaml");
  if (!existsSync(masterDataFile)) return { ok: true, pack: load.pack, warnings };
  const master = loadMasterData(masterDataFile);
  if (!master.ok) return { ok: false, errors: master.errors.map(formatPackError) };
  return { ok: true, pack: load.pack, masterData: master.data, warnings };
}
