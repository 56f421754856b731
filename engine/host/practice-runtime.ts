import type { RunningSender } from "../delivery/sender.js";
import type { Outcome } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import { loadPractice } from "../pack/practice-load.js";
import { type AlertMonitor, createAlertMonitor } from "../server/alert-monitor.js";
import { processFrame } from "../server/frame.js";
import { pruneNow, startMaintenance } from "../server/maintenance.js";
import { type MllpServer, startMllpServer } from "../server/mllp-server.js";
import { formatRecovery, recoverNewMessages } from "../server/recovery.js";
import type { TlsCredentials } from "../server/tls-credentials.js";
import type { FrameProcessor } from "../server/worker-frame.js";
import { startWorkers, type Workers } from "../server/workers.js";
import { isPostgresUrl, openStore, redacted } from "../store/open.js";
import type { Store } from "../store/types.js";
import { answersWithin, type PracticeHealth } from "./healthz.js";
import type { HostPractice } from "./host-file.js";
import { practiceFingerprint } from "./pack-fingerprint.js";

/**
 * One practice of a host, running: its store (master data loaded, crash
 * recovery done, or its workers claiming on it), its alerts, its own
 * listener (or its place on the shared port, shared-port.ts), its
 * retention and its outbound sender — what `serve --pack` runs for one
 * practice, so a host file's practice behaves as that practice served
 * alone. `stop` drains it: its listener finishes and answers what it
 * received (the shared port's frames for it too), its workers finish the
 * messages in hand, the sender stops, the store closes.
 */

/** What the host gives every practice. */
export interface PracticeDeps {
  /** The address listeners bind. */
  readonly host: string;
  readonly now: () => Date;
  /** The host's log; the practice prefixes `practice=NAME`. */
  readonly log: (line: string) => void;
  readonly idleTimeoutMs?: number;
  readonly alertCheckMs?: number;
  /**
   * Starts the outbound sender when the pack names a receiver (the CLI's
   * `startServeSender`, which holds the wall clock); none without it.
   */
  readonly startSender?: (
    pack: CompiledPack,
    store: Store,
    log: (line: string) => void,
  ) => RunningSender | undefined;
}

export interface RunningPractice {
  /** Its entry in the host file; the routes may change at a reload (`retarget`). */
  readonly config: HostPractice;
  readonly store: Store;
  readonly log: (line: string) => void;
  /** The pack its next frame is decided with. */
  readonly pack: CompiledPack;
  /** Its own listener's port (undefined: on the shared port). */
  readonly port?: number;
  /** How the shared port stores and decides this practice's frames (its workers', or the lane's). */
  readonly frames: FrameProcessor;
  readonly onOutcomes: (outcomes: readonly Outcome[]) => void;
  /**
   * Begin its maintenance (retention now and daily, alerts) and its
   * sender. Its retention and reloads run between two frames of its own
   * listener, or of the shared port `shared` gives (the one running then);
   * `listening` says whether that port runs (/healthz).
   */
  begin(shared?: { lane: () => Lane | undefined; listening: () => boolean }): Promise<void>;
  /** The same practice with other routes (nothing restarts). */
  retarget(config: HostPractice): void;
  /** Load again when its pack, tables or master data changed. */
  reload(): Promise<"unchanged" | "reloaded" | "kept">;
  health(timeoutMs: number): Promise<PracticeHealth>;
  /** Drain and stop (see above); the shared port no longer routes to it by then. */
  stop(): Promise<void>;
}

/** Where a practice's frames are taken in turn (mllp-server.ts `between`). */
export type Lane = Pick<MllpServer, "between">;

/** A port or a store that cannot be used: the host's start is exit 1, a reload logs it. */
export class PracticeStartError extends Error {}

/** A listener of the host (a practice's, the shared port, /healthz) that could not bind `host:port`. */
export function cannotListen(host: string, port: number, e: unknown): PracticeStartError {
  const code = (e as NodeJS.ErrnoException).code ?? "error";
  return new PracticeStartError(`rulepack: cannot listen on ${host}:${port} (${code})`);
}

/** A store location as logs may show it: a URL's password left out. */
export function withoutPassword(location: string): string {
  return isPostgresUrl(location) ? redacted(location) : location;
}

/**
 * Open the practice's store and make it ready to receive: master data,
 * recovery (or workers), alerts, its own listener when it has a port.
 * Throws PracticeStartError when its store or port cannot be used (what
 * was opened is closed again).
 */
