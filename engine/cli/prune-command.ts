import { parseArgs } from "node:util";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import type { CompiledPack } from "../pack/compiled.js";
import { pruneCutoffs, pruneQueue } from "../queue/retention.js";
import type { PrunableState, Store } from "../store/types.js";
import { clockOf, usageError } from "./args.js";
import { loadPracticePack, openExistingStore } from "./practice.js";
import { pruneUnroutedCommand } from "./prune-unrouted.js";

export const PRUNE_USAGE = "rulepack prune --pack PACK [--db FILE] [--now ISO-8601] [--dry-run]";

export interface PruneOptions {
  readonly pack: string;
  readonly db: string;
  readonly now: Date;
  /** Count what would go; remove nothing. */
  readonly dryRun: boolean;
}

const PRUNABLE: readonly PrunableState[] = ["PROCESSED", "DELETED"];

interface StateCount {
  readonly state: PrunableState;
  readonly days: number;
  readonly before: string;
  readonly count: number;
}

/** Messages of each prunable state that entered it before the pack's retention allows. */
async function countPrunable(pack: CompiledPack, store: Store, now: Date): Promise<StateCount[]> {
  const cutoffs = pruneCutoffs(pack, now);
  const counts: StateCount[] = [];
  for (const state of PRUNABLE) {
    const before = Date.parse(cutoffs[state]);
    const count = (await store.messages({ state })).filter(
      (m) => Date.parse(m.stateAt) < before,
    ).length;
    counts.push({ state, days: pack.queue.retentionDays[state], before: cutoffs[state], count });
  }
  return counts;
}

/** `rulepack prune ...`: argument checks, then `pruneCommand`. */
export async function pruneCommandArgs(args: readonly string[], io: CliIo): Promise<CommandResult> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      pack: { type: "string" },
      db: { type: "string", default: "rulepack.sqlite" },
      now: { type: "string" },
      "dry-run": { type: "boolean" },
      "unrouted-days": { type: "string" },
    },
  });
  const usage = (message: string) => usageError(io, PRUNE_USAGE, message);
  const unroutedDays = values["unrouted-days"];
  if (unroutedDays !== undefined && values.pack !== undefined)
    return usage("--unrouted-days is the _unrouted store's retention: it takes no --pack");
  if (unroutedDays !== undefined && !/^[1-9]\d{0,4}$/.test(unroutedDays))
    return usage("--unrouted-days takes whole days (1 or more)");
  if (!values.pack && unroutedDays === undefined) return usage("--pack is required");
  const clock = clockOf(values.now);
  if (!clock) return usage(`--now '${values.now}' is not an ISO-8601 date-time`);
  if (positionals.length > 0) return usage("prune takes no FILE");
  const dryRun = values["dry-run"] === true;
  if (unroutedDays !== undefined)
    return pruneUnroutedCommand(
      { db: values.db, days: Number(unroutedDays), now: clock(), dryRun },
      io,
    );
  return pruneCommand({ pack: values.pack as string, db: values.db, now: clock(), dryRun }, io);
}

/**
 * `rulepack prune`: remove PROCESSED and DELETED messages older than the
 * pack's `queue.retentionDays` (the spec's 90 days) with their attempts.
 * ERROR, CBOERROR and ATHENAERROR wait for a person and are never pruned.
 * One line per prunable state, then the total.
 */
export async function pruneCommand(options: PruneOptions, io: CliIo): Promise<CommandResult> {
  const load = loadPracticePack(options.pack, io);
  if (!load.ok) return { exitCode: load.exitCode };
  const pack = load.pack;
  const store = openExistingStore(options.db, io);
  if (!store) return { exitCode: EXIT.failed };
  try {
    const counts = await countPrunable(pack, store, options.now);
    const verb = options.dryRun ? "would prune" : "pruned";
    for (const c of counts) {
      io.stdout(
        `${c.state} ${verb} ${c.count} (retention ${c.days} days: in the state before ${c.before})\n`,
      );
    }
    const expected = counts.reduce((sum, c) => sum + c.count, 0);
    if (options.dryRun) {
      io.stdout(`${expected} message${expected === 1 ? "" : "s"} would be pruned (dry run)\n`);
      return { exitCode: EXIT.ok };
    }
    const removed = await pruneQueue(pack, store, options.now);
    // A running listener may change states between the count and the prune.
    const note = removed === expected ? "" : ` (${expected} counted just before)`;
    io.stdout(`${removed} message${removed === 1 ? "" : "s"} pruned${note}\n`);
    return { exitCode: EXIT.ok };
  } finally {
    await store.close();
  }
}
