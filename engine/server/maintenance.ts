import { pruneQueue } from "../queue/retention.js";
import type { Store } from "../store/types.js";
import type { AlertMonitor } from "./alert-monitor.js";
import type { MllpServer } from "./mllp-server.js";

/**
 * The running listener's timers: retention once a day (`pruneQueue`, run
 * between two frames) and the alert check (idle sender, aged errors).
 * Both are unref'd: they never keep the process alive on their own.
 */
export const DAY_MS = 24 * 3_600_000;
export const ALERT_CHECK_MS = 60_000;

export interface MaintenanceOptions {
  readonly server: Pick<MllpServer, "between" | "pack">;
  readonly store: Store;
  readonly alerts: AlertMonitor;
  readonly now: () => Date;
  readonly log: (line: string) => void;
  readonly pruneEveryMs?: number;
  readonly alertCheckMs?: number;
}

/** Remove what the current pack's retention lets go; logs the count, never throws. */
export async function pruneNow(
  server: Pick<MllpServer, "between" | "pack">,
  store: Store,
  now: () => Date,
  log: (line: string) => void,
): Promise<void> {
  try {
    const removed = await server.between(() => pruneQueue(server.pack, store, now()));
    log(`prune removed=${removed}`);
  } catch (e) {
    log(`prune failed ${e instanceof Error ? e.name : "error"}`);
  }
}

export function startMaintenance(m: MaintenanceOptions): () => void {
  const prune = setInterval(() => {
    void pruneNow(m.server, m.store, m.now, m.log);
  }, m.pruneEveryMs ?? DAY_MS);
  const check = setInterval(() => void m.alerts.check(), m.alertCheckMs ?? ALERT_CHECK_MS);
  prune.unref();
  check.unref();
  return () => {
    clearInterval(prune);
    clearInterval(check);
  };
}
