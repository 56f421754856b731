import type { CompiledPack } from "../pack/compiled.js";
import { loadPractice } from "../pack/practice-load.js";
import { type AlertMonitor, createAlertMonitor } from "../server/alert-monitor.js";
import { pruneNow, startMaintenance } from "../server/maintenance.js";
import { type MllpServer, startMllpServer } from "../server/mllp-server.js";
import { formatRecovery, recoverNewMessages } from "../server/recovery.js";
import { isPostgresUrl, openStore } from "../store/open.js";
import { unwritableStoreFiles } from "../store/sqlite-files.js";
import type { Store } from "../store/types.js";
import { answersWithin, type Healthz, startHealthz } from "./healthz.js";
import type { HostConfig, HostPractice } from "./host-file.js";
import { practiceFingerprint } from "./pack-fingerprint.js";
import { createRouter } from "./route.js";
import { recordUnroutable } from "./unroutable.js";

/**
 * Every practice of a host file in one process (`rulepack serve
 * --host-config`): each with its own store, pack, crash recovery, alerts
 * and retention; one listener per port — a practice's own, or the shared
 * port whose frames are routed by MSH-5/MSH-6 (route.ts; a frame no
 * practice receives is recorded in `_unrouted`, answered AR). A reload
 * loads again the practices whose files changed, one at a time, each
 * swapped in between two of its listener's frames; a pack that no longer
 * loads is reported with its practice and files, and the old one kept.
 */

export interface HostRunOptions {
  readonly config: HostConfig;
  readonly now: () => Date;
  /** One line per event, without patient data. */
  readonly log: (line: string) => void;
  readonly idleTimeoutMs?: number;
  readonly alertCheckMs?: number;
}

export interface HostListener {
  readonly port: number;
  readonly practices: readonly string[];
}

/** What a reload did to one practice. */
export interface PracticeReload {
  readonly practice: string;
  readonly result: "unchanged" | "reloaded" | "kept";
}

export interface RunningHost {
  readonly listeners: readonly HostListener[];
  /** The port of GET /healthz, when the host file asks for it. */
  readonly healthPort?: number;
  /** The pack each practice's next frame is processed with. */
  packOf(practice: string): CompiledPack | undefined;
  /** Load again the practices whose pack, tables or master data changed, one at a time. */
  reload(): Promise<readonly PracticeReload[]>;
  /** Stop accepting, finish what was received, close the stores. */
  close(): Promise<void>;
}

export type HostStart =
  | { readonly ok: true; readonly host: RunningHost }
  | {
      readonly ok: false;
      /** "usage": a pack that does not load; "failed": a store or a port that cannot be used. */
      readonly reason: "usage" | "failed";
      readonly errors: readonly string[];
    };

interface Practice {
  readonly config: HostPractice;
  readonly store: Store;
  readonly log: (line: string) => void;
  readonly alerts: AlertMonitor;
  pack: CompiledPack;
  fingerprint: string | undefined;
  /** The lane its frames go through: its own listener's, or the shared port's. */
  server?: Pick<MllpServer, "between" | "pack" | "reload">;
}

