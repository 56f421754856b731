import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import type { CompiledPack } from "../pack/compiled.js";
import { loadPractice } from "../pack/practice-load.js";
import { formatRecovery, recoverNewMessages } from "../server/recovery.js";
import { openStore, storeLocation } from "../store/open.js";
import type { Store } from "../store/types.js";
import { type HttpServer, startHttpServer } from "../web/http-server.js";
import type { ListenerTimings } from "../web/listener-timings.js";
import { onSighup, stopSignal } from "./signals.js";
import { packageVersion } from "./version.js";

/**
 * `rulepack serve --http PORT`: the queue in a browser and the HTTP API
 * (engine/web), beside the MLLP listener (`serve-command.ts` starts it once
 * the listener is ready) or alone (`serveHttpOnly`, no `--mllp`). The
 * clock is made here: the web app reads it for sessions, lock-out and every
 * change it records.
 */

export interface ServeHttpOptions {
  readonly port: number;
  /** Default 127.0.0.1: only this machine, until the operator says otherwise. */
  readonly host: string;
  readonly users: string;
  readonly tls?: { readonly cert: string; readonly key: string };
}

export interface HttpPractice {
  readonly store: Store;
  readonly packFile: string;
  readonly pack: () => CompiledPack;
  readonly reload: () => Promise<void>;
  readonly listener?: () => boolean;
  /** Whether the outbound sender runs (undefined: the pack sends nothing), for /healthz. */
  readonly sender?: () => boolean | undefined;
  /** The listener's lane (MllpServer.between): HTTP input waits for the frames before it. */
  readonly between?: <T>(task: () => Promise<T>) => Promise<T>;
  /** The listener's processing times, for /metrics (listener-timings.ts). */
  readonly listenerTimings?: ListenerTimings;
}

/** Start the web app; prints `ready http=PORT`, or why it cannot listen (undefined). */
export async function startServeHttp(
  options: ServeHttpOptions,
  practice: HttpPractice,
  io: CliIo,
): Promise<HttpServer | undefined> {
  try {
    const server = await startHttpServer(
      { port: options.port, host: options.host, ...(options.tls && { tls: options.tls }) },
      {
        ...practice,
        usersFile: options.users,
        clock: () => new Date(),
        version: packageVersion(),
      },
    );
    io.stdout(`ready http=${server.port}\n`);
    return server;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : "error");
    io.stderr(`rulepack: cannot serve HTTP on ${options.host}:${options.port} (${code})\n`);
    return undefined;
  }
}

export interface ServeHttpOnlyOptions {
  readonly pack: string;
  readonly db: string;
  readonly http: ServeHttpOptions;
  /** Resolves when the server should stop; SIGTERM or SIGINT by default. */
  readonly stop?: Promise<unknown>;
}

/**
 * `serve --http` without `--mllp`: messages a crash left NEW are processed
 * first (as the listener does at start), then the web app serves until
 * SIGTERM; SIGHUP reloads the pack, its tables and master data.
 */
export async function serveHttpOnly(
  options: ServeHttpOnlyOptions,
  io: CliIo,
): Promise<CommandResult> {
  const log = (line: string) => io.stderr(`rulepack serve: ${line}\n`);
  const load = loadPractice(options.pack);
  if (!load.ok) {
    for (const e of load.errors) io.stderr(`${e}\n`);
    return { exitCode: EXIT.usage };
  }
  for (const w of load.warnings) io.stderr(`${w}\n`);
  const store = openStore(storeLocation(options.db, process.env));
  try {
    if (load.masterData) await store.loadMasterData(load.masterData);
    let current = load.pack;
    log(formatRecovery(await recoverNewMessages(current, store, () => new Date(), log)));
    const reload = async () => {
      const next = loadPractice(options.pack);
      if (!next.ok) {
        for (const e of next.errors) log(`reload: ${e}`);
        log(`reload failed: keeping pack=${current.id}`);
        return;
      }
      if (next.masterData) await store.loadMasterData(next.masterData);
      current = next.pack;
      log(`reloaded pack=${current.id}`);
    };
    const server = await startServeHttp(
      options.http,
      { store, packFile: options.pack, pack: () => current, reload },
      io,
    );
    if (!server) return { exitCode: EXIT.failed };
    const unsubscribe = onSighup(reload);
    try {
      await (options.stop ?? stopSignal());
    } finally {
      unsubscribe();
      await server.close();
    }
    return { exitCode: EXIT.ok };
  } finally {
    await store.close();
  }
}
