import { stringify } from "yaml";
import { formatPackError, type PackError } from "../documents/errors.js";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import { lintPack } from "../pack/lint.js";
import { loadPack } from "../pack/load.js";
import { checkMasterDataBeside } from "../pack/master-data-check.js";

export interface ValidateOptions {
  readonly packs: readonly string[];
  readonly format: "text" | "json";
  /** Print the merged pack (after extends) of each valid pack. */
  readonly effective: boolean;
  /** Also warn about what is legal but pointless or suspicious (engine/pack/lint.ts). */
  readonly strict?: boolean;
}

interface PackReport {
  readonly file: string;
  readonly valid: boolean;
  readonly errors: readonly PackError[];
  readonly warnings: readonly PackError[];
  readonly effective?: unknown;
}

/**
 * `rulepack validate PACK...`: exit 0 when every pack is valid, 1 with one
 * `FILE:LINE:COL: CODE message` line per problem otherwise, 2 when a pack
 * (or a file it extends) cannot be read. Warnings are printed but never
 * fail validation. The practice's master-data.yaml beside the pack is
 * checked too, and every name and code the pack takes from it (a pack that
 * validates also runs). `--strict` adds the lint's warnings to each valid pack's;
 * they never fail it either.
 */
export function validateCommand(options: ValidateOptions, io: CliIo): CommandResult {
  const reports: PackReport[] = options.packs.map((file) => {
    const load = loadPack(file);
    const master = checkMasterDataBeside(file, load.ok ? load.pack : undefined);
    if (load.ok && master.length > 0)
      return { file, valid: false, errors: master, warnings: load.warnings };
    if (load.ok) {
      return {
        file,
        valid: true,
        errors: [],
        warnings: options.strict ? [...load.warnings, ...lintPack(file)] : load.warnings,
        ...(options.effective && { effective: load.pack.effective }),
      };
    }
    return { file, valid: false, errors: [...load.errors, ...master], warnings: load.warnings };
  });
  const valid = reports.every((r) => r.valid);
  if (options.format === "json") {
    io.stdout(`${JSON.stringify({ valid, packs: reports }, null, 2)}\n`);
  } else {
    for (const r of reports) {
      for (const problem of [...r.errors, ...r.warnings])
        io.stderr(`${formatPackError(problem)}\n`);
      if (r.effective !== undefined)
        io.stdout(`# effective pack: ${r.file}\n${stringify(r.effective)}`);
      else if (r.valid && !options.effective) io.stdout(`${r.file}: valid\n`);
    }
  }
  // A pack that cannot be read is unusable input (2), as in every command;
  // one that reads but is invalid is validate's finding (1).
  const unreadable = reports.some((r) => r.errors.some((e) => e.code === "FILE_NOT_FOUND"));
  if (unreadable) return { exitCode: EXIT.usage };
  return { exitCode: valid ? EXIT.ok : EXIT.failed };
}
