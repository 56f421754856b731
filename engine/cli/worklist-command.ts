import { parseArgs } from "node:util";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import type { Appointment } from "../model/records.js";
import { duplicatesCommand } from "./duplicates-worklist.js";
import { openExistingStore } from "./practice.js";

export const WORKLIST_USAGE =
  "rulepack worklist missing-slips|duplicates [--db FILE] [--pack PACK] [--format text|json]";

export interface MissingSlipsOptions {
  /** The SQLite store `rulepack run` wrote. */
  readonly db: string;
  readonly format: "text" | "json";
}

/**
 * `rulepack worklist NAME`: `missing-slips` — the appointments checked in (2) or out
 * (3) whose charges have not arrived, unless their appointment type says no
 * billing slip is required (spec: "These appointments appear on the Missing
 * Slips worklist until charges are entered via a user or the interface").
 * Soonest first. Text: one line per appointment, IDs and codes only (no
 * patient names), then the count. JSON: one appointment record per line,
 * the count on stderr. `duplicates` — likely duplicate patients already in
 * the store (duplicates-worklist.ts), scored by `--pack`'s matcher.
 */
export async function worklistCommand(args: readonly string[], io: CliIo): Promise<CommandResult> {
  const [name, ...rest] = args;
  if (name !== "missing-slips" && name !== "duplicates") {
    return usage(
      io,
      `unknown worklist '${name ?? ""}' (the worklists are missing-slips, duplicates)`,
    );
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      db: { type: "string", default: "rulepack.sqlite" },
      pack: { type: "string" },
      format: { type: "string", default: "text" },
    },
  });
  if (values.format !== "text" && values.format !== "json") {
    return usage(io, `unknown --format '${values.format}'`);
  }
  if (positionals.length > 0) return usage(io, `unexpected argument '${positionals[0]}'`);
  if (name === "duplicates") {
    return duplicatesCommand(
      { db: values.db, format: values.format, ...(values.pack && { pack: values.pack }) },
      io,
    );
  }
  if (values.pack !== undefined) return usage(io, "--pack is for the duplicates worklist");
  return missingSlipsCommand({ db: values.db, format: values.format }, io);
}

function usage(io: CliIo, message: string): CommandResult {
  io.stderr(`rulepack: ${message}\nusage: ${WORKLIST_USAGE}\n`);
  return { exitCode: EXIT.usage };
}

export async function missingSlipsCommand(
  options: MissingSlipsOptions,
  io: CliIo,
): Promise<CommandResult> {
  // A worklist only reads: never create an empty store by mistyping its name.
  const store = openExistingStore(options.db, io);
  if (!store) return { exitCode: EXIT.failed };
  let list: Appointment[];
  try {
    list = [...(await store.appointmentsMissingSlips())].sort(bySoonest);
  } finally {
    await store.close();
  }
  const count = `${list.length} appointment${list.length === 1 ? "" : "s"} missing slips\n`;
  if (options.format === "json") {
    for (const a of list) io.stdout(`${JSON.stringify(a)}\n`);
    io.stderr(count);
    return { exitCode: EXIT.ok };
  }
  for (const a of list) io.stdout(`${textLine(a)}\n`);
  io.stdout(count);
  return { exitCode: EXIT.ok };
}

function instant(a: Appointment): number {
  const t = typeof a.start === "string" ? Date.parse(a.start) : Number.NaN;
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

/** By start instant (offsets differ), an appointment without a start last, then by ID. */
function bySoonest(a: Appointment, b: Appointment): number {
  return instant(a) - instant(b) || (a.id ?? "").localeCompare(b.id ?? "", "en", { numeric: true });
}

function textLine(a: Appointment): string {
  const field = (name: string, value: unknown) =>
    `${name}=${value === undefined || value === null ? "-" : String(value)}`;
  return [
    a.id ?? "-",
    a.start ?? "-",
    field("status", a.status),
    field("patient", a.patientId),
    field("provider", a.providerId),
    field("department", a.departmentId),
    field("type", a.type),
  ].join(" ");
}
