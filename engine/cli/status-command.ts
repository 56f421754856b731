import { parseArgs } from "node:util";
import { receiverLines, unreachableAlerts } from "../delivery/report.js";
import { formatPackError } from "../documents/errors.js";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import type { QueueState } from "../model/outcome.js";
import { loadPack } from "../pack/load.js";
import { type Alert, formatAlert, thresholdAlerts } from "../queue/alerts.js";
import type { ReceiverStatus } from "../store/delivery.js";
import { SCHEMA_VERSION } from "../store/sqlite-schema.js";
import type { QueueSummary } from "../store/types.js";
import { openExistingStore } from "./practice.js";

export const STATUS_USAGE = "rulepack status [--db FILE] [--format text|json] [--pack PACK]";

export interface StatusOptions {
  readonly db: string;
  readonly format: "text" | "json";
  /** With a pack: which of its threshold alerts would fire now. */
  readonly pack?: string;
  readonly now: Date;
}

/** The states in the order `status` prints them. */
const STATES: readonly QueueState[] = [
  "NEW",
  "SCHEDULED",
  "PENDING",
  "DISTRIBUTED",
  "PROCESSED",
  "ERROR",
  "CBOERROR",
  "ATHENAERROR",
  "DELETED",
];

export interface StatusReport {
  readonly db: string;
  readonly schemaVersion: number;
  readonly counts: Readonly<Partial<Record<QueueState, number>>>;
  readonly total: number;
  readonly oldestWaitingSince?: string;
  readonly lastReceivedAt?: string;
  /** Outbound delivery: each receiver the sender has known, with the outbound queue. */
  readonly receivers?: readonly ReceiverStatus[];
  /** Present with `--pack`: the threshold alerts whose condition holds now. */
  readonly alerts?: readonly Alert[];
}

export async function statusCommandArgs(
  args: readonly string[],
  io: CliIo,
): Promise<CommandResult> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      db: { type: "string", default: "rulepack.sqlite" },
      format: { type: "string", default: "text" },
      pack: { type: "string" },
    },
  });
  const usage = (message: string): CommandResult => {
    io.stderr(`rulepack: ${message}\nusage: ${STATUS_USAGE}\n`);
    return { exitCode: EXIT.usage };
  };
  if (values.format !== "text" && values.format !== "json") {
    return usage(`unknown --format '${values.format}'`);
  }
  if (positionals.length > 0) return usage(`unexpected argument '${positionals[0]}'`);
  return statusCommand(
    {
      db: values.db,
      format: values.format,
      ...(values.pack !== undefined && { pack: values.pack }),
      now: new Date(),
    },
    io,
  );
}

/**
 * `rulepack status`: the queue's health — messages per state, the longest
 * wait in ERROR/CBOERROR, the last receipt, the store's schema version and,
 * with `--pack`, which alerts would fire. IDs and counts only, no patient data.
 */
export async function statusCommand(options: StatusOptions, io: CliIo): Promise<CommandResult> {
  let alertOptions: ReturnType<typeof loadPack> | undefined;
  if (options.pack !== undefined) {
    alertOptions = loadPack(options.pack);
    if (!alertOptions.ok) {
      for (const e of alertOptions.errors) io.stderr(`${formatPackError(e)}\n`);
      return { exitCode: EXIT.usage };
    }
  }
  let summary: QueueSummary;
  let receivers: readonly ReceiverStatus[] = [];
  try {
    // Status only reads: a mistyped name (or RULEPACK_DB) never creates an empty store.
    const store = openExistingStore(options.db, io);
    if (!store) return { exitCode: EXIT.failed };
    try {
      summary = await store.queueSummary();
      receivers = await store.receiverStatuses();
    } finally {
      await store.close();
    }
  } catch (e) {
    io.stderr(`rulepack: cannot read ${options.db}: ${e instanceof Error ? e.message : e}\n`);
    return { exitCode: EXIT.failed };
  }
  const report: StatusReport = {
    db: options.db,
    schemaVersion: SCHEMA_VERSION,
    counts: summary.counts,
    total: Object.values(summary.counts).reduce((a, n) => a + (n ?? 0), 0),
    ...(summary.oldestWaitingSince !== undefined && {
      oldestWaitingSince: summary.oldestWaitingSince,
    }),
    ...(summary.lastReceivedAt !== undefined && { lastReceivedAt: summary.lastReceivedAt }),
    ...(receivers.length > 0 && { receivers }),
    ...(alertOptions?.ok && {
      alerts: [
        ...thresholdAlerts(alertOptions.pack.queue.alerts, { summary, now: options.now }),
        ...unreachableAlerts(alertOptions.pack.delivery, receivers, options.now),
      ],
    }),
  };
  io.stdout(options.format === "json" ? `${JSON.stringify(report)}\n` : formatStatus(report));
  return { exitCode: EXIT.ok };
}

export function formatStatus(r: StatusReport): string {
  const counted = STATES.filter((s) => r.counts[s] !== undefined);
  const lines = [
    `store: ${r.db} (schema version ${r.schemaVersion})`,
    `messages: ${r.total}`,
    ...counted.map((s) => `  ${s.padEnd(12)} ${r.counts[s]}`),
    `oldest waiting (ERROR, CBOERROR) since: ${r.oldestWaitingSince ?? "-"}`,
    `last received: ${r.lastReceivedAt ?? "-"}`,
    ...receiverLines(r.receivers ?? []),
  ];
  if (r.alerts !== undefined) {
    lines.push(r.alerts.length === 0 ? "alerts: none" : "alerts:");
    for (const a of r.alerts) lines.push(`  ${formatAlert(a)}`);
  }
  return `${lines.join("\n")}\n`;
}
