import type { HostConfig, HostPractice, HostTls } from "./host-file.js";

/**
 * What a reload of the host file changes (docs/decisions/0038): the
 * practices added (started), removed (drained and stopped), restarted
 * (stopped, then started again: their store, pack file, workers, lease,
 * own port, TLS or the listeners' address changed), the practices on the
 * shared port whose routes alone changed (routed anew, nothing restarts),
 * and what happens to the shared port and the /healthz port. Everything
 * else keeps running untouched; packs are then reloaded as before.
 */

export type PortChange = "same" | "start" | "stop" | "restart";

export interface HostChanges {
  readonly added: readonly HostPractice[];
  readonly removed: readonly string[];
  /** The new entries of the practices that restart. */
  readonly restarted: readonly HostPractice[];
  /** The new entries of the practices whose routes alone changed. */
  readonly rerouted: readonly HostPractice[];
  readonly sharedPort: PortChange;
  readonly healthPort: PortChange;
}

/** What a TLS entry stands for: its files' paths and contents (a renewed certificate restarts the listener). */
export type TlsKey = (tls: HostTls | undefined) => string;

export function hostChanges(before: HostConfig, after: HostConfig, tlsKey: TlsKey): HostChanges {
  const old = new Map(before.practices.map((p) => [p.name, p]));
  const next = new Map(after.practices.map((p) => [p.name, p]));
  const restarts = (a: HostPractice, b: HostPractice): boolean => {
    if (a.store !== b.store || a.pack !== b.pack) return true;
    if ((a.workers ?? 0) !== (b.workers ?? 0) || a.leaseMs !== b.leaseMs) return true;
    if ("port" in a.inbound !== "port" in b.inbound) return true;
    if ("port" in a.inbound && "port" in b.inbound)
      return (
        a.inbound.port !== b.inbound.port ||
        tlsKey(a.inbound.tls) !== tlsKey(b.inbound.tls) ||
        before.host !== after.host
      );
    return false;
  };
  const rerouted = (a: HostPractice, b: HostPractice): boolean =>
    "routes" in a.inbound &&
    "routes" in b.inbound &&
    JSON.stringify(a.inbound.routes) !== JSON.stringify(b.inbound.routes);
  const kept = after.practices.filter((p) => old.has(p.name));
  return {
    added: after.practices.filter((p) => !old.has(p.name)),
    removed: before.practices.filter((p) => !next.has(p.name)).map((p) => p.name),
    restarted: kept.filter((p) => restarts(old.get(p.name) as HostPractice, p)),
    rerouted: kept.filter(
      (p) =>
        !restarts(old.get(p.name) as HostPractice, p) &&
        rerouted(old.get(p.name) as HostPractice, p),
    ),
    sharedPort: portChange(
      before.sharedPort,
      after.sharedPort,
      before.host !== after.host ||
        tlsKey(before.sharedPortTls) !== tlsKey(after.sharedPortTls) ||
        before.unroutedStore !== after.unroutedStore,
    ),
    healthPort: portChange(before.healthPort, after.healthPort, before.host !== after.host),
  };
}

function portChange(
  before: number | undefined,
  after: number | undefined,
  otherwiseChanged: boolean,
): PortChange {
  if (before === undefined) return after === undefined ? "same" : "start";
  if (after === undefined) return "stop";
  return before !== after || otherwiseChanged ? "restart" : "same";
}
