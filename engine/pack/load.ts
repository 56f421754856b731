import { readChain } from "./chain.js";
import { compilePack } from "./compile.js";
import type { CompiledPack } from "./compiled.js";
import { byPosition, type PackError } from "./errors.js";
import { schemaValidator } from "./schema.js";
import { convertSchemaErrors } from "./schema-errors.js";

export type PackLoad =
  | { readonly ok: true; readonly pack: CompiledPack; readonly warnings: readonly PackError[] }
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
export function loadPack(file: string): PackLoad {
  const loaded = load(file);
  if (loaded.ok) return loaded;
  // Every problem says what it is (`--format json` carries `severity`).
  return {
    ...loaded,
    errors: loaded.errors.map((e) => ({ ...e, severity: e.severity ?? "error" })),
  };
}

function load(file: string): PackLoad {
  const read = readChain(file);
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
  return { ok: true, pack: compiled.pack, warnings };
}
