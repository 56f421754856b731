import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { formatPackError } from "../documents/errors.js";
import type { MasterData } from "../model/master-data.js";
import type { CompiledPack } from "./compiled.js";
import { loadPack } from "./load.js";
import { loadMasterData } from "./master-data-load.js";

/**
 * A practice as the commands and the listener open it: its pack (with its
 * mapping tables; an abstract pack is refused) and the master data beside
 * it. `rulepack serve` loads it at start and again on SIGHUP. Problems are
 * located lines (`FILE:LINE:COL: CODE message`), never thrown.
 */
export type PracticeLoad =
  | {
      readonly ok: true;
      readonly pack: CompiledPack;
      /** Absent when the pack has no master-data.yaml beside it. */
      readonly masterData?: MasterData;
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly errors: readonly string[] };

export function loadPractice(file: string): PracticeLoad {
  const load = loadPack(file);
  const warnings = load.warnings.map(formatPackError);
  if (!load.ok) return { ok: false, errors: [...warnings, ...load.errors.map(formatPackError)] };
  if (load.pack.abstract) {
    return {
      ok: false,
      errors: [
        `rulepack: ${file} is abstract (pack.abstract): name a practice pack that extends it`,
      ],
    };
  }
  const master = masterDataBeside(file);
  if (!master.ok) return master;
  return { ok: true, pack: load.pack, ...(master.data && { masterData: master.data }), warnings };
}

/** The practice's `master-data.yaml` beside its pack, when there is one. */
export function masterDataBeside(
  packFile: string,
):
  | { readonly ok: true; readonly data?: MasterData }
  | { readonly ok: false; readonly errors: readonly string[] } {
  const file = join(dirname(packFile), "master-data.yaml");
  if (!existsSync(file)) return { ok: true };
  const master = loadMasterData(file);
  if (!master.ok) return { ok: false, errors: master.errors.map(formatPackError) };
  return { ok: true, data: master.data };
}
