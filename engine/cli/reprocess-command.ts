import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import type { QueueState } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import { formatPackError } from "../pack/errors.js";
import { loadPack } from "../pack/load.js";
import {
  type ReprocessAttempt,
  reprocessMessages,
  type Selection,
  selectBlockedOn,
  selectByIds,
} from "../queue/reprocess.js";
import { loadMasterData } from "../store/master-data-load.js";
import { openSqliteStore } from "../store/sqlite.js";
import type { Store } from "../store/types.js";
import { type CliIo, type CommandResult, EXIT } from "./io.js";

export const REPROCESS_USAGE =
  "rulepack reprocess (ID... | --blocked-on CODE[:VALUE]) --pack PACK [--db FILE] [--now ISO-8601] [--actor NAME] [--force] [--format text|json]";

/** Options both queue-changing commands (reprocess, review) share. */
export const QUEUE_CHANGE_OPTIONS = {
  pack: { type: "string" },
  db: { type: "string", default: "rulepack.sqlite" },
  now: { type: "string" },
  actor: { type: "string" },
  force: { type: "boolean" },
  format: { type: "string", default: "text" },
} as const;

/**
 * `rulepack reprocess`: the named messages, or every message waiting on one
 * error (`--blocked-on UNMAPPED_INSURANCE:<plan key>` once the mapping row
 * is added), processed again against the current store and pack, followed
 * by the patient's later messages that failed only because of them. One
 * line per attempt: message ID, control ID, type, old -> new state, codes.
 */
export async function reprocessCommand(args: readonly string[], io: CliIo): Promise<CommandResult> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { ...QUEUE_CHANGE_OPTIONS, "blocked-on": { type: "string" } },
  });
  const usage = (message: string) => usageError(io, REPROCESS_USAGE, message);
  if (!values.pack) return usage("--pack is required");
  if (values.format !== "text" && values.format !== "json")
    return usage(`unknown --format '${values.format}'`);
  const clock = clockOf(values.now);
  if (!clock) return usage(`--now '${values.now}' is not an ISO-8601 date-time`);
  const blockedOn = values["blocked-on"];
  if ((blockedOn === undefined) === (positionals.length === 0))
    return usage("give message IDs or --blocked-on CODE[:VALUE], not both");
  const blocker = blockedOn === undefined ? undefined : parseBlocker(blockedOn);
  if (blocker === null) return usage(`--blocked-on '${blockedOn}' is not CODE or CODE:VALUE`);

  const opened = openQueue(values.pack, values.db, io);
  if (!opened.ok) return { exitCode: opened.exitCode };
  const { pack, store } = opened;
  try {
    const selection: Selection = blocker
      ? selectBlockedOn(store, blocker.code, blocker.value)
      : selectByIds(store, positionals);
    if (!selection.ok) {
      io.stderr(`rulepack: ${selection.message}\n`);
      return { exitCode: EXIT.failed };
    }
    const attempts = await reprocessMessages(pack, store, selection.messages, {
      clock,
      force: values.force === true,
      ...(values.actor !== undefined && { actor: values.actor }),
      ...(blockedOn !== undefined && { note: `blocked-on ${blockedOn}` }),
    });
    printAttempts(attempts, values.format, io);
    return { exitCode: EXIT.ok };
  } finally {
    store.close();
  }
}

export function usageError(io: CliIo, usage: string, message: string): CommandResult {
  io.stderr(`rulepack: ${message}\nusage: ${usage}\n`);
  return { exitCode: EXIT.usage };
}

/** `--now` fixes every attempt's clock; without it each attempt reads the time when it starts. */
export function clockOf(now: string | undefined): (() => Date) | undefined {
  if (now === undefined) return () => new Date();
  const fixed = new Date(now);
  return Number.isNaN(fixed.getTime()) ? undefined : () => fixed;
}

/** `CODE` or `CODE:VALUE` (the value may hold colons); null when CODE is not an error code's shape. */
function parseBlocker(text: string): { code: string; value?: string } | null {
  const colon = text.indexOf(":");
  const code = colon < 0 ? text : text.slice(0, colon);
  if (!/^[A-Z][A-Z_]*$/.test(code)) return null;
  return colon < 0 ? { code } : { code, value: text.slice(colon + 1) };
}

type Opened =
  | { readonly ok: true; readonly pack: CompiledPack; readonly store: Store }
  | { readonly ok: false; readonly exitCode: number };

/**
 * The pack (read now, so a mapping row added since is used) and the existing
 * store with the pack's master data loaded, as `run` and `serve` load them.
 */
export function openQueue(packPath: string, db: string, io: CliIo): Opened {
  const load = loadPack(packPath);
  for (const w of load.warnings) io.stderr(`${formatPackError(w)}\n`);
  if (!load.ok) {
    for (const e of load.errors) io.stderr(`${formatPackError(e)}\n`);
    return { ok: false, exitCode: EXIT.usage };
  }
  if (load.pack.abstract) {
    io.stderr(`rulepack: ${packPath} is abstract (pack.abstract): name a practice pack\n`);
    return { ok: false, exitCode: EXIT.usage };
  }
  // The queue lives in an existing store: never create an empty one by mistyping its name.
  if (db !== ":memory:" && !existsSync(db)) {
    io.stderr(`rulepack: no store at ${db} (rulepack run or serve --db FILE creates one)\n`);
    return { ok: false, exitCode: EXIT.failed };
  }
  const masterDataFile = join(dirname(packPath), "master-data.yaml");
  const master = existsSync(masterDataFile) ? loadMasterData(masterDataFile) : undefined;
  if (master && !master.ok) {
    for (const e of master.errors) io.stderr(`${formatPackError(e)}\n`);
    return { ok: false, exitCode: EXIT.usage };
  }
  const store = openSqliteStore(db);
  if (master) store.loadMasterData(master.data);
  return { ok: true, pack: load.pack, store };
}

/**
 * Text: one line per attempt without patient data, then the count per new
 * state. JSON: one attempt (with its outcome) per line, the count on stderr.
 */
export function printAttempts(
  attempts: readonly ReprocessAttempt[],
  format: "text" | "json",
  io: CliIo,
): void {
  const counts = new Map<QueueState, number>();
  for (const a of attempts) {
    counts.set(a.to, (counts.get(a.to) ?? 0) + 1);
    io.stdout(format === "json" ? `${JSON.stringify(a)}\n` : `${attemptLine(a)}\n`);
  }
  const byState = [...counts].map(([state, n]) => `${n} ${state}`).join(", ");
  const summary = `${attempts.length} attempt${attempts.length === 1 ? "" : "s"}: ${byState}\n`;
  (format === "json" ? io.stderr : io.stdout)(summary);
}

function attemptLine(a: ReprocessAttempt): string {
  const codes = a.outcome?.errors.map((e) => e.code).join(",") || "-";
  const after = a.after === undefined ? "" : ` after=${a.after}`;
  return `${a.messageId} ${a.controlId || "-"} ${a.messageType || "-"} ${a.from} -> ${a.to} codes=${codes}${after}`;
}
