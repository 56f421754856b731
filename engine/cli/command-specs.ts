import { DELIVER_USAGE } from "./deliver-command.js";
import { DIFF_USAGE } from "./diff-command.js";
import { INIT_USAGE } from "./init-command.js";
import { MAPPING_USAGE } from "./mapping-command.js";
import { MATCH_USAGE } from "./match-command.js";
import { OUTBOUND_USAGE } from "./outbound-backfill-command.js";
import { practiceOptions } from "./practice-args.js";
import { PRUNE_USAGE } from "./prune-command.js";
import { QUEUE_USAGE } from "./queue-command.js";
import { REPROCESS_USAGE } from "./reprocess-command.js";
import { REVIEW_USAGE } from "./review-command.js";
import { SCOPE_USAGE } from "./scope-command.js";
import { SERVE_USAGE } from "./serve-command.js";
import { STATUS_USAGE } from "./status-command.js";
import { TOKEN_USAGE } from "./token-command.js";
import { USER_USAGE } from "./user-command.js";
import { WORKLIST_USAGE } from "./worklist-command.js";

/**
 * What `rulepack help` knows of each command: one table drives the command
 * list, `rulepack CMD --help`, and the "did you mean" for a mistyped flag.
 * The commands still read their arguments with node:util parseArgs
 * (docs/decisions/0021); a test holds this table to the commands.
 */

export interface OptionSpec {
  /** The long name without dashes: `pack`, `dry-run`. */
  readonly name: string;
  /** The value's placeholder (`FILE`); absent for a switch. */
  readonly value?: string;
  readonly description: string;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: readonly OptionSpec[];
  readonly example: string;
}

const pack: OptionSpec = { name: "pack", value: "PACK", description: "the practice's pack.yaml" };
const db: OptionSpec = {
  name: "db",
  value: "FILE",
  description: "the SQLite store (default rulepack.sqlite)",
};
const now: OptionSpec = {
  name: "now",
  value: "ISO-8601",
  description: "the time to process as (default: the clock)",
};
const format = (values: string, dflt: string): OptionSpec => ({
  name: "format",
  value: values,
  description: `output format (default ${dflt})`,
});
const actor: OptionSpec = {
  name: "actor",
  value: "NAME",
  description: "who does it (default $RULEPACK_ACTOR, else $USER)",
};
const force: OptionSpec = {
  name: "force",
  description: "act although the pack changed since the message was processed",
};