export async function startPractice(
  config: HostPractice,
  pack: CompiledPack,
  masterData: Parameters<Store["loadMasterData"]>[0] | undefined,
  tls: TlsCredentials | undefined,
  deps: PracticeDeps,
): Promise<RunningPractice> {
  let current = config;
  const { now } = deps;
  const log = (line: string) => deps.log(`practice=${config.name} ${line}`);
  const store = openStore(config.store);
  const closeStore = () => store.close().catch(() => undefined);
  try {
    await store.queueSummary();
    if (masterData) await store.loadMasterData(masterData);
  } catch (e) {
    await closeStore();
    throw new PracticeStartError(
      `rulepack: practice ${config.name}: its store ${withoutPassword(config.store)} cannot be used (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  const state = { pack, fingerprint: practiceFingerprint(config.pack, pack.id) };
  const workerCount = config.workers ?? 0;
  // With workers, a message a crash left NEW is claimed like any other (its lease ended).
  if (workerCount === 0) log(formatRecovery(await recoverNewMessages(pack, store, now, log)));
  const workers: Workers | undefined =
    workerCount > 0
      ? startWorkers({
          count: workerCount,
          store,
          pack: () => state.pack,
          now,
          log,
          ...(config.leaseMs !== undefined && { leaseMs: config.leaseMs }),
        })
      : undefined;
  if (workers) log(`workers=${workerCount} claiming on its store`);
  const alerts: AlertMonitor = createAlertMonitor({
    options: () => state.pack.queue.alerts,
    delivery: () => state.pack.delivery,
    store,
    log,
    now,
  });
  const onOutcomes = (outcomes: readonly Outcome[]) => alerts.afterMessages(outcomes);

  /** Answers the shared port still owes for this practice (its workers decide them). */
  const owed = new Set<Promise<unknown>>();
  const decide: FrameProcessor = workers?.processFrame ?? processFrame;
  const frames: FrameProcessor = async (...args) => {
    const handled = await decide(...args);
    if ("later" in handled) {
      const later = handled.later.catch(() => undefined);
      owed.add(later);
      void later.then(() => owed.delete(later));
    }
    return handled;
  };

  let server: MllpServer | undefined;
  const inbound = config.inbound;
  if ("port" in inbound) {
    try {
      server = await startMllpServer({
        pack,
        store,
        port: inbound.port,
        host: deps.host,
        ...(tls && { tls }),
        ...(deps.idleTimeoutMs !== undefined && { idleTimeoutMs: deps.idleTimeoutMs }),
        log,
        now,
        onOutcomes,
        ...(workers && { processFrame: workers.processFrame }),
      });
    } catch (e) {
      await workers?.stop();
      await closeStore();
      throw cannotListen(deps.host, inbound.port, e);
    }
  }

  let lane: () => Lane | undefined = () => server;
  let listening: () => boolean = () => server !== undefined;
  let stopMaintenance: (() => void) | undefined;
  let sender: RunningSender | undefined;
  let stopping = false;
  const running: RunningPractice = {
    get config() {
      return current;
    },
    store,
    log,
    get pack() {
      return state.pack;
    },
    ...(server && { port: server.port }),
    frames,
    onOutcomes,
    async begin(shared) {
      if (shared) {
        lane = shared.lane;
        listening = shared.listening;
      }
      const maintained = {
        between: <T>(task: () => T | Promise<T>): Promise<T> => {
          const now = lane();
          return now ? now.between(task) : Promise.resolve().then(task);
        },
        get pack() {
          return state.pack;
        },
      };
      stopMaintenance = startMaintenance({
        server: maintained,
        store,
        alerts,
        now,
        log,
        ...(deps.alertCheckMs !== undefined && { alertCheckMs: deps.alertCheckMs }),
      });
      sender = deps.startSender?.(state.pack, store, log);
      await pruneNow(maintained, store, now, log);
      void alerts.check();
    },
    retarget(next) {
      current = next;
    },
    async reload() {
      const fingerprint = practiceFingerprint(current.pack, state.pack.id);
      if (fingerprint !== undefined && fingerprint === state.fingerprint) return "unchanged";
      const next = loadPractice(current.pack);
      if (!next.ok) {
        for (const e of next.errors) log(`reload: ${e}`);
        log(`reload failed: keeping pack=${state.pack.id} (${current.pack})`);
        return "kept";
      }
      for (const w of next.warnings) log(`reload: ${w}`);
      const apply = async () => {
        if (next.masterData) await store.loadMasterData(next.masterData);
        state.pack = next.pack;
      };
      try {
        // Swapped between two frames: its own listener's (which also takes the pack), or the shared port's.
        if (server) await server.reload(next.pack, apply);
        else await (lane()?.between(apply) ?? apply());
      } catch (e) {
        // The master data could not be stored (the database went away): the pack stays.
        log(
          `reload failed: ${e instanceof Error ? e.name : "error"}; keeping pack=${state.pack.id}`,
        );
        return "kept";
      }
      state.fingerprint = fingerprint;
      log(`reloaded pack=${next.pack.id}`);
      return "reloaded";
    },
    async health(timeoutMs) {
      return {
        store: await answersWithin(() => store.queueSummary(), timeoutMs),
        listener: !stopping && listening(),
        ...(sender && { sender: sender.running() }),
      };
    },
    async stop() {
      stopping = true;
      stopMaintenance?.();
      await server?.close();
      await Promise.all(owed);
      await workers?.stop();
      await sender?.stop();
      await alerts.settled();
      await closeStore();
    },
  };
  return running;
}
