import { byPosition, type PackError, type SourcePosition } from "../documents/errors.js";
import { type Layer, originOf, type PathKey } from "../documents/merge.js";
import { schemaValidator } from "../documents/schema.js";
import { convertSchemaErrors } from "../documents/schema-errors.js";
import { readChain, shown } from "./chain.js";
import { compilePack, describe } from "./compile.js";
import type { CompiledPack } from "./compiled.js";
import type { PackFiles } from "./pack-files.js";

export type PackLoad =
  | {
      readonly ok: true;
      readonly pack: CompiledPack;
      readonly warnings: readonly PackError[];
      /** Where the node at `path` of the merged pack was written (the file that defines it). */
      readonly locate: (path: PathKey) => SourcePosition | undefined;
    }
  | {
      readonly ok: false;
      readonly errors: readonly PackError[];
      readonly warnings: readonly PackError[];
      readonly effective?: unknown;
    };

/**
 * Load a pack file: read it and its `extends` chain, merge, validate against
 * schemas/rulepack.schema.json, check its references, expressions and tables,
 * and compile it. Problems come back located; nothing is thrown.
 */
export interface LoadPackOptions {
  /**
   * One more layer merged on top of the pack (a rule test's per-case
   * `overrides:`, from `layerOf(testFile, path)`): problems and traces of
   * what it defines point at the file it came from.
   */
  readonly overrides?: Layer;
  /** How pack and table files are read (pack-files.ts): the disk at every load unless a run says otherwise. */
  readonly files?: PackFiles;
}

export function loadPack(file: string, options: LoadPackOptions = {}): PackLoad {
  const loaded = contained(file, () => load(file, options));
  if (loaded.ok) return loaded;
  // Every problem says what it is (`--format json` carries `severity`).
  return {
    ...loaded,
    errors: loaded.errors.map((e) => ({ ...e, severity: e.severity ?? "error" })),
  };
}

/**
 * Whatever the loader throws (a fault no check foresaw) becomes a located
 * LOAD_FAILED at the pack file, so `validate` reports it and a reload keeps
 * the pack it has; the section compilers contain their own at their section.
 */
function contained(file: string, load: () => PackLoad): PackLoad {
  try {
    return load();
  } catch (e) {
    return {
      ok: false,
      errors: [
        {
          file: shown(file),
          line: 1,
          col: 1,
          code: "LOAD_FAILED",
          message: `the loader failed on this pack (${describe(e)}); this is a fault of the engine, not necessarily of the pack: report it with the pack`,
        },
      ],
      warnings: [],
    };
  }
}

function load(file: string, options: LoadPackOptions): PackLoad {
  const read = readChain(file, options.overrides, options.files);
  if (!read.ok)
    return { ok: false, errors: [...read.errors].sort(byPosition), warnings: read.warnings };
  const { chain, warnings } = read;
  const validate = schemaValidator("rulepack");
  if (!validate(chain.merged.data)) {
    return {
      ok: false,
      errors: convertSchemaErrors(validate.errors ?? [], chain.merged).sort(byPosition),
      warnings,
      effective: chain.merged.data,
    };
  }
  const compiled = compilePack(chain, file);
  if (!compiled.ok) {
    return {
      ok: false,
      errors: [...compiled.errors].sort(byPosition),
      warnings,
      effective: chain.merged.data,
    };
  }
  const locate = (path: PathKey): SourcePosition | undefined => {
    const origin = originOf(chain.merged, path);
    return origin?.source.locate(origin.path);
  };
  return { ok: true, pack: compiled.pack, warnings, locate };
}
