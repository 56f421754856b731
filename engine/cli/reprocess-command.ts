import { parseArgs } from "node:util";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import type { QueueState } from "../model/outcome.js";
import {
  type ReprocessAttempt,
  reprocessMessages,
  type Selection,
  selectBlockedOn,
  selectByIds,
} from "../queue/reprocess.js";
import { storeLocation } from "../store/open.js";
import { clockOf, parseCodeFilter, resolveActor, usageError } from "./args.js";
import { nothingBlockedOn } from "./nothing-blocked.js";
import { openPractice } from "./practice.js";

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
  const blocker = blockedOn === undefined ? undefined : parseCodeFilter(blockedOn);
  if (blockedOn !== undefined && !blocker)
    return usage(`--blocked-on '${blockedOn}' is not CODE or CODE:VALUE`);

  const opened = await openPractice(values.pack, values.db, io, { existing: true });
  if (!opened.ok) return { exitCode: opened.exitCode };
  const { pack, store } = opened;
  try {
    const selection: Selection = blocker
      ? await selectBlockedOn(store, blocker.code, blocker.value)
      : await selectByIds(store, positionals);
    if (!selection.ok) {
      const why = blocker
        ? await nothingBlockedOn(
            store,
            storeLocation(values.db, process.env),
            blocker.code,
            blocker.value,
          )
        : selection.message;
      io.stderr(`rulepack: ${why}\n`);
      return { exitCode: EXIT.failed };
    }
    const attempts = await reprocessMessages(pack, store, selection.messages, {
      clock,
      force: values.force === true,
      ...actorOf(values.actor),
      ...(blockedOn !== undefined && { note: `blocked-on ${blockedOn}` }),
    });
    printAttempts(attempts, values.format, io);
    return { exitCode: EXIT.ok };
  } finally {
    await store.close();
  }
}

/** The actor recorded with the attempts: `--actor`, $RULEPACK_ACTOR or $USER, when any. */
export function actorOf(given: string | undefined): { actor?: string } {
  const actor = resolveActor(given, process.env);
  return actor === undefined ? {} : { actor };
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
  const replaces = a.replaces === undefined ? "" : ` replaces=${a.replaces}`;
  return `${a.messageId} ${a.controlId || "-"} ${a.messageType || "-"} ${a.from} -> ${a.to} codes=${codes}${after}${replaces}`;
}
