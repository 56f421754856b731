import { pruneUnrouted } from "../host/unrouted-retention.js";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import { openExistingStore } from "./practice.js";

/**
 * `rulepack prune --practice _unrouted` (practice-args.ts gives the host's
 * `_unrouted` store and its `unrouted.retainDays` as `--db` and
 * `--unrouted-days`): the retention a running host applies daily
 * (engine/host/unrouted-retention.ts, docs/decisions/0038), run now.
 */
export async function pruneUnroutedCommand(
  options: {
    readonly db: string;
    readonly days: number;
    readonly now: Date;
    readonly dryRun: boolean;
  },
  io: CliIo,
): Promise<CommandResult> {
  const store = openExistingStore(options.db, io);
  if (!store) return { exitCode: EXIT.failed };
  try {
    const r = await pruneUnrouted(store, options.days, options.now, { dryRun: options.dryRun });
    const verb = options.dryRun ? "would be" : "";
    const plural = (n: number) => `${n} message${n === 1 ? "" : "s"}`;
    io.stdout(
      `ERROR ${options.dryRun ? "would delete" : "deleted"} ${r.deleted} (unrouted retention ${options.days} days: in ERROR before ${r.before})\n`,
    );
    io.stdout(
      `PROCESSED and DELETED ${options.dryRun ? "would prune" : "pruned"} ${r.removed} (in the state before ${r.before})\n`,
    );
    io.stdout(
      options.dryRun
        ? `${plural(r.deleted)} ${verb} deleted, ${plural(r.removed)} ${verb} pruned (dry run)\n`
        : `${plural(r.deleted)} deleted, ${plural(r.removed)} pruned\n`,
    );
    return { exitCode: EXIT.ok };
  } finally {
    await store.close();
  }
}