export const COMMAND_SPECS: readonly CommandSpec[] = [
  {
    name: "init",
    summary: "scaffold a new practice: rules/practices/PRACTICE/ with a pack, master data, a test",
    usage: INIT_USAGE,
    options: [
      {
        name: "dir",
        value: "RULES_DIR",
        description: "the rules folder holding base.yaml (default ./rules)",
      },
    ],
    example: "rulepack init harbor-pediatrics",
  },
  {
    name: "parse",
    summary: "parse HL7 v2 files and print the tree (JSON) or the serialized message",
    usage: "rulepack parse FILE... [--format json|hl7] [--pretty]",
    options: [format("json|hl7", "json"), { name: "pretty", description: "indent the JSON" }],
    example: "rulepack parse samples/adt-a04.hl7 --pretty",
  },
  {
    name: "validate",
    summary: "validate rule packs; print FILE:LINE:COL: CODE message per problem",
    usage: "rulepack validate PACK... [--format text|json] [--effective] [--strict]",
    options: [
      format("text|json", "text"),
      { name: "effective", description: "print the merged pack (after extends)" },
      {
        name: "strict",
        description:
          "also warn about what is legal but pointless or suspicious (exit 0 when only warnings)",
      },
    ],
    example: "rulepack validate rules/practices/*/pack.yaml",
  },
  {
    name: "run",
    summary: "process HL7 files through a pack into the store; print one outcome per message",
    usage:
      "rulepack run --pack PACK [--db FILE] [--now ISO-8601] [--format json|text] [--explain] [--show-data] [--fail-on STATE,...] FILE...",
    options: [
      pack,
      db,
      now,
      format("json|text", "text"),
      { name: "explain", description: "print which rules fired for each message" },
      { name: "show-data", description: "text format: show errors' and actions' patient data" },
      {
        name: "fail-on",
        value: "STATE,...",
        description: "exit 1 when any message ends in one of these states (ERROR,CBOERROR,...)",
      },
    ],
    example: "rulepack run --pack rules/practices/eco-derm/pack.yaml --fail-on ERROR inbox/*.hl7",
  },
  {
    name: "outbound",
    summary: "build outbound HL7 for practice events (JSON); print the messages and queue them",
    usage: OUTBOUND_USAGE,
    options: [
      pack,
      db,
      now,
      {
        name: "since",
        value: "DATE",
        description: "backfill: appointments from this date (default: from now)",
      },
    ],
    example: "rulepack outbound --pack rules/practices/eco-derm/pack.yaml events/booked.json",
  },
  {
    name: "deliver",
    summary:
      "send the queued outbound messages to the pack's receiver over MLLP and record each ACK",
    usage: DELIVER_USAGE,
    options: [
      pack,
      db,
      { name: "once", description: "stop when nothing can be sent now (a batch run, a cron job)" },
      {
        name: "resend",
        value: "ID",
        description:
          "first put this ERROR or PROCESSED outbound message back to NEW, the same bytes",
      },
      actor,
    ],
    example: "rulepack deliver --pack rules/practices/harbor-ortho/pack.yaml --once",
  },
  {
    name: "reprocess",
    summary:
      "process queued messages again (by ID or --blocked-on CODE[:VALUE]), then what waited on them",
    usage: REPROCESS_USAGE,
    options: [
      { name: "blocked-on", value: "CODE[:VALUE]", description: "every message waiting on it" },
      pack,
      db,
      now,
      actor,
      force,
      format("text|json", "text"),
    ],
    example:
      "rulepack reprocess --blocked-on UNMAPPED_INSURANCE:BCBS-PPO --pack rules/practices/eco-derm/pack.yaml",
  },
  {
    name: "review",
    summary:
      "decide a REVIEW_REQUIRED message: --merge-with, --create-new, --accept-update, --reject",
    usage: REVIEW_USAGE,
    options: [
      { name: "merge-with", value: "PATIENT", description: "the message is this patient" },
      { name: "create-new", description: "the message is a new patient" },
      { name: "accept-update", description: "apply the demographic change" },
      { name: "reject", description: "delete the message unprocessed" },
      pack,
      actor,
      db,
      now,
      force,
      format("text|json", "text"),
    ],
    example: "rulepack review 42 --create-new --pack rules/practices/eco-derm/pack.yaml",
  },
  {
    name: "queue",
    summary: "the message queue: list (filters), show one message with every attempt, delete",
    usage: QUEUE_USAGE,
    options: [
      { name: "state", value: "S", description: "list: messages in this state" },
      { name: "code", value: "CODE[:VALUE]", description: "list: messages with this error" },
      { name: "type", value: "T", description: "list: messages of this type (ADT^A04)" },
      { name: "since", value: "DATE", description: "list: received on or after" },
      { name: "direction", value: "inbound|outbound", description: "list: one direction" },
      { name: "raw", description: "show: print the message as received" },
      actor,
      { name: "note", value: "TEXT", description: "delete: why" },
      now,
      db,
      format("text|json", "text"),
    ],
    example: "rulepack queue list --state ERROR",
  },
  {
    name: "prune",
    summary: "remove PROCESSED and DELETED messages older than the pack's queue.retentionDays",
    usage: PRUNE_USAGE,
    options: [
      pack,
      db,
      now,
      { name: "dry-run", description: "count what would go, remove nothing" },
      {
        name: "unrouted-days",
        value: "DAYS",
        description:
          "instead of --pack: a host's _unrouted store, ERROR deleted and DELETED removed after DAYS (--practice _unrouted gives both)",
      },
    ],
    example: "rulepack prune --pack rules/practices/eco-derm/pack.yaml --dry-run",
  },
  {
    name: "mapping",
    summary: "add a row to the practice's mapping file (mapping add TABLE FOREIGN PRACTICE)",
    usage: MAPPING_USAGE,
    options: [
      pack,
      { name: "db", value: "FILE", description: "the store the printed reprocess line names" },
      { name: "description", value: "TEXT", description: "the row's description" },
    ],
    example:
      "rulepack mapping add insurance BCBS-PPO 1042 --pack rules/practices/eco-derm/pack.yaml",
  },
  {
    name: "user",
    summary: "add a person who may use the queue in a browser, change a password, remove one",
    usage: USER_USAGE,
    options: [
      {
        name: "role",
        value: "ROLE,...",
        description: "view, map-insurance, map-other, file-upload, admin (Table 20 and users)",
      },
      {
        name: "practice-id",
        value: "PACK_ID",
        description: "the pack id the roles hold for (default *: every practice)",
      },
      { name: "users", value: "FILE", description: "the users file (default users.yaml)" },
    ],
    example:
      "rulepack user add maria --role view,map-insurance --practice-id harbor-ortho < password.txt",
  },
  {
    name: "token",
    summary: "add an API token for a machine client of serve --http (printed once, stored hashed)",
    usage: TOKEN_USAGE,
    options: [
      { name: "practice-id", value: "PACK_ID", description: "the practice (pack id) it works for" },
      {
        name: "scope",
        value: "SCOPE,...",
        description: "events (POST /api/events), messages (POST /api/messages)",
      },
      { name: "users", value: "FILE", description: "the users file (default users.yaml)" },
    ],
    example: "rulepack token add practice-system --practice-id harbor-ortho --scope events",
  },
  {
    name: "serve",
    summary: "listen for HL7 over MLLP; store, process and ACK every message",
    usage: SERVE_USAGE,
    options: [
      pack,
      { name: "mllp", value: "PORT", description: "the MLLP port (0: any free port)" },
      { name: "host", value: "ADDR", description: "the address to listen on (default 127.0.0.1)" },
      db,
      {
        name: "idle-timeout",
        value: "SECONDS",
        description: "close a connection idle this long",
      },
      {
        name: "log-format",
        value: "json|pretty",
        description:
          "json: one object per line (time, level, event, message, IDs); pretty (default): one line",
      },
      {
        name: "log-level",
        value: "LEVEL",
        description: "debug, info (default), warn or error: the lowest level logged",
      },
      {
        name: "host-config",
        value: "FILE",
        description: "serve every practice of this host file (instead of --pack)",
      },
      { name: "tls-cert", value: "FILE", description: "listen with TLS: the certificate (PEM)" },
      { name: "tls-key", value: "FILE", description: "the certificate's private key (PEM)" },
      {
        name: "tls-ca",
        value: "FILE",
        description: "the CA client certificates are checked against (PEM)",
      },
      {
        name: "tls-require-client-cert",
        description: "refuse a sender without a certificate signed by --tls-ca",
      },
      {
        name: "http",
        value: "PORT",
        description:
          "also serve the queue in a browser and the HTTP API (without --mllp: only that)",
      },
      {
        name: "http-host",
        value: "ADDR",
        description: "the address --http listens on (default 127.0.0.1)",
      },
      {
        name: "users",
        value: "FILE",
        description: "the users and API tokens of --http (default users.yaml)",
      },
      {
        name: "http-tls-cert",
        value: "FILE",
        description: "serve --http over TLS with this certificate (PEM)",
      },
      {
        name: "http-tls-key",
        value: "FILE",
        description: "the private key of --http-tls-cert (PEM)",
      },
      {
        name: "workers",
        value: "N",
        description:
          "N workers claim and decide stored messages (each patient's in order); several serve processes may share a PostgreSQL --db; with --host-config, for each practice without workers:",
      },
      {
        name: "lease",
        value: "SECONDS",
        description: "how long a worker's claim holds a message (default 30)",
      },
    ],
    example: "rulepack serve --pack rules/practices/eco-derm/pack.yaml --mllp 2575",
  },
  {
    name: "store",
    summary: "load a practice's master data (providers, departments, packages...) into the store",
    usage: "rulepack store load [--db FILE] MASTER_DATA.yaml",
    options: [db],
    example: "rulepack store load rules/practices/eco-derm/master-data.yaml",
  },
  {
    name: "status",
    summary: "the queue's health: messages per state, oldest waiting error, last received, alerts",
    usage: STATUS_USAGE,
    options: [
      db,
      format("text|json", "text"),
      { name: "pack", value: "PACK", description: "also show which of its alerts would fire" },
    ],
    example: "rulepack status --format json",
  },
  {
    name: "match",
    summary:
      "train the demographic matcher's weights on the practice's stored patients (match train)",
    usage: MATCH_USAGE,
    options: [
      pack,
      db,
      {
        name: "out",
        value: "FILE",
        description: "where to write (default trained-weights.yaml beside the pack)",
      },
      {
        name: "max-patients",
        value: "N",
        description: "train on at most N stored patients (default 200000)",
      },
    ],
    example: "rulepack match train --pack rules/practices/eco-derm/pack.yaml --db eco-derm.sqlite",
  },
  {
    name: "worklist",
    summary:
      "print a worklist from the store: missing-slips (checked in or out, no charges yet), duplicates (likely duplicate patients)",
    usage: WORKLIST_USAGE,
    options: [
      db,
      {
        ...pack,
        description: "duplicates: the pack whose matcher scores the pairs (default: the engine's)",
      },
      format("text|json", "text"),
    ],
    example: "rulepack worklist missing-slips",
  },
  {
    name: "test",
    summary: "run rule-test suites (*.test.yaml); the last line is 'N passed, N failed'",
    usage:
      "rulepack test [PATH...] [--filter TEXT] [--tag TAG]... [--reporter pretty|junit|tap|json|github] [--output REPORTER=FILE]... [--update] [--coverage] [--coverage-threshold PCT] [--coverage-format text|lcov|cobertura] [--coverage-output FILE] [--coverage-scope practice|all] [--bail] [--watch] [--explain]",
    options: [
      { name: "filter", value: "TEXT", description: "only cases whose name holds TEXT" },
      { name: "tag", value: "TAG", description: "only cases with this tag (repeatable)" },
      {
        name: "reporter",
        value: "pretty|junit|tap|json|github",
        description: "output format (default pretty)",
      },
      { name: "output", value: "REPORTER=FILE", description: "also write a report to FILE" },
      { name: "update", description: "rewrite expectations from what the pack does now" },
      { name: "coverage", description: "report which rules the cases exercised" },
      { name: "coverage-threshold", value: "PCT", description: "fail below this coverage" },
      { name: "coverage-format", value: "text|lcov|cobertura", description: "coverage format" },
      { name: "coverage-output", value: "FILE", description: "write coverage to FILE" },
      { name: "coverage-scope", value: "practice|all", description: "which rules count" },
      { name: "bail", description: "stop at the first failure" },
      { name: "watch", description: "run again when a pack or test changes" },
      { name: "explain", description: "print which rules fired for a failing case" },
    ],
    example: "rulepack test rules/practices/eco-derm/tests",
  },
  {
    name: "diff",
    summary:
      "replay messages (files or the queue) through an old and a new pack; show what changed",
    usage: DIFF_USAGE,
    options: [
      { name: "pack", value: "NEW", description: "the changed pack" },
      { name: "against", value: "OLD", description: "the pack before the change" },
      { name: "against-ref", value: "GIT_REF", description: "the pack as of a git ref" },
      { name: "from-queue", value: "DB", description: "replay the store's messages" },
      { name: "since", value: "DATE", description: "with --from-queue: received since" },
      { name: "type", value: "T", description: "with --from-queue: of this type" },
      { name: "snapshot", value: "DB", description: "the store's state to replay against" },
      now,
      format("text|json", "text"),
      { name: "html", value: "FILE", description: "also write an HTML report" },
      { name: "fail-on-change", description: "exit 1 when any outcome changed" },
      { name: "expect", value: "FILE", description: "the changes that are intended" },
    ],
    example:
      "rulepack diff --pack rules/practices/eco-derm/pack.yaml --against-ref main --from-queue rulepack.sqlite",
  },
  {
    name: "scope",
    summary: "the scoping document filled in from a pack (html, md, pdf), or --diff OLD NEW",
    usage: SCOPE_USAGE,
    options: [
      format("html|md|pdf", "html"),
      { name: "out", value: "FILE", description: "write to FILE instead of stdout" },
      { name: "diff", description: "compare the sheets of two packs" },
    ],
    example: "rulepack scope rules/practices/eco-derm/pack.yaml --format md",
  },
  {
    name: "explain",
    summary:
      "show per message which rules fired, which alternative and mapping row, matcher scores",
    usage: "rulepack explain --pack PACK [--now ISO-8601] FILE...",
    options: [pack, now],
    example: "rulepack explain --pack rules/practices/eco-derm/pack.yaml inbox/a04.hl7",
  },
];

