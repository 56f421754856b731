#!/usr/bin/env node
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { usageError } from "./cli/args.js";
import { colourWanted } from "./cli/colour.js";
import { commandSpec, formatCommandHelp, formatOverview } from "./cli/command-specs.js";
import { deliverCommandArgs } from "./cli/deliver-command.js";
import { diffCommand } from "./cli/diff-command.js";
import { explainCommand } from "./cli/explain-command.js";
import { hostServeArgs } from "./cli/host-serve-command.js";
import { initCommandArgs } from "./cli/init-command.js";
import { mappingCommand } from "./cli/mapping-command.js";
import { matchCommand } from "./cli/match-command.js";
import { outboundBackfillArgs } from "./cli/outbound-backfill-command.js";
import { outboundCommand } from "./cli/outbound-command.js";
import { parseCommand } from "./cli/parse-command.js";
import { resolvePracticeArgs } from "./cli/practice-args.js";
import { pruneCommandArgs } from "./cli/prune-command.js";
import { queueCommand } from "./cli/queue-command.js";
import { reprocessCommand } from "./cli/reprocess-command.js";
import { reviewCommand } from "./cli/review-command.js";
import { parseFailOn, runCommand } from "./cli/run-command.js";
import { scopeCommand } from "./cli/scope-command.js";
import { serveCommand } from "./cli/serve-command.js";
import { serveHttpOnly } from "./cli/serve-http.js";
import { serveHttpArgs } from "./cli/serve-http-args.js";
import { serveLogArgs } from "./cli/serve-log-args.js";
import { serveTlsFiles } from "./cli/serve-tls-args.js";
import { serveWorkersArgs } from "./cli/serve-workers-args.js";
import { statusCommandArgs } from "./cli/status-command.js";
import { storeLoadCommand } from "./cli/store-command.js";
import { testCommand } from "./cli/test-command.js";
import { tokenCommand } from "./cli/token-command.js";
import { unknownFlagMessage } from "./cli/unknown-flag.js";
import { userCommand } from "./cli/user-command.js";
import { validateCommand } from "./cli/validate-command.js";
import { packageVersion } from "./cli/version.js";
import { worklistCommand } from "./cli/worklist-command.js";
import { closest } from "./documents/suggest.js";
import { type CliIo, type CommandResult, EXIT, processIo } from "./io/cli-io.js";
import { storeOpenProblem, withStoreFromEnvironment } from "./store/open.js";

interface Command {
  readonly run: (args: string[], io: CliIo) => CommandResult | Promise<CommandResult>;
}

