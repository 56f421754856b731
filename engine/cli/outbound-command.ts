import { formatPackError } from "../documents/errors.js";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import { loadEvent } from "../outbound/events.js";
import { sendEvent } from "../outbound/send.js";
import { openPractice } from "./practice.js";

export interface OutboundCommandOptions {
  readonly pack: string;
  /** `:memory:` for a fresh store (reproducible output). */
  readonly db: string;
  readonly now: Date;
  readonly files: readonly string[];
}

/**
 * `rulepack outbound`: each practice event through the pack; every built
 * message is queued (NEW, direction outbound) and printed, its segments one
 * per line and a blank line after it. A filtered or disabled event, or one
 * that cannot be built, is one line on stderr; an ERROR makes the exit code 1.
 */
export async function outboundCommand(
  options: OutboundCommandOptions,
  io: CliIo,
): Promise<CommandResult> {
  const opened = await openPractice(options.pack, options.db, io, { existing: false });
  if (!opened.ok) return { exitCode: opened.exitCode };
  const { pack, store } = opened;
  try {
    let exitCode: number = EXIT.ok;
    for (const file of options.files) {
      const read = loadEvent(file);
      if (!read.ok) {
        for (const e of read.errors) io.stderr(`${formatPackError(e)}\n`);
        exitCode = EXIT.usage;
        continue;
      }
      for (const result of await sendEvent(pack, store, read.event, { now: options.now })) {
        if (result.state === "NEW" && result.text !== undefined) {
          io.stdout(`${result.text.replace(/\r/g, "\n")}\n`);
          continue;
        }
        if (result.state === "ERROR") exitCode = Math.max(exitCode, EXIT.failed);
        for (const e of result.errors)
          io.stderr(`${file}: ${result.event} ${result.state} ${e.code} ${e.message}\n`);
      }
    }
    return { exitCode };
  } finally {
    await store.close();
  }
}
