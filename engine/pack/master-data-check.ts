import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { byPosition, type PackError } from "../documents/errors.js";
import { shown } from "./chain.js";
import type { CompiledPack } from "./compiled.js";
import { loadMasterData } from "./master-data-load.js";
import { checkMasterReferences } from "./master-references.js";

/**
 * What `rulepack validate` checks beyond the pack itself, so a pack that
 * validates also runs: the practice's `master-data.yaml` beside it (the
 * checks `store load` and `run` make: schema, unique IDs, NPI check digit)
 * and, when both load, every reference from the pack into it
 * (master-references.ts). No master-data.yaml (base.yaml, a pack in a
 * scratch folder) is no problem: there is nothing to check against.
 */
export function checkMasterDataBeside(packFile: string, pack?: CompiledPack): PackError[] {
  const file = shown(resolve(dirname(packFile), "master-data.yaml"));
  if (!existsSync(file)) return [];
  const master = loadMasterData(file);
  if (!master.ok) return master.errors.map((e) => ({ ...e, severity: e.severity ?? "error" }));
  if (!pack || pack.abstract) return [];
  return checkMasterReferences(packFile, pack, master.data, file)
    .map((e) => ({ ...e, severity: "error" as const }))
    .sort(byPosition);
}
