import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { formatPackError } from "../pack/errors.js";
import { loadPack } from "../pack/load.js";
import { startMllpServer } from "../server/mllp-server.js";
import { loadMasterData } from "../store/master-data-load.js";
import { openSqliteStore } from "../store/sqlite.js";
import { type CliIo, type CommandResult, EXIT } from "./io.js";

export interface ServeOptions {
  readonly pack: string;
  readonly db: string;
  readonly port: number;
  readonly host: string;
  readonly idleTimeoutMs?: number;
  /** Resolves when the listener should drain and stop; SIGTERM or SIGINT by default. */
  readonly stop?: Promise<unknown>;
}

export const SERVE_USAGE =
  "rulepack serve --pack PACK --mllp PORT [--host ADDR] [--db FILE] [--idle-timeout SECONDS]";

function signalled(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => {
      process.off("SIGTERM", on);
      process.off("SIGINT", on);
      resolve(signal);
    };
    process.on("SIGTERM", on);
    process.on("SIGINT", on);
  });
}

/**
 * `rulepack serve`: the MLLP listener. Prints `ready port=N` on stdout once
 * listening; logs (no patient data) go to stderr. On SIGTERM it stops
 * accepting, finishes and ACKs the frames received, then closes the store.
 */
export async function serveCommand(options: ServeOptions, io: CliIo): Promise<CommandResult> {
  const load = loadPack(options.pack);
  for (const w of load.warnings) io.stderr(`${formatPackError(w)}\n`);
  if (!load.ok) {
    for (const e of load.errors) io.stderr(`${formatPackError(e)}\n`);
    return { exitCode: EXIT.usage };
  }
  const pack = load.pack;
  if (pack.abstract) {
    io.stderr(
      `rulepack: ${options.pack} is abstract (pack.abstract): serve a practice pack that extends it\n`,
    );
    return { exitCode: EXIT.usage };
  }
  const store = openSqliteStore(options.db);
  try {
    const masterDataFile = join(dirname(options.pack), "master-data.yaml");
    if (existsSync(masterDataFile)) {
      const master = loadMasterData(masterDataFile);
      if (!master.ok) {
        for (const e of master.errors) io.stderr(`${formatPackError(e)}\n`);
        return { exitCode: EXIT.usage };
      }
      store.loadMasterData(master.data);
    }
    const stop = options.stop ?? signalled();
    let server: Awaited<ReturnType<typeof startMllpServer>>;
    try {
      server = await startMllpServer({
        pack,
        store,
        port: options.port,
        host: options.host,
        ...(options.idleTimeoutMs !== undefined && { idleTimeoutMs: options.idleTimeoutMs }),
        log: (line) => io.stderr(`rulepack serve: ${line}\n`),
      });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "error";
      io.stderr(`rulepack: cannot listen on ${options.host}:${options.port} (${code})\n`);
      return { exitCode: EXIT.failed };
    }
    io.stdout(`ready port=${server.port}\n`);
    await stop;
    await server.close();
    return { exitCode: EXIT.ok };
  } finally {
    store.close();
  }
}
