import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import {
  type BackfillCounts,
  type BackfillLeg,
  type BackfillReport,
  backfill,
  backfillBoundary,
} from "../outbound/backfill.js";
import { usageError } from "./args.js";
import { openPractice } from "./practice.js";

export const OUTBOUND_USAGE = [
  "rulepack outbound --pack PACK [--db FILE] [--now ISO-8601] EVENT.json...",
  "rulepack outbound backfill --pack PACK [--db FILE] [--now ISO-8601] [--since DATE]",
].join("\n       ");

export interface OutboundBackfillOptions {
  readonly pack: string;
  readonly db: string;
  /** MSH-7 of every message, and where "future" begins without `since`. */
  readonly now: Date;
  /** `--since` as given: a date, a date-time, or an instant (backfillBoundary). */
  readonly since?: string;
}

/** `rulepack outbound backfill` from its parsed options; extra words are a usage error. */
export function outboundBackfillArgs(
  values: { readonly pack: string; readonly db: string; readonly since?: string | undefined },
  now: Date,
  extra: readonly string[],
  io: CliIo,
): Promise<CommandResult> | CommandResult {
  if (extra.length > 0)
    return usageError(io, OUTBOUND_USAGE, `outbound backfill takes no EVENT file ('${extra[0]}')`);
  return outboundBackfillCommand(
    {
      pack: values.pack,
      db: values.db,
      now,
      ...(values.since !== undefined && { since: values.since }),
    },
    io,
  );
}

/**
 * `rulepack outbound backfill`: every patient of an existing store and
 * every future appointment queued as the pack builds them (outbound/backfill.ts),
 * for a receiver's first load. Prints, per kind, how many were queued,
 * filtered out (with the reasons, counted) and failed (one line each, with
 * its queue message ID, to fix and reprocess); no patient data. Exit 1
 * when any failed.
 */
export async function outboundBackfillCommand(
  options: OutboundBackfillOptions,
  io: CliIo,
): Promise<CommandResult> {
  const opened = await openPractice(options.pack, options.db, io, { existing: true });
  if (!opened.ok) return { exitCode: opened.exitCode };
  const { pack, store } = opened;
  try {
    const from =
      options.since === undefined
        ? undefined
        : backfillBoundary(options.since, pack.practice?.timeZone ?? "UTC");
    if (options.since !== undefined && !from)
      return usageError(
        io,
        OUTBOUND_USAGE,
        `--since '${options.since}' is not a date (YYYY-MM-DD) or ISO-8601 date-time`,
      );
    const report = await backfill(pack, store, { now: options.now, ...(from && { from }) });
    io.stdout(formatBackfill(report));
    const failed = report.patients.failed.length + report.appointments.failed.length;
    return { exitCode: failed > 0 ? EXIT.failed : EXIT.ok };
  } finally {
    await store.close();
  }
}

/** The report as `rulepack outbound backfill` prints it. */
export function formatBackfill(report: BackfillReport): string {
  const { patients, appointments } = report;
  if (
    patients.considered === 0 &&
    appointments.considered === 0 &&
    appointments.failed.length === 0
  )
    return `nothing to backfill: the store holds no patients and no appointments from ${report.from}\n`;
  return [
    countsLine("patients", patients),
    `${countsLine(`future appointments (from ${report.from})`, appointments)}; ${report.appointmentsNotFuture} past or cancelled left out`,
    ...reasons([...patients.filteredOut, ...appointments.filteredOut]),
    ...[...patients.failed, ...appointments.failed].map(failedLine),
  ]
    .map((l) => `${l}\n`)
    .join("");
}

function countsLine(what: string, counts: BackfillCounts): string {
  const types = Object.entries(counts.queued).sort(([a], [b]) => a.localeCompare(b));
  const queued = types.reduce((n, [, c]) => n + c, 0);
  const byType = types.length > 0 ? ` (${types.map(([t, n]) => `${t} ${n}`).join(", ")})` : "";
  return `${what}: ${counts.considered} read, ${queued} queued${byType}, ${counts.filteredOut.length} filtered out, ${counts.failed.length} failed`;
}

/** Filtered-out legs grouped by reason: the same filter says the same thing for each record. */
function reasons(legs: readonly BackfillLeg[]): string[] {
  const byReason = new Map<string, number>();
  for (const leg of legs) {
    for (const e of leg.errors) {
      const key = `${leg.record} ${e.code} ${e.message}`;
      byReason.set(key, (byReason.get(key) ?? 0) + 1);
    }
  }
  return [...byReason].map(([reason, n]) => `filtered out ${n} ${reason}`);
}

function failedLine(leg: BackfillLeg): string {
  const errors = leg.errors
    .map((e) => `${e.code}${e.field ? ` ${e.field}` : ""} ${e.message}`)
    .join("; ");
  return `failed ${leg.record} ${leg.recordId} ${leg.messageId ?? "(not queued)"}: ${errors}`;
}
