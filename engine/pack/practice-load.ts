import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { formatPackError, type PackError } from "../documents/errors.js";
import type { MasterData } from "../model/master-data.js";
import { shown } from "./chain.js";
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
  const load = loadLocatedPractice(file);
  const warnings = load.warnings.map(formatPackError);
  if (load.ok) return { ...load, warnings };
  if (load.abstract) {
    return {
      ok: false,
      errors: [
        `rulepack: ${file} is abstract (pack.abstract): name a practice pack that extends it`,
      ],
    };
  }
  return { ok: false, errors: [...warnings, ...load.errors.map(formatPackError)] };
}

/**
 * What `loadPractice` reads, as values: the pack's problems and those of
 * the master data beside it, all of them at once (a practice whose pack and
 * master data are both wrong shows both), each located at `FILE:LINE:COL`
 * (`formatPackError`). `abstract` is set when the pack is an abstract base.
 */
export type LocatedPracticeLoad =
  | {
      readonly ok: true;
      readonly pack: CompiledPack;
      /** Absent when the pack has no master-data.yaml beside it. */
      readonly masterData?: MasterData;
      readonly warnings: readonly PackError[];
    }
  | {
      readonly ok: false;
      readonly errors: readonly PackError[];
      readonly warnings: readonly PackError[];
      /** The pack is an abstract base (`pack.abstract`, rules/base.yaml): name a practice's pack. */
      readonly abstract?: true;
    };

export function loadLocatedPractice(file: string): LocatedPracticeLoad {
  const load = loadPack(file);
  // Shown as the pack's files are: relative to the working folder.
  const masterFile = shown(resolve(dirname(file), "master-data.yaml"));
  const master = existsSync(masterFile) ? loadMasterData(masterFile) : undefined;
  const masterErrors = master && !master.ok ? master.errors : [];
  if (!load.ok)
    return { ok: false, errors: [...load.errors, ...masterErrors], warnings: load.warnings };
  if (load.pack.abstract) {
    const at = load.locate(["pack", "abstract"]) ?? { file, line: 1, col: 1 };
    return {
      ok: false,
      abstract: true,
      errors: [
        {
          ...at,
          code: "PACK_ABSTRACT",
          severity: "error",
          message: `${file} is abstract (pack.abstract): name a practice pack that extends it`,
          path: "pack.abstract",
        },
      ],
      warnings: load.warnings,
    };
  }
  if (master && !master.ok) return { ok: false, errors: masterErrors, warnings: load.warnings };
  return {
    ok: true,
    pack: load.pack,
    ...(master?.ok && { masterData: master.data }),
    warnings: load.warnings,
  };
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
