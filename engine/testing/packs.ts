import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type { formatPackError, SourcePosition } from "../documents/errors.js";
import type { Layer, PathKey } from "../documents/merge.js";
import { EMPTY_MASTER_DATA, type MasterData } from "../model/master-data.js";
import type { CompiledPack } from "../pack/compiled.js";
import { loadPack } from "../pack/load.js";
import { loadMasterData } from "../pack/master-data-load.js";
import { filesOfOneRun } from "../pack/pack-files.js";
import type { LoadedCase, LoadedSuite, TestProblem } from "./model.js";

/**
 * The packs cases run against, loaded once each: a pack file as it is, or
 * with one case's `overrides:` merged on top (a variant of its own, whose
 * overridden nodes point at the test file).
 */
export interface PackVariant {
  readonly pack: CompiledPack;
  /** The pack file the case named, as shown. */
  readonly file: string;
  readonly locate: (path: PathKey) => SourcePosition | undefined;
}

export type VariantLoad =
  | { readonly ok: true; readonly variant: PackVariant }
  | { readonly ok: false; readonly problems: readonly TestProblem[] };

export interface Overrides {
  readonly layer: Layer;
  readonly suite: LoadedSuite;
  readonly testCase: LoadedCase;
}

export class PackCache {
  private readonly loaded = new Map<string, VariantLoad>();
  private readonly masterDataBeside = new Map<string, MasterData | TestProblem[]>();
  /** The pack and table files as this run first read them: each variant's load shares them. */
  private readonly files = filesOfOneRun();

  /** The master-data.yaml beside a pack, if any (as `rulepack run` loads it), or its problems. */
  masterData(packFile: string): MasterData | TestProblem[] {
    const file = join(dirname(packFile), "master-data.yaml");
    const cached = this.masterDataBeside.get(file);
    if (cached) return cached;
    let result: MasterData | TestProblem[] = EMPTY_MASTER_DATA;
    if (existsSync(file)) {
      const load = loadMasterData(file);
      result = load.ok ? load.data : packProblems(load.errors);
    }
    this.masterDataBeside.set(file, result);
    return result;
  }

  get(file: string, overrides?: Overrides): VariantLoad {
    const key = overrides
      ? `${file}\u0000${overrides.suite.file}\u0000${overrides.testCase.index}`
      : file;
    const hit = this.loaded.get(key);
    if (hit) return hit;
    const load = loadPack(file, {
      ...(overrides && { overrides: overrides.layer }),
      files: this.files,
    });
    let result: VariantLoad;
    if (!load.ok) result = { ok: false, problems: packProblems(load.errors) };
    else if (load.pack.abstract)
      result = {
        ok: false,
        problems: [
          {
            file,
            line: 1,
            col: 1,
            code: "PACK_ABSTRACT",
            message: `${file} is abstract (pack.abstract): test a practice pack that extends it`,
          },
        ],
      };
    else result = { ok: true, variant: { pack: load.pack, file, locate: load.locate } };
    this.loaded.set(key, result);
    return result;
  }
}

export function packProblems(
  errors: readonly Parameters<typeof formatPackError>[0][],
): TestProblem[] {
  return errors.map((e) => ({
    file: e.file,
    line: e.line,
    col: e.col,
    code: e.code,
    message: e.message,
  }));
}