/** A command's usage line, from the one table of command specs. */
function usageOf(name: string): string {
  return commandSpec(name)?.usage ?? `rulepack ${name}`;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  init: { run: (args, io) => initCommandArgs(args, io) },
  parse: {
    run(args, io) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: { format: { type: "string", default: "json" }, pretty: { type: "boolean" } },
      });
      if (values.format !== "json" && values.format !== "hl7") {
        return usageError(io, usageOf("parse"), `unknown --format '${values.format}'`);
      }
      if (positionals.length === 0) return usageError(io, usageOf("parse"), "no FILE given");
      return parseCommand(
        { files: positionals, format: values.format, pretty: values.pretty === true },
        io,
      );
    },
  },
  validate: {
    run(args, io) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          format: { type: "string", default: "text" },
          effective: { type: "boolean" },
          strict: { type: "boolean" },
        },
      });
      if (values.format !== "text" && values.format !== "json") {
        return usageError(io, usageOf("validate"), `unknown --format '${values.format}'`);
      }
      if (positionals.length === 0) return usageError(io, usageOf("validate"), "no PACK given");
      return validateCommand(
        {
          packs: positionals,
          format: values.format,
          effective: values.effective === true,
          strict: values.strict === true,
        },
        io,
      );
    },
  },
  run: {
    run(args, io) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          pack: { type: "string" },
          db: { type: "string", default: "rulepack.sqlite" },
          now: { type: "string" },
          format: { type: "string", default: "text" },
          explain: { type: "boolean" },
          "show-data": { type: "boolean" },
          "fail-on": { type: "string" },
        },
      });
      if (!values.pack) return usageError(io, usageOf("run"), "--pack is required");
      if (values.format !== "json" && values.format !== "text") {
        return usageError(io, usageOf("run"), `unknown --format '${values.format}'`);
      }
      const now = values.now ? new Date(values.now) : new Date();
      if (Number.isNaN(now.getTime()))
        return usageError(io, usageOf("run"), `--now '${values.now}' is not an ISO-8601 date-time`);
      if (positionals.length === 0) return usageError(io, usageOf("run"), "no FILE given");
      const failOn = parseFailOn(values["fail-on"]);
      if (!failOn.ok) return usageError(io, usageOf("run"), failOn.message);
      return runCommand(
        {
          pack: values.pack,
          db: values.db,
          now,
          format: values.format,
          explain: values.explain === true,
          showData: values["show-data"] === true,
          files: positionals,
          failOn: failOn.states,
          progress: process.stderr.isTTY === true,
          colour: colourWanted(process.stdout.isTTY === true, process.env),
        },
        io,
      );
    },
  },
  outbound: {
    run(args, io) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          pack: { type: "string" },
          db: { type: "string", default: "rulepack.sqlite" },
          now: { type: "string" },
          since: { type: "string" },
        },
      });
      if (!values.pack) return usageError(io, usageOf("outbound"), "--pack is required");
      const now = values.now ? new Date(values.now) : new Date();
      if (Number.isNaN(now.getTime()))
        return usageError(
          io,
          usageOf("outbound"),
          `--now '${values.now}' is not an ISO-8601 date-time`,
        );
      if (positionals[0] === "backfill")
        return outboundBackfillArgs(
          { ...values, pack: values.pack },
          now,
          positionals.slice(1),
          io,
        );
      if (values.since !== undefined)
        return usageError(io, usageOf("outbound"), "--since is an option of outbound backfill");
      if (positionals.length === 0)
        return usageError(io, usageOf("outbound"), "no EVENT file given");
      return outboundCommand({ pack: values.pack, db: values.db, now, files: positionals }, io);
    },
  },
  deliver: {
    run: (args, io) => deliverCommandArgs(args, io),
  },
  reprocess: {
    run: (args, io) => reprocessCommand(args, io),
  },
  review: {
    run: (args, io) => reviewCommand(args, io),
  },
  queue: {
    run: (args, io) => queueCommand(args, io),
  },
  prune: {
    run: (args, io) => pruneCommandArgs(args, io),
  },
  mapping: {
    run: (args, io) => mappingCommand(args, io),
  },
  user: {
    run: (args, io) => userCommand(args, io),
  },
  token: {
    run: (args, io) => tokenCommand(args, io),
  },
  serve: {
    run(args, io) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          pack: { type: "string" },
          mllp: { type: "string" },
          host: { type: "string", default: "127.0.0.1" },
          db: { type: "string", default: "rulepack.sqlite" },
          "idle-timeout": { type: "string" },
          "host-config": { type: "string" },
          "tls-cert": { type: "string" },
          "tls-key": { type: "string" },
          "tls-ca": { type: "string" },
          "tls-require-client-cert": { type: "boolean" },
          http: { type: "string" },
          "http-host": { type: "string" },
          users: { type: "string" },
          "http-tls-cert": { type: "string" },
          "http-tls-key": { type: "string" },
          workers: { type: "string" },
          lease: { type: "string" },
          "log-format": { type: "string" },
          "log-level": { type: "string" },
        },
      });
      if (values["host-config"] !== undefined)
        return hostServeArgs(values, positionals, usageOf("serve"), io);
      if (!values.pack) return usageError(io, usageOf("serve"), "--pack is required");
      const tls = serveTlsFiles(values);
      if ("error" in tls) return usageError(io, usageOf("serve"), tls.error);
      const web = serveHttpArgs(values);
      if ("error" in web) return usageError(io, usageOf("serve"), web.error);
      if (values.mllp === undefined && web.http && positionals.length === 0)
        return serveHttpOnly({ pack: values.pack, db: values.db, http: web.http }, io);
      const port = Number(values.mllp);
      if (values.mllp === undefined || !/^\d+$/.test(values.mllp) || port > 65535)
        return usageError(io, usageOf("serve"), "--mllp PORT (0-65535) is required");
      const idle = values["idle-timeout"];
      if (idle !== undefined && !/^\d+$/.test(idle))
        return usageError(io, usageOf("serve"), "--idle-timeout takes whole seconds");
      if (positionals.length > 0) return usageError(io, usageOf("serve"), "serve takes no FILE");
      const logging = serveLogArgs(values);
      if ("error" in logging) return usageError(io, usageOf("serve"), logging.error);
      const workers = serveWorkersArgs(values);
      if ("error" in workers) return usageError(io, usageOf("serve"), workers.error);
      return serveCommand(
        {
          pack: values.pack,
          db: values.db,
          port,
          host: values.host,
          ...(tls.files && { tls: tls.files }),
          ...(idle !== undefined && { idleTimeoutMs: Number(idle) * 1000 }),
          ...(web.http && { http: web.http }),
          ...workers,
          log: logging.log,
        },
        io,
      );
    },
  },
  store: {
    run(args, io) {
      const [verb, ...rest] = args;
      if (verb !== "load")
        return usageError(io, usageOf("store"), `unknown store command '${verb ?? ""}'`);
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { db: { type: "string", default: "rulepack.sqlite" } },
      });
      const [masterData, ...extra] = positionals;
      if (!masterData || extra.length > 0) {
        return usageError(io, usageOf("store"), "give exactly one MASTER_DATA.yaml");
      }
      return storeLoadCommand({ db: values.db, masterData }, io);
    },
  },
  status: {
    run: (args, io) => statusCommandArgs(args, io),
  },
  worklist: {
    run: (args, io) => worklistCommand(args, io),
  },
  match: {
    run: (args, io) => matchCommand(args, io),
  },
  test: {
    run(args, io) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          filter: { type: "string" },
          tag: { type: "string", multiple: true, default: [] },
          reporter: { type: "string", default: "pretty" },
          output: { type: "string", multiple: true, default: [] },
          update: { type: "boolean" },
          coverage: { type: "boolean" },
          "coverage-threshold": { type: "string" },
          "coverage-format": { type: "string" },
          "coverage-output": { type: "string" },
          "coverage-scope": { type: "string" },
          bail: { type: "boolean" },
          watch: { type: "boolean" },
          explain: { type: "boolean" },
        },
      });
      return testCommand(
        {
          paths: positionals,
          ...(values.filter !== undefined && { filter: values.filter }),
          tags: values.tag,
          reporter: values.reporter,
          outputs: values.output,
          update: values.update === true,
          coverage: values.coverage === true,
          ...(values["coverage-threshold"] !== undefined && {
            coverageThreshold: values["coverage-threshold"],
          }),
          ...(values["coverage-format"] !== undefined && {
            coverageFormat: values["coverage-format"],
          }),
          ...(values["coverage-output"] !== undefined && {
            coverageOutput: values["coverage-output"],
          }),
          ...(values["coverage-scope"] !== undefined && {
            coverageScope: values["coverage-scope"],
          }),
          bail: values.bail === true,
          watch: values.watch === true,
          explain: values.explain === true,
          ci: process.env.CI,
          colour: colourWanted(process.stdout.isTTY === true, process.env),
        },
        io,
      );
    },
  },
  diff: {
    run: (args, io) => diffCommand(args, io),
  },
  scope: {
    run: (args, io) => scopeCommand(args, io),
  },
  explain: {
    run(args, io) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: { pack: { type: "string" }, now: { type: "string" } },
      });
      if (!values.pack) return usageError(io, usageOf("explain"), "--pack is required");
      const now = values.now ? new Date(values.now) : new Date();
      if (Number.isNaN(now.getTime()))
        return usageError(
          io,
          usageOf("explain"),
          `--now '${values.now}' is not an ISO-8601 date-time`,
        );
      if (positionals.length === 0) return usageError(io, usageOf("explain"), "no FILE given");
      return explainCommand({ pack: values.pack, now, files: positionals }, io);
    },
  },
};

