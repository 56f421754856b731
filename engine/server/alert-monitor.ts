import type { Outcome, QueueState } from "../model/outcome.js";
import type { DeliveryOptions } from "../pack/delivery-options.js";
import type { AlertOptions } from "../pack/queue-options.js";
import { type Alert, formatAlert, outcomeAlert, rearm, thresholdAlerts } from "../queue/alerts.js";
import { unreachableAlerts } from "../queue/unreachable-alert.js";
import type { Store } from "../store/types.js";
import { type AlertCommandResult, runAlertCommand } from "./alert-command.js";

/**
 * The listener's side of the alerts: checks after each message and on a
 * timer, logs `alert kind=...` and hands each alert to the pack's command.
 * The queue summary is read only when a message was held in ERROR or
 * CBOERROR (the only outcomes that can raise a count) and on the timer,
 * so a busy listener does not count the queue on every message.
 */
export interface AlertMonitorOptions {
  /** The current pack's alert options (they change on reload). */
  readonly options: () => AlertOptions;
  /**
   * The current pack's outbound.delivery: with an unreachable threshold, the
   * timer's check also raises `unreachable` for a receiver the sender has not
   * reached for longer (engine/delivery/, decision 0025).
   */
  readonly delivery?: () => DeliveryOptions | undefined;
  readonly store: Store;
  readonly log: (line: string) => void;
  readonly now: () => Date;
  readonly runCommand?: (command: readonly string[], alert: Alert) => Promise<AlertCommandResult>;
}

export interface AlertMonitor {
  /** After a frame: its outcomes' own alerts, and the thresholds when one was held. */
  afterMessages(outcomes: readonly Outcome[]): void;
  /** The timer's check: every threshold, idle included. */
  check(): Promise<void>;
  /** Commands still running (tests and drain wait for them). */
  settled(): Promise<void>;
}

const COUNTED = new Set<QueueState>(["ERROR", "CBOERROR"]);

export function createAlertMonitor(m: AlertMonitorOptions): AlertMonitor {
  const listeningSince = m.now();
  const runCommand = m.runCommand ?? runAlertCommand;
  let firing: ReadonlySet<string> = new Set();
  const running = new Set<Promise<void>>();

  const emit = (alert: Alert) => {
    m.log(formatAlert(alert));
    const command = m.options().command;
    if (!command) return;
    const run: Promise<void> = runCommand(command, alert)
      .then((r) => {
        if (!r.ok) m.log(`alert command failed kind=${alert.kind} reason=${r.reason}`);
      })
      .finally(() => running.delete(run));
    running.add(run);
  };

  const checkThresholds = async () => {
    let summary: Awaited<ReturnType<Store["queueSummary"]>>;
    let receivers: Awaited<ReturnType<Store["receiverStatuses"]>> = [];
    const delivery = m.delivery?.();
    try {
      summary = await m.store.queueSummary();
      if ((delivery?.unreachableAlertMinutes ?? 0) > 0)
        receivers = await m.store.receiverStatuses();
    } catch (e) {
      m.log(`alert check failed ${e instanceof Error ? e.name : "error"}`);
      return;
    }
    const now = m.now();
    const next = rearm(firing, [
      ...thresholdAlerts(m.options(), { summary, now, listeningSince }),
      ...unreachableAlerts(delivery, receivers, now),
    ]);
    firing = next.firing;
    for (const alert of next.raised) emit(alert);
  };

  return {
    afterMessages(outcomes) {
      if (outcomes.length > 0 && firing.has("idle")) {
        // A message arrived: the listener is no longer waiting for a first one
        // (a silent sender's own alert clears at the next check that hears it).
        const rest = new Set(firing);
        rest.delete("idle");
        firing = rest;
      }
      for (const o of outcomes) {
        const alert = outcomeAlert(m.options(), o, m.now());
        if (alert) emit(alert);
      }
      if (outcomes.some((o) => COUNTED.has(o.state))) {
        // Awaited by `settled`, like the alert commands.
        const check: Promise<void> = checkThresholds().finally(() => running.delete(check));
        running.add(check);
      }
    },
    check: checkThresholds,
    async settled() {
      while (running.size > 0) await Promise.all(running);
    },
  };
}
