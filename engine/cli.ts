#!/usr/bin/env node
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DIFF_USAGE, diffCommand } from "./cli/diff-command.js";
import { explainCommand } from "./cli/explain-command.js";
import { MAPPING_USAGE, mappingCommand } from "./cli/mapping-command.js";
import { outboundCommand } from "./cli/outbound-command.js";
import { parseCommand } from "./cli/parse-command.js";
import { PRUNE_USAGE, pruneCommandArgs } from "./cli/prune-command.js";
import { QUEUE_USAGE, queueCommand } from "./cli/queue-command.js";
import { REPROCESS_USAGE, reprocessCommand } from "./cli/reprocess-command.js";
import { REVIEW_USAGE, reviewCommand } from "./cli/review-command.js";
import { runCommand } from "./cli/run-command.js";
import { SCOPE_USAGE, scopeCommand } from "./cli/scope-command.js";
import { SERVE_USAGE, serveCommand } from "./cli/serve-command.js";
import { STATUS_USAGE, statusCommandArgs } from "./cli/status-command.js";
import { storeLoadCommand } from "./cli/store-command.js";
import { testCommand } from "./cli/test-command.js";
import { validateCommand } from "./cli/validate-command.js";
import { WORKLIST_USAGE, worklistCommand } from "./cli/worklist-command.js";
import { type CliIo, type CommandResult, EXIT, processIo } from "./io/cli-io.js";

interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly run: (args: string[], io: CliIo) => CommandResult | Promise<CommandResult>;
}

function usageError(io: CliIo, usage: string, message: string): CommandResult {
  io.stderr(`rulepack: ${message}\nusage: ${usage}\n`);
  return { exitCode: EXIT.usage };
}

