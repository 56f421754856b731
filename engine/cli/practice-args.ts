import { formatPackError } from "../documents/errors.js";
import { closest } from "../documents/suggest.js";
import {
  type HostConfig,
  type HostPractice,
  loadHostFile,
  practiceNamed,
} from "../host/host-file.js";
import { UNROUTED_STORE } from "../host/practice-store.js";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import { usageError } from "./args.js";
import type { CommandSpec, OptionSpec } from "./command-specs.js";

/**
 * `--practice NAME` with `--host-config FILE` (or $RULEPACK_HOST), for every
 * command that takes a pack or a store: the practice's pack and store from
 * the host file, given to the command as its own `--pack` / `--db` (or the
 * PACK operand of `validate` and `scope`; `serve` also gets the practice's
 * own `--mllp` port and the host's address). Resolved here, once, before
 * any command reads its arguments, so no command knows of host files.
 */

export const PRACTICE_OPTIONS: readonly OptionSpec[] = [
  {
    name: "practice",
    value: "NAME",
    description: "a practice of the host file: its pack and its store",
  },
  {
    name: "host-config",
    value: "FILE",
    description: "the host file --practice is read from (default $RULEPACK_HOST)",
  },
];

/** Commands whose PACK is an operand rather than `--pack`. */
const PACK_OPERAND = new Set(["validate", "scope"]);

interface Slots {
  readonly pack: "flag" | "operand" | undefined;
  readonly db: boolean;
}

function slotsOf(spec: CommandSpec): Slots {
  const has = (name: string) => spec.options.some((o) => o.name === name);
  return {
    pack: PACK_OPERAND.has(spec.name) ? "operand" : has("pack") ? "flag" : undefined,
    db: has("db"),
  };
}

/** The practice options a command's help shows: those of a command that takes a pack or a store. */
export function practiceOptions(spec: CommandSpec): readonly OptionSpec[] {
  const slots = slotsOf(spec);
  if (slots.pack === undefined && !slots.db) return [];
  return PRACTICE_OPTIONS.filter((o) => !spec.options.some((s) => s.name === o.name));
}

interface Taken {
  readonly rest: string[];
  readonly values: ReadonlyMap<string, string>;
  readonly missing?: string;
}

/** Take `--NAME VALUE` / `--NAME=VALUE` of these names out of the arguments (up to `--`). */
function take(args: readonly string[], names: readonly string[]): Taken {
  const rest: string[] = [];
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--") {
      rest.push(...args.slice(i));
      break;
    }
    const name = names.find((n) => arg === `--${n}` || arg.startsWith(`--${n}=`));
    if (name === undefined) {
      rest.push(arg);
      continue;
    }
    if (arg.includes("=")) values.set(name, arg.slice(arg.indexOf("=") + 1));
    else if (i + 1 < args.length) values.set(name, args[++i] as string);
    else return { rest, values, missing: name };
  }
  return { rest, values };
}

/** Insert `extra` before a `--` (so it stays an option), else at the end. */
function beforeTerminator(args: readonly string[], extra: readonly string[]): string[] {
  const end = args.indexOf("--");
  return end < 0 ? [...args, ...extra] : [...args.slice(0, end), ...extra, ...args.slice(end)];
}

const given = (args: readonly string[], name: string): boolean => {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).some(
    (a) => a === `--${name}` || a.startsWith(`--${name}=`),
  );
};

/**
 * The command's arguments with `--practice` resolved, or the result to exit
 * with: 2 for a usage mistake or a host file that does not load (its
 * problems at FILE:LINE:COL).
 */