function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

function unknownCommand(io: CliIo, name: string): number {
  const near = closest(name, Object.keys(COMMANDS));
  io.stderr(
    `rulepack: unknown command '${name}'${near ? ` (did you mean '${near}'?)` : ""}; see 'rulepack --help'\n`,
  );
  return EXIT.usage;
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    io.stdout(formatOverview());
    return EXIT.ok;
  }
  if (name === "--version" || name === "-V") {
    io.stdout(`rulepack ${packageVersion()}\n`);
    return EXIT.ok;
  }
  if (name === "help") {
    const [topic] = args;
    if (topic === undefined) {
      io.stdout(formatOverview());
      return EXIT.ok;
    }
    const spec = commandSpec(topic);
    if (!spec) return unknownCommand(io, topic);
    io.stdout(formatCommandHelp(spec));
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  const spec = commandSpec(name);
  if (!command || !spec) return unknownCommand(io, name);
  if (wantsHelp(args)) {
    io.stdout(formatCommandHelp(spec));
    return EXIT.ok;
  }
  try {
    const resolved = resolvePracticeArgs(spec, args, process.env, io);
    if ("result" in resolved) return resolved.result.exitCode;
    const withDb = spec.options.some((o) => o.name === "db")
      ? withStoreFromEnvironment(resolved.args, process.env)
      : resolved.args;
    const problem = await storeOpenProblem(withDb);
    if (problem !== undefined) {
      io.stderr(`rulepack: ${problem}\n`);
      return EXIT.usage;
    }
    return (await command.run(withDb, io)).exitCode;
  } catch (e) {
    if (e instanceof TypeError && "code" in e && String(e.code).startsWith("ERR_PARSE_ARGS")) {
      return usageError(io, spec.usage, unknownFlagMessage(e, spec)).exitCode;
    }
    io.stderr(`rulepack: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    return EXIT.internal;
  }
}

/** Run as the program (the bin, `node engine/cli.ts`), not when imported: tests call `main` in-process. */
function isEntry(argv1: string | undefined): boolean {
  try {
    return argv1 !== undefined && realpathSync(argv1) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntry(process.argv[1])) process.exitCode = await main(process.argv.slice(2));