export function commandSpec(name: string): CommandSpec | undefined {
  return COMMAND_SPECS.find((c) => c.name === name);
}

/** `rulepack CMD --help`: usage, options, an example, the exit codes. */
export function formatCommandHelp(spec: CommandSpec): string {
  const flag = (o: OptionSpec) => `--${o.name}${o.value ? ` ${o.value}` : ""}`;
  const all = [...spec.options, ...practiceOptions(spec)];
  const width = Math.max(0, ...all.map((o) => flag(o).length));
  const options = all.map((o) => `  ${flag(o).padEnd(width)}  ${o.description}`);
  return [
    `rulepack ${spec.name}: ${spec.summary}`,
    "",
    `usage: ${spec.usage}`,
    "",
    "options:",
    ...options,
    `  ${"--help".padEnd(width)}  this help`,
    "",
    "example:",
    `  ${spec.example}`,
    "",
    EXIT_CODES_TEXT,
  ].join("\n");
}

/** `rulepack --help`: every command and its summary. */
export function formatOverview(): string {
  const lines = COMMAND_SPECS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`);
  return [
    "rulepack: an HL7 v2 interface engine driven by YAML rule packs",
    "",
    "usage: rulepack COMMAND [OPTIONS]   (rulepack help COMMAND, rulepack COMMAND --help)",
    "",
    "commands:",
    ...lines,
    "",
    EXIT_CODES_TEXT,
  ].join("\n");
}

export const EXIT_CODES_TEXT =
  "exit codes: 0 ok, 1 a finding (invalid pack in validate, failed test, --fail-on state), 2 usage or unreadable input, 3 internal error\n";