export function resolvePracticeArgs(
  spec: CommandSpec,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: CliIo,
): { readonly args: string[] } | { readonly result: CommandResult } {
  const taken = take(args, ["practice", "host-config"]);
  const usage = (message: string) => ({ result: usageError(io, spec.usage, message) });
  if (taken.missing) return usage(`--${taken.missing} needs a value`);
  const name = taken.values.get("practice");
  if (name === undefined) {
    // serve --host-config runs every practice of the file: serve reads it itself.
    if (taken.values.has("host-config") && spec.name !== "serve")
      return usage("--host-config goes with --practice NAME");
    return { args: [...args] };
  }
  const slots = slotsOf(spec);
  if (slots.pack === undefined && !slots.db) return usage(`${spec.name} takes no --practice`);
  const file = taken.values.get("host-config") ?? env.RULEPACK_HOST;
  if (file === undefined || file === "")
    return usage("--practice needs the host file: --host-config FILE or RULEPACK_HOST");
  for (const own of ["pack", "db"] as const) {
    if (given(taken.rest, own))
      return usage(`--practice gives the pack and the store: leave out --${own}`);
  }
  const host = loadHostFile(file);
  if (!host.ok) {
    for (const e of host.errors) io.stderr(`${formatPackError(e)}\n`);
    return { result: { exitCode: EXIT.usage } };
  }
  if (name === UNROUTED_STORE) return unroutedArgs(spec, taken.rest, host.config, usage);
  const practice = practiceNamed(host.config, name);
  if ("unknown" in practice) {
    const near = closest(name, practice.unknown);
    return usage(
      `no practice '${name}' in ${file}${near ? ` (did you mean '${near}'?)` : ""}; it has ${practice.unknown.join(", ")}`,
    );
  }
  const extra: string[] = [];
  if (slots.pack === "flag") extra.push("--pack", practice.pack);
  if (slots.db) extra.push("--db", practice.store);
  if (spec.name === "serve" && "port" in practice.inbound) {
    if (!given(taken.rest, "mllp")) extra.push("--mllp", String(practice.inbound.port));
    if (!given(taken.rest, "host")) extra.push("--host", host.config.host);
    extra.push(...servedAlone(practice, taken.rest));
  }
  const resolved = beforeTerminator(taken.rest, extra);
  return { args: slots.pack === "operand" ? [...resolved, practice.pack] : resolved };
}

/**
 * `serve --practice NAME` serves the practice as the host would: its
 * `workers`/`leaseSeconds` and its own port's TLS, unless given on the
 * command line (docs/decisions/0038).
 */
function servedAlone(practice: HostPractice, rest: readonly string[]): string[] {
  const extra: string[] = [];
  if (practice.workers !== undefined && practice.workers > 0 && !given(rest, "workers")) {
    extra.push("--workers", String(practice.workers));
    if (practice.leaseMs !== undefined && !given(rest, "lease"))
      extra.push("--lease", String(practice.leaseMs / 1000));
  }
  const tls = "port" in practice.inbound ? practice.inbound.tls : undefined;
  if (tls && !given(rest, "tls-cert") && !given(rest, "tls-key")) {
    extra.push("--tls-cert", tls.files.cert, "--tls-key", tls.files.key);
    if (tls.files.ca !== undefined) extra.push("--tls-ca", tls.files.ca);
    if (tls.files.requireClientCert) extra.push("--tls-require-client-cert");
  }
  return extra;
}

const UNROUTED_COMMANDS = new Set(["queue", "status", "prune"]);

/**
 * `--practice _unrouted`: the host's store of frames the shared port could
 * not route (docs/decisions/0038). It has no pack: commands that read a
 * store get it as `--db` (`queue list`, `queue show`, `queue delete`,
 * `status`), `prune` also its retention (`--unrouted-days`, the host
 * file's `unrouted.retainDays`); the other commands need a pack and refuse it.
 */
function unroutedArgs(
  spec: CommandSpec,
  rest: readonly string[],
  config: HostConfig,
  usage: (message: string) => { readonly result: CommandResult },
): { readonly args: string[] } | { readonly result: CommandResult } {
  if (!UNROUTED_COMMANDS.has(spec.name))
    return usage(
      `${UNROUTED_STORE} is the host's store of unroutable frames, without a pack: queue, status and prune take it, not ${spec.name}`,
    );
  const extra = ["--db", config.unroutedStore];
  if (spec.name === "prune") extra.push("--unrouted-days", String(config.unroutedRetainDays));
  return { args: beforeTerminator(rest, extra) };
}
