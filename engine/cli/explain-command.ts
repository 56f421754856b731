import { type CliIo, type CommandResult, EXIT, readInput } from "../io/cli-io.js";
import { receiveBytes } from "../queue/intake.js";
import { createMemoryStore } from "../store/memory.js";
import { explainOutcome } from "../testing/explain.js";
import { loadPracticePack } from "./practice.js";

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
 * the matcher's scores. Exit 2 when a file cannot be read, 1 when one has no message.
 */
export async function explainCommand(options: ExplainOptions, io: CliIo): Promise<CommandResult> {
  const practice = loadPracticePack(options.pack, io);
  if (!practice.ok) return { exitCode: practice.exitCode };
  const store = createMemoryStore();
  if (practice.masterData) await store.loadMasterData(practice.masterData);
  let exitCode: number = EXIT.ok;
  for (const file of options.files) {
    const input = readInput(file);
    if (!input.ok) {
      io.stderr(`${input.message}\n`);
      exitCode = EXIT.usage;
      continue;
    }
    const outcomes = await receiveBytes(practice.pack, store, input.bytes, {
      now: options.now,
      sender: `file:${file}`,
      trace: true,
    });
    if (outcomes.length === 0 && exitCode === EXIT.ok) exitCode = EXIT.failed;
    io.stdout(`${file}\n`);
    for (const outcome of outcomes) io.stdout(explainOutcome(outcome, "  "));
  }
  return { exitCode };
}
