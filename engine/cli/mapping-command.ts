import { parseArgs } from "node:util";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import { addMappingRow } from "../queue/mapping-add.js";
import type { NewRow } from "../queue/mapping-write.js";
import { mappingTurnedOff } from "./mapping-setting.js";

export const MAPPING_USAGE =
  "rulepack mapping add TABLE FOREIGN PRACTICE --pack PACK [--db FILE] [--description TEXT]";

export interface MappingAddOptions {
  readonly pack: string;
  readonly table: string;
  readonly row: NewRow;
  /** The store the printed `reprocess` line names (reprocess's default when absent). */
  readonly db?: string;
}

/** `rulepack mapping add ...`: argument checks, then `mappingAddCommand`. */
export function mappingCommand(args: readonly string[], io: CliIo): CommandResult {
  const [verb, ...rest] = args;
  const usage = (message: string): CommandResult => {
    io.stderr(`rulepack: ${message}\nusage: ${MAPPING_USAGE}\n`);
    return { exitCode: EXIT.usage };
  };
  if (verb !== "add") return usage(`unknown mapping command '${verb ?? ""}' (add)`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { pack: { type: "string" }, db: { type: "string" }, description: { type: "string" } },
  });
  if (!values.pack) return usage("--pack is required");
  const [table, foreign, practice, ...extra] = positionals;
  if (table === undefined || foreign === undefined || practice === undefined || extra.length > 0)
    return usage("give TABLE, FOREIGN and PRACTICE (quote a key that holds spaces)");
  if (practice.trim() === "") return usage("PRACTICE must not be empty");
  return mappingAddCommand(
    {
      pack: values.pack,
      ...(values.db !== undefined && { db: values.db }),
      table,
      row: {
        foreign,
        practice,
        ...(values.description !== undefined && { description: values.description }),
      },
    },
    io,
  );
}

/** A word as a POSIX shell reads it back. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * `rulepack mapping add` (engine/queue/mapping-add.ts): write the row into
 * the practice's file for TABLE and say how to reprocess the messages
 * waiting on it; a key mapped elsewhere is refused with the line that maps it.
 */
export function mappingAddCommand(options: MappingAddOptions, io: CliIo): CommandResult {
  const { row } = options;
  const result = addMappingRow(options.pack, options.table, row);
  if (!result.ok) {
    for (const e of result.errors) io.stderr(`${e}\n`);
    if (result.kind === "pack") return { exitCode: EXIT.usage };
    io.stderr(`rulepack: ${mappingTurnedOff(options.pack, options.table) ?? result.message}\n`);
    return { exitCode: EXIT.failed };
  }
  // Ready to paste: the pack and store this command was given.
  const reprocess = result.blocker && [
    "--blocked-on",
    `${result.blocker.code}:${result.blocker.value}`,
    "--pack",
    options.pack,
    ...(options.db === undefined ? [] : ["--db", options.db]),
  ];
  const hint = reprocess
    ? `reprocess waiting messages with: rulepack reprocess ${reprocess.map(shellWord).join(" ")}\n`
    : "";
  io.stdout(
    result.written
      ? `${result.at}: ${result.table} '${row.foreign}' -> '${row.practice}'\n${hint}`
      : `${result.at}: ${result.table} already maps '${row.foreign}' -> '${row.practice}'; nothing written\n${hint}`,
  );
  return { exitCode: EXIT.ok };
}
