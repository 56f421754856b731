import type { MasterData } from "../engine/model/master-data.js";
import type { CompiledPack } from "../engine/pack/compiled.js";
import { loadPractice } from "../engine/pack/practice-load.js";

/** The example practice every pipeline bench runs: its pack and the master data beside it. */
export const HARBOR_PACK = "rules/practices/harbor-ortho/pack.yaml";

export interface BenchPractice {
  readonly pack: CompiledPack;
  readonly masterData: MasterData;
}

/** Harbor loaded once per suite, or undefined with the reason printed (the suite is skipped). */
export function loadHarbor(suite: string): BenchPractice | undefined {
  const load = loadPractice(HARBOR_PACK);
  if (load.ok && load.masterData) return { pack: load.pack, masterData: load.masterData };
  const why = load.ok ? "no master-data.yaml beside the pack" : load.errors.join("; ");
  process.stdout.write(`${suite}: skipped (${why})\n`);
  return undefined;
}
