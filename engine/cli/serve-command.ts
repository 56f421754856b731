import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import { createLogger } from "../io/logger.js";
import { loadPractice } from "../pack/practice-load.js";
import { createAlertMonitor } from "../server/alert-monitor.js";
import {
  type CrashPlan,
  crashHook,
  parseCrashPlan,
  storeWithCrashPoints,
} from "../server/crash-points.js";
import { pruneNow, startMaintenance } from "../server/maintenance.js";
import { type MllpServer, startMllpServer } from "../server/mllp-server.js";
import { formatRecovery, recoverNewMessages } from "../server/recovery.js";
import { readTlsFiles, type TlsFiles } from "../server/tls-credentials.js";
import { startWorkers } from "../server/workers.js";
import { isPostgresUrl, openStore, storeLocation } from "../store/open.js";
import { type AccessCheck, unwritableStoreFiles } from "../store/sqlite-files.js";
import { createListenerTimings } from "../web/listener-timings.js";
import { startServeSender } from "./serve-delivery.js";
import { type ServeHttpOptions, startServeHttp } from "./serve-http.js";
import type { ServeLogOptions } from "./serve-log-args.js";
import { onSighup, stopSignal } from "./signals.js";

export interface ServeOptions {
  readonly pack: string;
  /** `--log-format`, `--log-level` (engine/io/logger.ts); pretty at info by default. */
  readonly log?: ServeLogOptions;
  readonly db: string;
  readonly port: number;
  readonly host: string;
  /** Listen with TLS (tls-credentials.ts); plain TCP without. */
  readonly tls?: TlsFiles;
  readonly idleTimeoutMs?: number;
  /** `--workers N`: stored frames are decided by N claim loops (engine/server/workers.ts); the lane otherwise. */
  readonly workers?: number;
  /** `--lease SECONDS`: how long a worker's claim holds a message. */
  readonly leaseMs?: number;
  /** `--http PORT`: the queue in a browser and the HTTP API beside the listener (serve-http.ts). */
  readonly http?: ServeHttpOptions;
  /** Resolves when the listener should drain and stop; SIGTERM or SIGINT by default. */
  readonly stop?: Promise<unknown>;
  /**
   * Subscribes `reload` to the reload signal and returns the unsubscribe;
   * SIGHUP by default.
   */
  readonly onReload?: (reload: () => Promise<void>) => () => void;
  /** How often the alerts are checked (idle sender, aged errors); default a minute. */
  readonly alertCheckMs?: number;
  /** TEST ONLY (crash-points.ts); default the RULEPACK_CRASH_AT environment variable. */
  readonly crashAt?: string;
  /** How the store's files are checked for writing (sqlite-files.ts); fs.accessSync by default. */
  readonly access?: AccessCheck;
}

export const SERVE_USAGE =
  "rulepack serve --pack PACK --mllp PORT [--host ADDR] [--db FILE] [--idle-timeout SECONDS] [--http PORT [--http-host ADDR] [--users FILE]] [--tls-cert FILE --tls-key FILE [--tls-ca FILE --tls-require-client-cert]] [--log-format json|pretty] [--log-level debug|info|warn|error] [--workers N [--lease SECONDS]]";

/**
 * `rulepack serve`: the MLLP listener. It refuses to start when the
 * store's database, -wal or -shm cannot be written (SQLite would die of
 * SIGBUS, silently). Before it listens, every message left NEW by a crash
 * is processed (receipt order), one the process died on twice set aside
 * (POISON_MESSAGE). Prints `ready port=N`
 * on stdout once listening; logs (no patient data) go to stderr. SIGHUP
 * reloads the pack, its mapping tables and master data (a pack that does
 * not load is reported and the old one kept); SIGTERM stops accepting,
 * finishes and ACKs the frames received, then closes the store. Retention
 * runs at start and daily; alerts after each message and every minute.
 */
export async function serveCommand(options: ServeOptions, io: CliIo): Promise<CommandResult> {
  const log = createLogger({
    format: options.log?.format ?? "pretty",
    level: options.log?.level ?? "info",
    write: io.stderr,
    clock: () => new Date(),
    name: "rulepack serve",
  }).line;
  const crash = parseCrashPlan(options.crashAt ?? process.env.RULEPACK_CRASH_AT);
  if (!crash.ok) {
    io.stderr(`rulepack: ${crash.message}\n`);
    return { exitCode: EXIT.usage };
  }
  // Subscribed before anything else: a SIGHUP while the pack loads or crash
  // recovery runs (which can take long) would otherwise end the process (the
  // signal's default action). It is held and served once the listener runs.
  let reloadNow: (() => Promise<void>) | undefined;
  let reloadAsked = false;
  const unsubscribe = (options.onReload ?? onSighup)(async () => {
    if (reloadNow) await reloadNow();
    else reloadAsked = true;
  });
  try {
    return await serveSubscribed(options, io, log, crash.plan, (reload) => {
      reloadNow = reload;
      const asked = reloadAsked;
      reloadAsked = false;
      return asked;
    });
  } finally {
    reloadNow = undefined;
    unsubscribe();
  }
}

