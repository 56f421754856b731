import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import { usageError } from "./args.js";
import { insurancePlanTable, practiceScaffold } from "./practice-scaffold.js";

export const INIT_USAGE = "rulepack init PRACTICE [--dir RULES_DIR]";

export interface InitOptions {
  readonly practice: string;
  /** The rules folder: base.yaml and practices/. */
  readonly dir: string;
}

/** `rulepack init PRACTICE [--dir RULES_DIR]`: arguments, then the scaffold. */
export function initCommandArgs(args: readonly string[], io: CliIo): CommandResult {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { dir: { type: "string", default: "rules" } },
  });
  const [practice, ...extra] = positionals;
  if (practice === undefined || extra.length > 0)
    return usageError(io, INIT_USAGE, "give exactly one PRACTICE");
  if (!/^[a-z0-9][a-z0-9-]*$/.test(practice))
    return usageError(
      io,
      INIT_USAGE,
      `PRACTICE '${practice}' must be lower-case letters, digits and '-' (it is the pack id)`,
    );
  return initCommand({ practice, dir: values.dir }, io);
}

/**
 * Writes `RULES_DIR/practices/PRACTICE/` from practice-scaffold.ts: a pack
 * that validates, runs and passes its own test untouched. Refuses to write
 * over a folder that exists, and needs the base it extends.
 */
export function initCommand(options: InitOptions, io: CliIo): CommandResult {
  const base = resolve(options.dir, "base.yaml");
  if (!existsSync(base)) {
    io.stderr(`rulepack: no base.yaml in ${options.dir} (give the rules folder with --dir)\n`);
    return { exitCode: EXIT.usage };
  }
  const folder = resolve(options.dir, "practices", options.practice);
  if (existsSync(folder)) {
    io.stderr(`rulepack: ${relative(".", folder) || folder} exists already; nothing written\n`);
    return { exitCode: EXIT.usage };
  }
  const mappings = join(mappingsDirOf(base), options.practice);
  if (existsSync(join(mappings, "insurancePlan.yaml"))) {
    io.stderr(
      `rulepack: ${join(mappings, "insurancePlan.yaml")} exists already; nothing written\n`,
    );
    return { exitCode: EXIT.usage };
  }
  const files = practiceScaffold(options.practice, {
    base: slashes(relative(folder, base)),
    schemas: slashes(relative(folder, schemasDir())),
  });
  for (const file of files) {
    const target = join(folder, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.text, { flag: "wx" });
    io.stdout(`created ${join(options.dir, "practices", options.practice, file.path)}\n`);
  }
  mkdirSync(mappings, { recursive: true });
  const table = join(mappings, "insurancePlan.yaml");
  writeFileSync(
    table,
    insurancePlanTable(options.practice, slashes(relative(mappings, schemasDir()))),
    { flag: "wx" },
  );
  io.stdout(`created ${relative(".", table)}\n`);
  const pack = join(options.dir, "practices", options.practice, "pack.yaml");
  io.stdout(
    `next: rulepack validate ${pack} && rulepack test ${join(options.dir, "practices", options.practice, "tests")}\n`,
  );
  return { exitCode: EXIT.ok };
}

/** The package's schemas/ folder, from engine/cli/ (tsx) or dist/engine/cli/. */
function schemasDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ["../../schemas", "../../../schemas"]) {
    const dir = resolve(here, up);
    if (existsSync(join(dir, "rulepack.schema.json"))) return dir;
  }
  return resolve(here, "../../schemas");
}

/** The mappings folder the base names (`pack.mappingsDir`), else `../mappings` beside it. */
function mappingsDirOf(base: string): string {
  const text = readFileSync(base, "utf8");
  const doc = parse(text) as { pack?: { mappingsDir?: unknown } } | null;
  const dir = typeof doc?.pack?.mappingsDir === "string" ? doc.pack.mappingsDir : "../mappings";
  return resolve(dirname(base), dir);
}

function slashes(path: string): string {
  return path.split(sep).join("/");
}
