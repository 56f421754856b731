import type { Outcome } from "../model/outcome.js";
import type { AlertOptions } from "../pack/queue-options.js";
import type { QueueSummary } from "../store/types.js";

/**
 * The pack's alerts (`queue.alerts`, docs/pack-language.md §20) as pure
 * functions of the queue summary, one outcome and the clock. A threshold
 * alert fires when its condition starts to hold and is re-armed when the
 * condition clears, so a growing queue alerts once, not on every message.
 * An ATHENAERROR alerts every time. Alerts carry IDs, states, codes and
 * counts, never patient data.
 */

export type ThresholdKind = "errorCount" | "oldestError" | "idle";
/** `unreachable`: a receiver outbound messages cannot reach (engine/delivery/report.ts; `sender` names it). */
export type AlertKind = ThresholdKind | "athenaError" | "unreachable";

export interface Alert {
  readonly kind: AlertKind;
  /** When it was raised (ISO-8601). */
  readonly at: string;
  /** The measured value: a count, hours or minutes. */
  readonly value?: number;
  /** The pack's threshold it went over. */
  readonly threshold?: number;
  readonly messageId?: string;
  readonly controlId?: string;
  readonly messageType?: string;
  readonly codes?: readonly string[];
  /** For `idle`: the silent sender (`MSH-3^MSH-4`); absent when no sender was ever heard. */
  readonly sender?: string;
}

/** What makes two alerts the same condition: a silent sender is its own. */
export function alertKey(alert: Alert): string {
  return alert.sender === undefined ? alert.kind : `${alert.kind}:${alert.sender}`;
}

export interface ThresholdInput {
  readonly summary: QueueSummary;
  readonly now: Date;
  /** Since when the listener has been waiting for a message when the store holds none. */
  readonly listeningSince?: Date;
}

interface Threshold {
  /** The measured values when the alert is on (one per sender for idle), else none. */
  measure(options: AlertOptions, input: ThresholdInput): readonly Measured[];
  threshold(options: AlertOptions): number;
}

interface Measured {
  readonly value: number;
  readonly sender?: string;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

function waitingErrors(summary: QueueSummary): number {
  return (summary.counts.ERROR ?? 0) + (summary.counts.CBOERROR ?? 0);
}

function ageIn(unitMs: number, since: string | undefined, now: Date): number | undefined {
  if (since === undefined) return undefined;
  const at = Date.parse(since);
  return Number.isNaN(at) ? undefined : (now.getTime() - at) / unitMs;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

const THRESHOLDS: Readonly<Record<ThresholdKind, Threshold>> = {
  errorCount: {
    threshold: (o) => o.errorCount,
    measure(o, { summary }) {
      const count = waitingErrors(summary);
      return count > o.errorCount ? [{ value: count }] : [];
    },
  },
  oldestError: {
    threshold: (o) => o.oldestErrorHours,
    measure(o, { summary, now }) {
      const hours = ageIn(HOUR_MS, summary.oldestWaitingSince, now);
      return hours !== undefined && hours > o.oldestErrorHours ? [{ value: round1(hours) }] : [];
    },
  },
  idle: {
    threshold: (o) => o.idleMinutes,
    // "A sender silent too long": each sender ever heard on its own; before
    // any, the listener's own wait.
    measure(o, { summary, now, listeningSince }) {
      if (o.idleMinutes <= 0) return [];
      const silent = (since: string | undefined, sender?: string): Measured[] => {
        const minutes = ageIn(MINUTE_MS, since, now);
        return minutes !== undefined && minutes > o.idleMinutes
          ? [{ value: round1(minutes), ...(sender !== undefined && { sender }) }]
          : [];
      };
      const senders = Object.entries(summary.lastReceivedBySender ?? {});
      if (senders.length > 0) return senders.flatMap(([sender, at]) => silent(at, sender));
      return silent(summary.lastReceivedAt ?? listeningSince?.toISOString());
    },
  },
};

/** Every threshold alert whose condition holds now, whether or not it fired before. */
export function thresholdAlerts(options: AlertOptions, input: ThresholdInput): Alert[] {
  const at = input.now.toISOString();
  const alerts: Alert[] = [];
  for (const [kind, t] of Object.entries(THRESHOLDS) as [ThresholdKind, Threshold][]) {
    for (const m of t.measure(options, input)) {
      alerts.push({ kind, at, ...m, threshold: t.threshold(options) });
    }
  }
  return alerts;
}

/** The alert one processed message raises on its own (an ATHENAERROR), if any. */
export function outcomeAlert(
  options: AlertOptions,
  outcome: Outcome,
  now: Date,
): Alert | undefined {
  if (!options.athenaError || outcome.state !== "ATHENAERROR") return undefined;
  return {
    kind: "athenaError",
    at: now.toISOString(),
    messageId: outcome.messageId,
    controlId: outcome.controlId,
    messageType: outcome.messageType,
    codes: [...new Set(outcome.errors.map((e) => e.code))],
  };
}

export interface Rearmed {
  /** Alerts to emit: conditions that hold now and did not at the last check. */
  readonly raised: readonly Alert[];
  /** The conditions holding now (`alertKey`), to pass to the next check. */
  readonly firing: ReadonlySet<string>;
}

/** Keep only the alerts that were not already firing; a condition that cleared is re-armed. */
export function rearm(firing: ReadonlySet<string>, holding: readonly Alert[]): Rearmed {
  return {
    raised: holding.filter((a) => !firing.has(alertKey(a))),
    firing: new Set(holding.map(alertKey)),
  };
}

/** `alert kind=errorCount value=30 threshold=25`: one log line, IDs and codes only. */
export function formatAlert(alert: Alert): string {
  const parts: [string, string | number | undefined][] = [
    ["kind", alert.kind],
    ["sender", alert.sender],
    ["value", alert.value],
    ["threshold", alert.threshold],
    ["messageId", alert.messageId],
    ["controlId", alert.controlId === "" ? "-" : alert.controlId],
    ["type", alert.messageType === "" ? "-" : alert.messageType],
    ["codes", alert.codes?.length ? alert.codes.join(",") : undefined],
  ];
  return `alert ${parts
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ")}`;
}