export async function startHost(options: HostRunOptions): Promise<HostStart> {
  const { config, now, log } = options;
  const loads = config.practices.map((p) => ({ config: p, load: loadPractice(p.pack) }));
  const refused = loads.flatMap(({ config: p, load }) =>
    load.ok ? [] : [...load.errors, `rulepack: practice ${p.name}: its pack does not load`],
  );
  if (refused.length > 0) return { ok: false, reason: "usage", errors: refused };
  const locations = [...config.practices.map((p) => p.store), config.unroutedStore];
  const unwritable = locations.flatMap((db) => (isPostgresUrl(db) ? [] : unwritableStoreFiles(db)));
  if (unwritable.length > 0) {
    return {
      ok: false,
      reason: "failed",
      errors: unwritable.map((p) => `rulepack: the store cannot be written: ${p}`),
    };
  }

  const practices: Practice[] = [];
  const stores: Store[] = [];
  const servers: MllpServer[] = [];
  const stops: (() => void)[] = [];
  let healthz: Healthz | undefined;
  let closing = false;
  const closeAll = async () => {
    closing = true;
    await healthz?.close();
    for (const stop of stops) stop();
    for (const server of servers) await server.close();
    for (const p of practices) await p.alerts.settled();
    for (const store of stores) await store.close();
  };
  try {
    for (const { config: p, load } of loads) {
      if (!load.ok) continue;
      const plog = (line: string) => log(`practice=${p.name} ${line}`);
      for (const w of load.warnings) plog(w);
      const store = openStore(p.store);
      stores.push(store);
      try {
        await store.queueSummary();
        if (load.masterData) await store.loadMasterData(load.masterData);
      } catch (e) {
        throw new StartError(
          `rulepack: practice ${p.name}: its store ${withoutPassword(p.store)} cannot be used (${e instanceof Error ? e.message : String(e)})`,
        );
      }
      plog(formatRecovery(await recoverNewMessages(load.pack, store, now, plog)));
      const practice: Practice = {
        config: p,
        store,
        log: plog,
        pack: load.pack,
        fingerprint: practiceFingerprint(p.pack, load.pack.id),
        alerts: createAlertMonitor({
          options: () => practice.pack.queue.alerts,
          store,
          log: plog,
          now,
        }),
      };
      practices.push(practice);
    }
    const listeners: HostListener[] = [];
    const listen = async (
      port: number,
      names: readonly string[],
      start: () => Promise<MllpServer>,
    ): Promise<MllpServer> => {
      try {
        const server = await start();
        servers.push(server);
        listeners.push({ port: server.port, practices: names });
        return server;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? "error";
        throw new StartError(`rulepack: cannot listen on ${config.host}:${port} (${code})`);
      }
    };
    for (const practice of practices) {
      const inbound = practice.config.inbound;
      if (!("port" in inbound)) continue;
      practice.server = await listen(inbound.port, [practice.config.name], () =>
        startMllpServer({
          pack: practice.pack,
          store: practice.store,
          port: inbound.port,
          host: config.host,
          ...(options.idleTimeoutMs !== undefined && { idleTimeoutMs: options.idleTimeoutMs }),
          log: practice.log,
          now,
          onOutcomes: (outcomes) => practice.alerts.afterMessages(outcomes),
        }),
      );
    }
    const routed = practices.filter((p) => "routes" in p.config.inbound);
    if (config.sharedPort !== undefined) {
      const shared = await startSharedPort(options, routed, stores, listen);
      for (const practice of routed) {
        practice.server = {
          between: shared.between,
          get pack() {
            return practice.pack;
          },
          // The routes read practice.pack at each frame: swapped between two frames.
          reload: (_next, apply) => shared.between(async () => apply?.()),
        };
      }
    }
    for (const practice of practices) {
      const server = practice.server;
      if (!server) continue;
      stops.push(
        startMaintenance({
          server,
          store: practice.store,
          alerts: practice.alerts,
          now,
          log: practice.log,
          ...(options.alertCheckMs !== undefined && { alertCheckMs: options.alertCheckMs }),
        }),
      );
      await pruneNow(server, practice.store, now, practice.log);
      void practice.alerts.check();
    }
    if (config.healthPort !== undefined) {
      const port = config.healthPort;
      healthz = await startHealthz({
        port,
        host: config.host,
        check: async () =>
          Object.fromEntries(
            await Promise.all(
              practices.map(async (p) => [
                p.config.name,
                {
                  store: await answersWithin(() => p.store.queueSummary(), HEALTH_TIMEOUT_MS),
                  listener: p.server !== undefined && !closing,
                },
              ]),
            ),
          ),
      }).catch((e: unknown) => {
        const code = (e as NodeJS.ErrnoException).code ?? "error";
        throw new StartError(`rulepack: cannot listen on ${config.host}:${port} (${code})`);
      });
    }
    return {
      ok: true,
      host: {
        listeners,
        ...(healthz && { healthPort: healthz.port }),
        packOf: (name) => practices.find((p) => p.config.name === name)?.pack,
        reload: () => reloadChanged(practices),
        close: closeAll,
      },
    };
  } catch (e) {
    await closeAll();
    if (e instanceof StartError) return { ok: false, reason: "failed", errors: [e.message] };
    throw e;
  }
}

