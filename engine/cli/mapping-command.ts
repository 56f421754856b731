import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { formatPackError, type PackError } from "../documents/errors.js";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import { readChain } from "../pack/chain.js";
import type { CompiledPack } from "../pack/compiled.js";
import { loadPack } from "../pack/load.js";
import { lookupRow, type MappingTable } from "../pack/mapping-tables.js";
import {
  appendRow,
  modelineOf,
  type NewRow,
  newTableFile,
  type RowWrite,
  writeChecked,
} from "../queue/mapping-write.js";
import { unknownPracticeCode } from "./master-codes.js";
import { masterDataBeside } from "./practice.js";

export const MAPPING_USAGE =
  "rulepack mapping add TABLE FOREIGN PRACTICE --pack PACK [--description TEXT]";

export interface MappingAddOptions {
  readonly pack: string;
  readonly table: string;
  readonly row: NewRow;
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
    options: { pack: { type: "string" }, description: { type: "string" } },
  });
  if (!values.pack) return usage("--pack is required");
  const [table, foreign, practice, ...extra] = positionals;
  if (table === undefined || foreign === undefined || practice === undefined || extra.length > 0)
    return usage("give TABLE, FOREIGN and PRACTICE (quote a key that holds spaces)");
  if (practice.trim() === "") return usage("PRACTICE must not be empty");
  return mappingAddCommand(
    {
      pack: values.pack,
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

const shown = (file: string): string => relative(process.cwd(), file) || file;

/** A word as a POSIX shell reads it back. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** The error a message got while this table lacked the row (engine/inbound/mapping.ts). */
function blockedOn(pack: CompiledPack, table: string, foreign: string): string {
  const code =
    pack.mappings.insurancePlan?.table === table ? "UNMAPPED_INSURANCE" : "UNMAPPED_CODE";
  return `reprocess waiting messages with: rulepack reprocess --blocked-on ${shellWord(`${code}:${foreign}`)}\n`;
}

/** The column a table is keyed by: foreign codes, or practice codes in an outbound table. */
const keyColumn = (table: MappingTable): "foreign" | "practice" =>
  table.direction === "outbound" ? "practice" : "foreign";

function fail(io: CliIo, message: string): CommandResult {
  io.stderr(`rulepack: ${message}\n`);
  return { exitCode: EXIT.failed };
}

/**
 * `rulepack mapping add`: write a row into the practice's file for TABLE
 * (`mappings/<pack id>/<TABLE>.yaml`, created beside the standard file when
 * the practice has none), keeping the rest of the file as it was. A key
 * already mapped to another code is refused with the line that maps it; the
 * same row again changes nothing. The pack is loaded again afterwards and
 * the file restored when it no longer loads.
 */
export function mappingAddCommand(options: MappingAddOptions, io: CliIo): CommandResult {
  const { row } = options;
  const before = loadPack(options.pack);
  if (!before.ok) {
    for (const e of before.errors) io.stderr(`${formatPackError(e)}\n`);
    return { exitCode: EXIT.usage };
  }
  const pack = before.pack;
  if (pack.abstract)
    return fail(io, `${options.pack} is abstract (pack.abstract): add rows for a practice pack`);
  const table = pack.tables.get(options.table);
  if (!table) {
    const read = [...pack.tables.keys()].sort().join(", ") || "none";
    return fail(
      io,
      `pack ${pack.id} reads no mapping table '${options.table}' (it reads: ${read})`,
    );
  }
  if (table.direction !== "outbound") {
    const master = masterDataBeside(options.pack, io);
    if (!master.ok) return { exitCode: master.exitCode };
    const unknown = unknownPracticeCode(pack, table.name, row.practice, master.data);
    if (unknown) return fail(io, `${table.name}: ${unknown}; nothing written`);
  }
  const chain = readChain(options.pack);
  const mappingsDir = chain.ok ? chain.chain.mappingsDir : undefined;
  if (!mappingsDir) return fail(io, `no pack in ${options.pack}'s chain sets pack.mappingsDir`);
  const column = keyColumn(table);
  const existing = lookupRow(table, row[column]);
  const hint = table.direction === "outbound" ? "" : blockedOn(pack, table.name, row.foreign);
  if (existing) {
    // A case-insensitive table's row covers the key in any case.
    const other = column === "foreign" ? "practice" : "foreign";
    if (existing[other] === row[other]) {
      io.stdout(
        `${existing.at}: ${table.name} already maps '${row.foreign}' -> '${row.practice}'; nothing written\n${hint}`,
      );
      return { exitCode: EXIT.ok };
    }
    return fail(
      io,
      `${table.name}: ${column} code '${row[column]}' is already mapped to '${existing[other]}' at ${existing.at}; ${
        existing.at.startsWith(`${shown(join(mappingsDir, "standard"))}/`)
          ? "that is the standard table: override it in the practice's file by hand"
          : "change that line by hand if it is wrong"
      }`,
    );
  }
  const file = join(mappingsDir, pack.id, `${table.name}.yaml`);
  const previous = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  const written =
    previous === undefined ? newFile(mappingsDir, table.name, row) : appendRow(previous, row);
  if (!written.ok) return fail(io, `${shown(file)}: ${written.message}`);
  let errors: readonly PackError[] = [];
  const kept = writeChecked(file, written.text, () => {
    const after = loadPack(options.pack);
    if (!after.ok) errors = after.errors;
    const loaded = after.ok ? after.pack.tables.get(table.name) : undefined;
    return loaded !== undefined && lookupRow(loaded, row[column])?.practice === row.practice;
  });
  if (!kept) {
    for (const e of errors) io.stderr(`${formatPackError(e)}\n`);
    return fail(io, `${shown(file)}: the pack does not load with the row; the file is as it was`);
  }
  io.stdout(
    `${shown(file)}:${written.line}: ${table.name} '${row.foreign}' -> '${row.practice}'\n${hint}`,
  );
  return { exitCode: EXIT.ok };
}

/** The practice's first row of a table: a new file headed like the standard one. */
function newFile(mappingsDir: string, table: string, row: NewRow): RowWrite {
  const standard = join(mappingsDir, "standard", `${table}.yaml`);
  const modeline = existsSync(standard) ? modelineOf(readFileSync(standard, "utf8")) : undefined;
  return newTableFile(table, row, modeline);
}
