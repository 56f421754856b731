import { parseArgs } from "node:util";
import { deliveryStory, receiverLines } from "../delivery/report.js";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import type { QueueState } from "../model/outcome.js";
import { UNDELETABLE } from "../queue/delete.js";
import {
  isQueueState,
  listJson,
  listLine,
  QUEUE_STATES,
  rawText,
  showJson,
  showText,
} from "../queue/format.js";
import type { MessageFilter, Store } from "../store/types.js";
import { clockOf, parseCodeFilter, resolveActor, usageError } from "./args.js";
import { openExistingStore } from "./practice.js";

export const QUEUE_USAGE = [
  "rulepack queue list [--state S] [--code CODE[:VALUE]] [--type T] [--since DATE] [--direction inbound|outbound] [--db FILE] [--format text|json]",
  "rulepack queue show ID [--db FILE] [--format text|json] [--raw]",
  "rulepack queue delete ID... [--actor NAME] [--note TEXT] [--now ISO-8601] [--db FILE] [--format text|json]",
].join("\n       ");

type Format = "text" | "json";

/** What a command that changes something needs from outside: who (the environment) and when. */
export interface ChangeContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: () => Date;
}

const processContext: ChangeContext = { env: process.env, clock: () => new Date() };

export interface QueueListOptions {
  readonly db: string;
  readonly format: Format;
  readonly filter: MessageFilter;
}

export interface QueueShowOptions {
  readonly db: string;
  readonly format: Format;
  readonly id: string;
  /** Only the message as stored, segments separated by CR as received. */
  readonly raw: boolean;
}

export interface QueueDeleteOptions {
  readonly db: string;
  readonly format: Format;
  readonly ids: readonly string[];
  readonly actor: string;
  readonly note?: string;
  /** When the deletion is recorded. */
  readonly now: Date;
}

type Verb = (
  args: string[],
  io: CliIo,
  context: ChangeContext,
) => CommandResult | Promise<CommandResult>;

const VERBS: Readonly<Record<string, Verb>> = {
  list: listVerb,
  show: showVerb,
  delete: deleteVerb,
};

/** `rulepack queue list|show|delete`: the queue as people use it. */
export function queueCommand(
  args: readonly string[],
  io: CliIo,
  context: ChangeContext = processContext,
): CommandResult | Promise<CommandResult> {
  const [name, ...rest] = args;
  const verb = name === undefined ? undefined : VERBS[name];
  if (!verb) return usage(io, `unknown queue command '${name ?? ""}' (list, show or delete)`);
  return verb(rest, io, context);
}

const usage = (io: CliIo, message: string) => usageError(io, QUEUE_USAGE, message);

const COMMON = {
  db: { type: "string", default: "rulepack.sqlite" },
  format: { type: "string", default: "text" },
} as const;

function formatOf(value: string): Format | undefined {
  return value === "text" || value === "json" ? value : undefined;
}

/** `--since`: a date (midnight UTC) or an ISO-8601 date-time, as the ISO string the store compares. */
export function parseSince(value: string): string | undefined {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(date)) return undefined;
  const time = Date.parse(date);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

function listVerb(args: string[], out: CliIo): CommandResult | Promise<CommandResult> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...COMMON,
      state: { type: "string" },
      code: { type: "string" },
      type: { type: "string" },
      since: { type: "string" },
      direction: { type: "string" },
    },
  });
  const format = formatOf(values.format);
  if (!format) return usage(out, `unknown --format '${values.format}'`);
  if (positionals.length > 0) return usage(out, `unexpected argument '${positionals[0]}'`);
  const filter: { -readonly [K in keyof MessageFilter]: MessageFilter[K] } = {};
  if (values.state !== undefined) {
    if (!isQueueState(values.state))
      return usage(
        out,
        `--state '${values.state}' is not a queue state (${QUEUE_STATES.join(", ")})`,
      );
    filter.state = values.state;
  }
  if (values.code !== undefined) {
    const code = parseCodeFilter(values.code);
    if (!code) return usage(out, `--code '${values.code}' is not CODE or CODE:VALUE`);
    filter.code = code.code;
    if (code.value !== undefined) filter.value = code.value;
  }
  if (values.type !== undefined) filter.type = values.type;
  if (values.since !== undefined) {
    const since = parseSince(values.since);
    if (!since)
      return usage(
        out,
        `--since '${values.since}' is not a date (YYYY-MM-DD) or ISO-8601 date-time`,
      );
    filter.since = since;
  }
  if (values.direction !== undefined) {
    if (values.direction !== "inbound" && values.direction !== "outbound")
      return usage(out, `--direction '${values.direction}' is not inbound or outbound`);
    filter.direction = values.direction;
  }
  return queueListCommand({ db: values.db, format, filter }, out);
}

function showVerb(args: string[], io: CliIo): CommandResult | Promise<CommandResult> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...COMMON, raw: { type: "boolean" } },
  });
  const format = formatOf(values.format);
  if (!format) return usage(io, `unknown --format '${values.format}'`);
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0) return usage(io, "give exactly one message ID");
  return queueShowCommand({ db: values.db, format, id, raw: values.raw === true }, io);
}

