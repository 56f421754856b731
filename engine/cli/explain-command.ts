import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { formatPackError } from "../pack/errors.js";
import { loadPack } from "../pack/load.js";
import { receiveBytes } from "../queue/intake.js";
import { loadMasterData } from "../store/master-data-load.js";
import { createMemoryStore } from "../store/memory.js";
import { explainOutcome } from "../testing/explain.js";
import { type CliIo, type CommandResult, EXIT, readInput } from "./io.js";

export interface ExplainOptions {
  readonly pack: string;
  readonly now: Date;
  readonly files: readonly string[];
}

/**
 * `rulepack explain --pack PACK FILE...`: every message through the pack
 * against a scratch in-memory store (the practice's master data loaded, the
 * messages applied in order, nothing written anywhere), and per message the
 * trace: which rules fired, which reference alternative supplied each
 * value, which mapping row was used, the matcher's per-field scores. It
 * shows where values came from, not the values; review candidates carry
 * the matcher's scores. Exit 1 when a file cannot be read or has no message.
 */
export async function explainCommand(options: ExplainOptions, io: CliIo): Promise<CommandResult> {
  const load = loadPack(options.pack);
  for (const w of load.warnings) io.stderr(`${formatPackError(w)}\n`);
  if (!load.ok) {
    for (const e of load.errors) io.stderr(`${formatPackError(e)}\n`);
    return { exitCode: EXIT.usage };
  }
  if (load.pack.abstract) {
    io.stderr(
      `rulepack: ${options.pack} is abstract (pack.abstract): explain with a practice pack\n`,
    );
    return { exitCode: EXIT.usage };
  }
  const store = createMemoryStore();
  const masterDataFile = join(dirname(options.pack), "master-data.yaml");
  if (existsSync(masterDataFile)) {
    const master = loadMasterData(masterDataFile);
    if (!master.ok) {
      for (const e of master.errors) io.stderr(`${formatPackError(e)}\n`);
      return { exitCode: EXIT.usage };
    }
    store.loadMasterData(master.data);
  }
  let exitCode: number = EXIT.ok;
  for (const file of options.files) {
    const input = readInput(file);
    if (!input.ok) {
      io.stderr(`${input.message}\n`);
      exitCode = EXIT.failed;
      continue;
    }
    const outcomes = await receiveBytes(load.pack, store, input.bytes, {
      now: options.now,
      sender: `file:${file}`,
      trace: true,
    });
    if (outcomes.length === 0) exitCode = EXIT.failed;
    io.stdout(`${file}\n`);
    for (const outcome of outcomes) io.stdout(explainOutcome(outcome, "  "));
  }
  return { exitCode };
}
