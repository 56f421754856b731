import { formatPackError } from "../documents/errors.js";
import { loadHostFile } from "../host/host-file.js";
import { startHost } from "../host/run-host.js";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import { usageError } from "./args.js";
import { onSighup, stopSignal } from "./signals.js";

/** What `serve --host-config` runs with; tests give `stop` and `onReload`. */
export interface HostServeOptions {
  readonly hostConfig: string;
  readonly idleTimeoutMs?: number;
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
 * `serve --host-config FILE [--idle-timeout SECONDS]` from serve's parsed
 * options: every other option of serve is the host file's to give (ports,
 * address, stores) or one practice's (`--pack`'s), and is refused (exit 2)
 * rather than ignored.
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
      !["host-config", "idle-timeout"].includes(name) &&
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
  return hostServeCommand(
    {
      hostConfig: String(values["host-config"]),
      ...(idle !== undefined && { idleTimeoutMs: Number(idle) * 1000 }),
    },
    io,
  );
}

/**
 * `rulepack serve --host-config host.yaml`: every practice of the host file
 * (engine/host/run-host.ts). Prints `ready port=N practices=A,B` per
 * listener, then `ready host practices=N`, on stdout; logs (no patient
 * data, each line naming its practice) on stderr. SIGHUP loads again the
 * practices whose pack, mapping tables or master data changed, one at a
 * time (a pack that does not load is reported with its practice and kept);
 * SIGTERM drains every listener and closes every store.
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
      config: read.config,
      now: () => new Date(),
      log,
      ...(options.idleTimeoutMs !== undefined && { idleTimeoutMs: options.idleTimeoutMs }),
      ...(options.alertCheckMs !== undefined && { alertCheckMs: options.alertCheckMs }),
    });
    if (!started.ok) {
      for (const e of started.errors) io.stderr(`${e}\n`);
      return { exitCode: started.reason === "usage" ? EXIT.usage : EXIT.failed };
    }
    const host = started.host;
    reloadNow = async () => {
      log("reload: checking every practice's pack, tables and master data");
      const results = await host.reload();
      const count = (r: string) => results.filter((x) => x.result === r).length;
      log(
        `reload done reloaded=${count("reloaded")} kept=${count("kept")} unchanged=${count("unchanged")}`,
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