/** A port or a store that cannot be used: exit 1 with its message, not an internal error. */
class StartError extends Error {}

/** A store location as logs may show it: a URL's password left out. */
function withoutPassword(location: string): string {
  if (!isPostgresUrl(location)) return location;
  const url = new URL(location);
  if (url.password !== "") url.password = "***";
  return url.toString();
}

/** How long /healthz waits for a store's answer before it counts it as failed. */
const HEALTH_TIMEOUT_MS = 5_000;

/** The shared port: each frame to the practice its MSH-5/MSH-6 name, or to `_unrouted`. */
async function startSharedPort(
  options: HostRunOptions,
  routed: readonly Practice[],
  stores: Store[],
  listen: (
    port: number,
    names: readonly string[],
    start: () => Promise<MllpServer>,
  ) => Promise<MllpServer>,
): Promise<MllpServer> {
  const { config, log, now } = options;
  const port = config.sharedPort as number;
  const slog = (line: string) => log(`shared port ${line}`);
  const unrouted = openStore(config.unroutedStore);
  stores.push(unrouted);
  const router = createRouter(config.practices);
  const byName = new Map(routed.map((p) => [p.config.name, p]));
  const names = routed.map((p) => p.config.name);
  return listen(port, names, () =>
    startMllpServer({
      // Every frame is routed (an oversize one is recorded in `_unrouted`): the server's own pack is unused.
      pack: (routed[0] as Practice).pack,
      store: unrouted,
      port,
      host: config.host,
      ...(options.idleTimeoutMs !== undefined && { idleTimeoutMs: options.idleTimeoutMs }),
      log: slog,
      now,
      route(bytes) {
        const found = router.route(bytes);
        if (!found.ok) {
          const refused = found;
          slog(
            `unroutable addressed=${refused.addressed || "-"}${refused.candidates.length > 0 ? ` candidates=${refused.candidates.join(",")}` : ""}`,
          );
          return { refuse: (sender, at) => recordUnroutable(unrouted, bytes, refused, sender, at) };
        }
        const practice = byName.get(found.practice) as Practice;
        slog(`routed practice=${practice.config.name}`);
        return {
          pack: practice.pack,
          store: practice.store,
          onOutcomes: (outcomes) => practice.alerts.afterMessages(outcomes),
        };
      },
    }),
  );
}

async function reloadChanged(practices: readonly Practice[]): Promise<PracticeReload[]> {
  const results: PracticeReload[] = [];
  for (const practice of practices) {
    const { config, log } = practice;
    const fingerprint = practiceFingerprint(config.pack, practice.pack.id);
    if (fingerprint !== undefined && fingerprint === practice.fingerprint) {
      results.push({ practice: config.name, result: "unchanged" });
      continue;
    }
    const next = loadPractice(config.pack);
    if (!next.ok) {
      for (const e of next.errors) log(`reload: ${e}`);
      log(`reload failed: keeping pack=${practice.pack.id} (${config.pack})`);
      results.push({ practice: config.name, result: "kept" });
      continue;
    }
    for (const w of next.warnings) log(`reload: ${w}`);
    const apply = async () => {
      if (next.masterData) await practice.store.loadMasterData(next.masterData);
      practice.pack = next.pack;
    };
    try {
      if (practice.server) await practice.server.reload(next.pack, apply);
      else await apply();
    } catch (e) {
      // The master data could not be stored (the database went away): the pack stays.
      log(
        `reload failed: ${e instanceof Error ? e.name : "error"}; keeping pack=${practice.pack.id}`,
      );
      results.push({ practice: config.name, result: "kept" });
      continue;
    }
    practice.fingerprint = fingerprint;
    log(`reloaded pack=${next.pack.id}`);
    results.push({ practice: config.name, result: "reloaded" });
  }
  return results;
}