function deleteVerb(
  args: string[],
  io: CliIo,
  context: ChangeContext,
): CommandResult | Promise<CommandResult> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...COMMON,
      actor: { type: "string" },
      note: { type: "string" },
      now: { type: "string" },
    },
  });
  const format = formatOf(values.format);
  if (!format) return usage(io, `unknown --format '${values.format}'`);
  if (positionals.length === 0) return usage(io, "give the ID of at least one message");
  const clock = values.now === undefined ? context.clock : clockOf(values.now);
  if (!clock) return usage(io, `--now '${values.now}' is not an ISO-8601 date-time`);
  const actor = resolveActor(values.actor, context.env);
  if (!actor) return usage(io, "--actor NAME is required (or set RULEPACK_ACTOR or USER)");
  return queueDeleteCommand(
    {
      db: values.db,
      format,
      ids: positionals,
      actor,
      ...(values.note !== undefined && { note: values.note }),
      now: clock(),
    },
    io,
  );
}

async function withStore(
  db: string,
  io: CliIo,
  use: (store: Store) => Promise<CommandResult>,
): Promise<CommandResult> {
  const store = openExistingStore(db, io);
  if (!store) return { exitCode: EXIT.failed };
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/**
 * `queue list`: one line per message in receipt order. Text: message ID,
 * received, state, type, control ID, error codes, then the count. JSON: one
 * message per line without its bytes, the count on stderr.
 */
export function queueListCommand(options: QueueListOptions, io: CliIo): Promise<CommandResult> {
  return withStore(options.db, io, async (store) => {
    const messages = await store.messages(options.filter);
    const count = `${messages.length} message${messages.length === 1 ? "" : "s"}\n`;
    if (options.format === "json") {
      for (const m of messages) io.stdout(`${JSON.stringify(listJson(m))}\n`);
      io.stderr(count);
    } else {
      for (const m of messages) io.stdout(`${listLine(m)}\n`);
      io.stdout(count);
      if (options.filter.direction === "outbound") {
        for (const line of receiverLines(await store.receiverStatuses())) io.stdout(`${line}\n`);
      }
    }
    return { exitCode: EXIT.ok };
  });
}

/** `queue show ID`: the outcome, every attempt and the raw message; `--raw` the message alone. */
export function queueShowCommand(options: QueueShowOptions, io: CliIo): Promise<CommandResult> {
  return withStore(options.db, io, async (store) => {
    const message = await store.message(options.id);
    if (!message) {
      io.stderr(`rulepack: no message ${options.id}\n`);
      return { exitCode: EXIT.failed };
    }
    const delivery = await store.deliveryEvents(message.messageId);
    if (options.raw) io.stdout(rawText(message.raw));
    else if (options.format === "json")
      io.stdout(
        `${JSON.stringify({ ...showJson(message, await store.attempts(message.messageId)), ...(delivery.length > 0 && { delivery }) })}\n`,
      );
    else {
      io.stdout(showText(message, await store.attempts(message.messageId)));
      io.stdout(deliveryStory(message, delivery));
    }
    return { exitCode: EXIT.ok };
  });
}

/**
 * `queue delete ID...`: each message to DELETED, recorded as an attempt with
 * the actor and the time. All or nothing: when one ID is unknown or its
 * state forbids it, nothing is deleted.
 */
export function queueDeleteCommand(options: QueueDeleteOptions, io: CliIo): Promise<CommandResult> {
  return withStore(options.db, io, async (store) => {
    const refusals: string[] = [];
    const states = new Map<string, QueueState>();
    for (const id of new Set(options.ids)) {
      const message = await store.message(id);
      const why = message ? UNDELETABLE[message.state] : undefined;
      if (!message) refusals.push(`no message ${id}`);
      else if (why) refusals.push(`${id} ${why}: not deleted`);
      else states.set(id, message.state);
    }
    if (refusals.length > 0) {
      for (const r of refusals) io.stderr(`rulepack: ${r}\n`);
      if (states.size > 0) io.stderr("rulepack: nothing was deleted\n");
      return { exitCode: EXIT.failed };
    }
    const at = options.now.toISOString();
    for (const [id, from] of states) {
      try {
        await store.setState(id, "DELETED", {
          kind: "delete",
          now: at,
          at,
          actor: options.actor,
          ...(options.note !== undefined && { note: options.note }),
        });
      } catch (e) {
        io.stderr(`rulepack: ${id} not deleted: ${e instanceof Error ? e.message : e}\n`);
        return { exitCode: EXIT.failed };
      }
      const done = { messageId: id, from, state: "DELETED", actor: options.actor, at };
      io.stdout(
        options.format === "json"
          ? `${JSON.stringify(done)}\n`
          : `${id} ${from} -> DELETED actor=${options.actor} at=${at}\n`,
      );
    }
    return { exitCode: EXIT.ok };
  });
}
