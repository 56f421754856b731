import { formatPackError } from "../documents/errors.js";
import { type HostConfig, loadHostFile, withWorkerDefaults } from "../host/host-file.js";
import { startHost } from "../host/run-host.js";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import { usageError } from "./args.js";
import { startServeSender } from "./serve-delivery.js";
import { serveWorkersArgs } from "./serve-workers-args.js";
import { onSighup, stopSignal } from "./signals.js";

/** What `serve --host-config` runs with; tests give `stop` and `onReload`. */
export interface HostServeOptions {
  readonly hostConfig: string;
  readonly idleTimeoutMs?: number;
  /** `--workers N`: the workers of every practice whose entry does not name its own `workers`. */
  readonly workers?: number;
  /** `--lease SECONDS`, in ms: their claim, where the entry does not name its own `leaseSeconds`. */
  readonly leaseMs?: number;
  /** Resolves when the host should drain and stop; SIGTERM or SIGINT by default. */
  readonly stop?: Promise<unknown>;
  /** Subscribes `reload` to the reload signal, returns the unsubscribe; SIGHUP by default. */
  readonly onReload?: (reload: () => Promise<void>) => () => void;
  readonly alertCheckMs?: number;
}

/** The defaults serve's parser fills in: not given, so not refused beside --host-config. */
const SERVE_DEFAULTS: Readonly<Record<string, string>> = {
  host: "127.0.0.1",
  db: "rulepack.sqlite",
};

/**
 * `serve --host-config FILE [--idle-timeout SECONDS] [--workers N [--lease
 * SECONDS]]` from serve's parsed options (the workers: a default for the
 * practices whose entry names none): every other option of serve is the
 * host file's to give (ports, address, stores, TLS) or one practice's
 * (`--pack`'s), and is refused (exit 2) rather than ignored.
 */
export function hostServeArgs(
  values: Readonly<Record<string, string | boolean | undefined>>,
  positionals: readonly string[],
  usage: string,
  io: CliIo,
): CommandResult | Promise<CommandResult> {
  const refused = Object.entries(values).find(
    ([name, value]) =>
      value !== undefined &&
      !["host-config", "idle-timeout", "workers", "lease"].includes(name) &&
      SERVE_DEFAULTS[name] !== value,
  );
  if (refused)
    return usageError(
      io,
      usage,
      `--${refused[0]} does not go with --host-config: the host file gives each practice's pack, store and port`,
    );
  if (positionals.length > 0) return usageError(io, usage, "serve takes no FILE");
  const idle = values["idle-timeout"];
  if (idle !== undefined && !/^\d+$/.test(String(idle)))
    return usageError(io, usage, "--idle-timeout takes whole seconds");
  const workers = serveWorkersArgs({
    ...(values.workers !== undefined && { workers: String(values.workers) }),
    ...(values.lease !== undefined && { lease: String(values.lease) }),
  });
  if ("error" in workers) return usageError(io, usage, workers.error);
  return hostServeCommand(
    {
      hostConfig: String(values["host-config"]),
      ...workers,
      ...(idle !== undefined && { idleTimeoutMs: Number(idle) * 1000 }),
    },
    io,
  );
}

/**
 * `rulepack serve --host-config host.yaml`: every practice of the host file
 * (engine/host/run-host.ts). Prints `ready port=N practices=A,B` per
 * listener, then `ready host practices=N`, on stdout; logs (no patient
 * data, each line naming its practice) on stderr. SIGHUP reads the host
 * file again (practices added start, removed ones drain and stop, changed
 * ones restart, each listener a reload starts printed as `ready port=N
 * ...`; a host file that does not load is reported at FILE:LINE:COL and
 * the running one kept), then loads again the practices whose pack,
 * mapping tables or master data changed, one at a time (a pack that does
 * not load is reported with its practice and kept); SIGTERM drains every
 * listener and closes every store.
 */
export async function hostServeCommand(
  options: HostServeOptions,
  io: CliIo,
): Promise<CommandResult> {
  const log = (line: string) => io.stderr(`rulepack serve: ${line}\n`);
  const read = loadHostFile(options.hostConfig);
  if (!read.ok) {
    for (const e of read.errors) io.stderr(`${formatPackError(e)}\n`);
    return { exitCode: EXIT.usage };
  }
  // Subscribed first (a SIGHUP during start-up would end the process); one
  // that comes before the practices run is served once they do. Reloads
  // run one after the other.
  let reloading: Promise<void> = Promise.resolve();
  let reloadNow: (() => Promise<void>) | undefined;
  let asked = false;
  const unsubscribe = (options.onReload ?? onSighup)(() => {
    if (!reloadNow) {
      asked = true;
      return reloading;
    }
    const run = reloadNow;
    reloading = reloading.then(run, run);
    return reloading;
  });
  try {
    const started = await startHost({
      config: withWorkerDefaults(read.config, options),
      now: () => new Date(),
      log,
      startSender: startServeSender,
      ...(options.idleTimeoutMs !== undefined && { idleTimeoutMs: options.idleTimeoutMs }),
      ...(options.alertCheckMs !== undefined && { alertCheckMs: options.alertCheckMs }),
    });
    if (!started.ok) {
      for (const e of started.errors) io.stderr(`${e}\n`);
      return { exitCode: started.reason === "usage" ? EXIT.usage : EXIT.failed };
    }
    const host = started.host;
    reloadNow = async () => {
      const next = rereadHostFile(options.hostConfig, log);
      log("reload: checking every practice's pack, tables and master data");
      const done = await host.reload(next && withWorkerDefaults(next, options));
      for (const l of done.listeners)
        io.stdout(`ready port=${l.port} practices=${l.practices.join(",")}\n`);
      const count = (r: string) => done.practices.filter((x) => x.result === r).length;
      const changed = ["started", "stopped", "restarted", "failed"]
        .filter((r) => count(r) > 0)
        .map((r) => ` ${r}=${count(r)}`)
        .join("");
      log(
        `reload done reloaded=${count("reloaded")} kept=${count("kept")} unchanged=${count("unchanged")}${changed}`,
      );
    };
    const stop = options.stop ?? stopSignal();
    for (const l of host.listeners)
      io.stdout(`ready port=${l.port} practices=${l.practices.join(",")}\n`);
    if (host.healthPort !== undefined) io.stdout(`ready healthz port=${host.healthPort}\n`);
    io.stdout(`ready host practices=${read.config.practices.length}\n`);
    if (asked) {
      const run = reloadNow;
      reloading = reloading.then(run, run);
    }
    await stop;
    reloadNow = undefined;
    await reloading;
    await host.close();
    return { exitCode: EXIT.ok };
  } finally {
    unsubscribe();
  }
}

/** The host file read again at a reload; undefined (logged at FILE:LINE:COL) when it does not load. */
function rereadHostFile(file: string, log: (line: string) => void): HostConfig | undefined {
  const read = loadHostFile(file);
  if (read.ok) return read.config;
  for (const e of read.errors) log(`reload: ${formatPackError(e)}`);
  log(`reload failed: keeping the host file as it runs (${file} does not load)`);
  return undefined;
}