async function serveSubscribed(
  options: ServeOptions,
  io: CliIo,
  log: (line: string) => void,
  crashPlan: CrashPlan | undefined,
  /** Routes reload signals to `reload` (undefined: ignore them); true when one came earlier. */
  onReload: (reload: (() => Promise<void>) | undefined) => boolean,
): Promise<CommandResult> {
  const load = loadPractice(options.pack);
  if (!load.ok) {
    for (const e of load.errors) io.stderr(`${e}\n`);
    return { exitCode: EXIT.usage };
  }
  for (const w of load.warnings) io.stderr(`${w}\n`);
  const tls = options.tls && readTlsFiles(options.tls);
  if (tls && !tls.ok) {
    for (const e of tls.errors) io.stderr(`rulepack: ${e.code} ${e.message}\n`);
    return { exitCode: EXIT.usage };
  }
  // Checked before SQLite maps the files: an unwritable -shm kills the process with SIGBUS.
  const db = storeLocation(options.db, process.env);
  const unwritable = isPostgresUrl(db) ? [] : unwritableStoreFiles(db, options.access);
  if (unwritable.length > 0) {
    for (const p of unwritable) io.stderr(`rulepack: the store cannot be written: ${p}\n`);
    io.stderr("rulepack: refusing to start: make the store's files writable by this user\n");
    return { exitCode: EXIT.failed };
  }
  const store = openStore(db);
  try {
    if (load.masterData) await store.loadMasterData(load.masterData);
    const now = () => new Date();
    const crash = crashPlan && crashHook(crashPlan);
    // With workers, a message a crash left NEW is claimed like any other (its lease ended).
    if (options.workers === undefined)
      log(
        formatRecovery(
          await recoverNewMessages(
            load.pack,
            crash ? storeWithCrashPoints(store, crash) : store,
            now,
            log,
          ),
        ),
      );
    let current = load.pack;
    const workers =
      options.workers === undefined
        ? undefined
        : startWorkers({
            count: options.workers,
            store: crash ? storeWithCrashPoints(store, crash) : store,
            pack: () => current,
            now,
            log,
            ...(options.leaseMs !== undefined && { leaseMs: options.leaseMs }),
          });
    const alerts = createAlertMonitor({
      options: () => current.queue.alerts,
      delivery: () => current.delivery,
      store,
      log,
      now,
    });
    // Made before both: the listener records into it, /metrics binds to it once up.
    const listenerTimings = createListenerTimings();
    let server: MllpServer;
    try {
      server = await startMllpServer({
        pack: load.pack,
        store,
        port: options.port,
        host: options.host,
        ...(tls && { tls: tls.credentials }),
        ...(options.idleTimeoutMs !== undefined && { idleTimeoutMs: options.idleTimeoutMs }),
        log,
        onOutcomes: (outcomes, seconds) => {
          alerts.afterMessages(outcomes);
          listenerTimings.record(outcomes.length, seconds);
        },
        ...(crash && { crash }),
        ...(workers && { processFrame: workers.processFrame }),
      });
    } catch (e) {
      await workers?.stop();
      const code = (e as NodeJS.ErrnoException).code ?? "error";
      io.stderr(`rulepack: cannot listen on ${options.host}:${options.port} (${code})\n`);
      return { exitCode: EXIT.failed };
    }
    const running = server;
    const reload = async () => {
      // The open store keeps working (its files are open and mapped); a
      // restart would not, so say so now rather than at the next start.
      for (const p of unwritableStoreFiles(options.db, options.access)) {
        log(
          `reload: the store cannot be written: ${p}; keeping the open store (a restart would refuse to start)`,
        );
      }
      const next = loadPractice(options.pack);
      if (!next.ok) {
        for (const e of next.errors) log(`reload: ${e}`);
        log(`reload failed: keeping pack=${running.pack.id}`);
        return;
      }
      for (const w of next.warnings) log(`reload: ${w}`);
      await running.reload(next.pack, async () => {
        if (next.masterData) await store.loadMasterData(next.masterData);
      });
      current = next.pack;
      log(`reloaded pack=${next.pack.id}`);
    };
    const reloadAsked = onReload(reload);
    let sender: ReturnType<typeof startServeSender>;
    const web =
      options.http &&
      (await startServeHttp(
        options.http,
        {
          store,
          packFile: options.pack,
          pack: () => current,
          reload,
          listener: () => true,
          sender: () => sender?.running(),
          between: (task) => running.between(task),
          listenerTimings,
        },
        io,
      ));
    if (options.http && !web) {
      onReload(undefined);
      await server.close();
      await workers?.stop();
      return { exitCode: EXIT.failed };
    }
    const stopMaintenance = startMaintenance({
      server,
      store,
      alerts,
      now,
      log,
      ...(options.alertCheckMs !== undefined && { alertCheckMs: options.alertCheckMs }),
    });
    const stop = options.stop ?? stopSignal();
    sender = startServeSender(load.pack, store, log);
    io.stdout(`ready port=${server.port}\n`);
    if (reloadAsked) await reload();
    await pruneNow(server, store, now, log);
    void alerts.check();
    await stop;
    onReload(undefined);
    stopMaintenance();
    await web?.close();
    await server.close();
    await workers?.stop();
    await sender?.stop();
    await alerts.settled();
    return { exitCode: EXIT.ok };
  } finally {
    await store.close();
  }
}