const COMMANDS: Readonly<Record<string, Command>> = {
  parse: {
    summary: "parse HL7 v2 files and print the tree (JSON) or the serialized message",
    usage: "rulepack parse FILE... [--format json|hl7] [--pretty]",
    run(args, io) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: { format: { type: "string", default: "json" }, pretty: { type: "boolean" } },
      });
      if (values.format !== "json" && values.format !== "hl7") {
        return usageError(io, this.usage, `unknown --format '${values.format}'`);
      }
      if (positionals.length === 0) return usageError(io, this.usage, "no FILE given");
      return parseCommand(
        { files: positionals, format: values.format, pretty: values.pretty === true },
        io,
      );
    },
  },
  validate: {
    summary: "validate rule packs; print FILE:LINE:COL: CODE message per problem",
    usage: "rulepack validate PACK... [--format text|json] [--effective]",
    run(args, io) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: { format: { type: "string", default: "text" }, effective: { type: "boolean" } },
      });
      if (values.format !== "text" && values.format !== "json") {
        return usageError(io, this.usage, `unknown --format '${values.format}'`);
      }
      if (positionals.length === 0) return usageError(io, this.usage, "no PACK given");
      return validateCommand(
        { packs: positionals, format: values.format, effective: values.effective === true },
        io,
      );
    },
  },
  run: {
    summary: "process HL7 files through a pack into the store; print one outcome per message",
    usage:
      "rulepack run --pack PACK [--db FILE] [--now ISO-8601] [--format json|text] [--explain] [--show-data] FILE...",
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
        },
      });
      if (!values.pack) return usageError(io, this.usage, "--pack is required");
      if (values.format !== "json" && values.format !== "text") {
        return usageError(io, this.usage, `unknown --format '${values.format}'`);
      }
      const now = values.now ? new Date(values.now) : new Date();
      if (Number.isNaN(now.getTime()))
        return usageError(io, this.usage, `--now '${values.now}' is not an ISO-8601 date-time`);
      if (positionals.length === 0) return usageError(io, this.usage, "no FILE given");
      return runCommand(
        {
          pack: values.pack,
          db: values.db,
          now,
          format: values.format,
          explain: values.explain === true,
          showData: values["show-data"] === true,
          files: positionals,
          progress: process.stderr.isTTY === true && positionals.length > 20,
        },
        io,
      );
    },
  },
  outbound: {
    summary: "build outbound HL7 for practice events (JSON); print the messages and queue them",
    usage: "rulepack outbound --pack PACK [--db FILE] [--now ISO-8601] EVENT.json...",
    run(args, io) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          pack: { type: "string" },
          db: { type: "string", default: "rulepack.sqlite" },
          now: { type: "string" },
        },
      });
      if (!values.pack) return usageError(io, this.usage, "--pack is required");
      const now = values.now ? new Date(values.now) : new Date();
      if (Number.isNaN(now.getTime()))
        return usageError(io, this.usage, `--now '${values.now}' is not an ISO-8601 date-time`);
      if (positionals.length === 0) return usageError(io, this.usage, "no EVENT file given");
      return outboundCommand({ pack: values.pack, db: values.db, now, files: positionals }, io);
    },
  },
  reprocess: {
    summary:
      "process queued messages again (by ID or --blocked-on CODE[:VALUE]), then what waited on them",
    usage: REPROCESS_USAGE,
    run: (args, io) => reprocessCommand(args, io),
  },
  review: {
    summary:
      "decide a REVIEW_REQUIRED message: --merge-with, --create-new, --accept-update, --reject",
    usage: REVIEW_USAGE,
    run: (args, io) => reviewCommand(args, io),
  },
  queue: {
    summary: "the message queue: list (filters), show one message with every attempt, delete",
    usage: QUEUE_USAGE,
    run: (args, io) => queueCommand(args, io),
  },
  prune: {
    summary: "remove PROCESSED and DELETED messages older than the pack's queue.retentionDays",
    usage: PRUNE_USAGE,
    run: (args, io) => pruneCommandArgs(args, io),
  },
  mapping: {
    summary: "add a row to the practice's mapping file (mapping add TABLE FOREIGN PRACTICE)",
    usage: MAPPING_USAGE,
    run: (args, io) => mappingCommand(args, io),
  },
  serve: {
    summary: "listen for HL7 over MLLP; store, process and ACK every message",
    usage: SERVE_USAGE,
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
        },
      });
      if (!values.pack) return usageError(io, this.usage, "--pack is required");
      const port = Number(values.mllp);
      if (values.mllp === undefined || !/^\d+$/.test(values.mllp) || port > 65535)
        return usageError(io, this.usage, "--mllp PORT (0-65535) is required");
      const idle = values["idle-timeout"];
      if (idle !== undefined && !/^\d+$/.test(idle))
        return usageError(io, this.usage, "--idle-timeout takes whole seconds");
      if (positionals.length > 0) return usageError(io, this.usage, "serve takes no FILE");
      return serveCommand(
        {
          pack: values.pack,
          db: values.db,
          port,
          host: values.host,
          ...(idle !== undefined && { idleTimeoutMs: Number(idle) * 1000 }),
        },
        io,
      );
    },
  },
  store: {
    summary: "load a practice's master data (providers, departments, packages...) into the store",
    usage: "rulepack store load [--db FILE] MASTER_DATA.yaml",
    run(args, io) {
      const [verb, ...rest] = args;
      if (verb !== "load")
        return usageError(io, this.usage, `unknown store command '${verb ?? ""}'`);
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { db: { type: "string", default: "rulepack.sqlite" } },
      });
      const [masterData, ...extra] = positionals;
      if (!masterData || extra.length > 0) {
        return usageError(io, this.usage, "give exactly one MASTER_DATA.yaml");
      }
      return storeLoadCommand({ db: values.db, masterData }, io);
    },
  },
  status: {
    summary: "the queue's health: messages per state, oldest waiting error, last received, alerts",
    usage: STATUS_USAGE,
    run: (args, io) => statusCommandArgs(args, io),
  },
  worklist: {
    summary: "print a worklist from the store: missing-slips (checked in or out, no charges yet)",
    usage: WORKLIST_USAGE,
    run: (args, io) => worklistCommand(args, io),
  },
  test: {
    summary: "run rule-test suites (*.test.yaml); the last line is 'N passed, N failed'",
    usage:
      "rulepack test [PATH...] [--filter TEXT] [--tag TAG]... [--reporter pretty|junit|tap|json|github] [--output REPORTER=FILE]... [--update] [--coverage] [--coverage-threshold PCT] [--coverage-format text|lcov|cobertura] [--coverage-output FILE] [--coverage-scope practice|all] [--bail] [--watch] [--explain]",
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
        },
        io,
      );
    },
  },
  diff: {
    summary:
      "replay messages (files or the queue) through an old and a new pack; show what changed",
    usage: DIFF_USAGE,
    run: (args, io) => diffCommand(args, io),
  },
  scope: {
    summary: "the scoping document filled in from a pack (html, md, pdf), or --diff OLD NEW",
    usage: SCOPE_USAGE,
    run: (args, io) => scopeCommand(args, io),
  },
  explain: {
    summary:
      "show per message which rules fired, which alternative and mapping row, matcher scores",
    usage: "rulepack explain --pack PACK [--now ISO-8601] FILE...",
    run(args, io) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: { pack: { type: "string" }, now: { type: "string" } },
      });
      if (!values.pack) return usageError(io, this.usage, "--pack is required");
      const now = values.now ? new Date(values.now) : new Date();
      if (Number.isNaN(now.getTime()))
        return usageError(io, this.usage, `--now '${values.now}' is not an ISO-8601 date-time`);
      if (positionals.length === 0) return usageError(io, this.usage, "no FILE given");
      return explainCommand({ pack: values.pack, now, files: positionals }, io);
    },
  },
};

function help(io: CliIo): CommandResult {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  io.stdout(
    `rulepack: an HL7 v2 interface engine driven by YAML rule packs\n\ncommands:\n${lines.join("\n")}\n`,
  );
  return { exitCode: EXIT.ok };
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    return help(io).exitCode;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`rulepack: unknown command '${name}' (see 'rulepack help')\n`);
    return EXIT.usage;
  }
  try {
    return (await command.run(args, io)).exitCode;
  } catch (e) {
    if (e instanceof TypeError && "code" in e && String(e.code).startsWith("ERR_PARSE_ARGS")) {
      return usageError(io, command.usage, e.message).exitCode;
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
