/**
 * Structured logs for the long-running commands (`rulepack serve`): each
 * entry has a time, a level, an event name, a message, and fields that are
 * identifiers and counts (message ID, control ID, type, state, codes),
 * never patient data (docs/decisions/0033). `json` writes one object per
 * line for a log shipper; `pretty` writes the human line the listener has
 * always written (`rulepack serve: connection=1 opened`), time left to the
 * journal. Entries below the level are dropped.
 *
 * Code that logged through a `log(line)` function keeps doing so:
 * `logger.line` takes the old `event key=value ...` text and files its
 * words as the event and its `key=value` pairs as fields.
 */

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ["json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Identifiers and counts only: a value that could be patient data has no place here. */
export type LogValue = string | number | boolean;
export type LogFields = Readonly<Record<string, LogValue | undefined>>;

/** One entry as `json` writes it (fields beside these keys). */
export interface LogEntry {
  readonly time: string;
  readonly level: LogLevel;
  readonly event: string;
  readonly message: string;
  readonly [field: string]: LogValue;
}

export interface Logger {
  debug(event: string, fields?: LogFields, message?: string): void;
  info(event: string, fields?: LogFields, message?: string): void;
  warn(event: string, fields?: LogFields, message?: string): void;
  error(event: string, fields?: LogFields, message?: string): void;
  /** The `log(line)` shape the server's modules take: see `parseLogLine`. */
  readonly line: (line: string) => void;
}

export interface LoggerOptions {
  readonly format: LogFormat;
  /** The lowest level written. */
  readonly level: LogLevel;
  /** Where each entry goes, newline included (stderr). */
  readonly write: (text: string) => void;
  /** The time of an entry (the CLI passes the wall clock; tests a fixed one). */
  readonly clock: () => Date;
  /** The `pretty` prefix: `rulepack serve`. */
  readonly name: string;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(options: LoggerOptions): Logger {
  const min = RANK[options.level];
  const emit = (level: LogLevel, event: string, fields: LogFields = {}, message?: string) => {
    if (RANK[level] < min) return;
    const text = message ?? formatFields(event, fields);
    if (options.format === "pretty") {
      options.write(`${options.name}: ${text}\n`);
      return;
    }
    const entry: Record<string, LogValue> = {
      time: options.clock().toISOString(),
      level,
      event,
      message: text,
    };
    for (const [key, value] of Object.entries(fields))
      if (value !== undefined && !(key in entry)) entry[key] = value;
    options.write(`${JSON.stringify(entry)}\n`);
  };
  return {
    debug: (event, fields, message) => emit("debug", event, fields, message),
    info: (event, fields, message) => emit("info", event, fields, message),
    warn: (event, fields, message) => emit("warn", event, fields, message),
    error: (event, fields, message) => emit("error", event, fields, message),
    line: (line) => {
      const parsed = parseLogLine(line);
      emit(parsed.level, parsed.event, parsed.fields, line);
    },
  };
}

/** `connection.opened connection=1`: the message of an entry logged without one. */
function formatFields(event: string, fields: LogFields): string {
  const pairs = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  return [event, ...pairs].join(" ");
}

const PAIR = /^([A-Za-z][\w.]*)=(\S*)$/;
const WORD = /^[a-z]+:?$/;
/** Fields whose digits are text (a control ID `0042` keeps its zeros). */
const TEXT_FIELDS = new Set(["controlId", "messageId", "pack", "sender", "errors", "ack"]);
/** Events that only trace a connection's life: debug. */
const DEBUG_EVENTS = new Set(["connection.opened", "connection.closed"]);

/**
 * An old `log(line)` text as an entry: leading `key=value` pairs and the
 * lower-case words after them name the event (`connection=1 idle timeout`
 * is `connection.idle.timeout`; a word ending in `:` ends it); every
 * `key=value` is a field; a line with no words but a `messageId` is
 * `message`. The level follows the words: `failed`, `error` are error;
 * `alert`, `refused`, `cannot`, `timeout`, a reload's report are warn;
 * a connection opening or closing is debug; the rest info.
 */
export function parseLogLine(line: string): {
  readonly level: LogLevel;
  readonly event: string;
  readonly fields: LogFields;
} {
  const tokens = line.split(/\s+/).filter((t) => t !== "");
  const fields: Record<string, LogValue> = {};
  const words: string[] = [];
  let subject: string | undefined;
  let i = 0;
  for (; i < tokens.length; i++) {
    const pair = PAIR.exec(tokens[i] as string);
    if (!pair) break;
    subject ??= pair[1];
  }
  for (; i < tokens.length && words.length < 4; i++) {
    const token = tokens[i] as string;
    if (!WORD.test(token)) break;
    words.push(token.replace(/:$/, ""));
    if (token.endsWith(":")) break;
  }
  for (const token of tokens) {
    const pair = PAIR.exec(token);
    if (!pair) continue;
    const [, key, value] = pair as unknown as [string, string, string];
    if (key in fields) continue;
    fields[key] = /^\d{1,15}$/.test(value) && !TEXT_FIELDS.has(key) ? Number(value) : value;
  }
  const named = words.length > 0 ? words : fields.messageId !== undefined ? ["message"] : ["log"];
  const event = (subject && words.length > 0 ? [subject, ...named] : named).join(".");
  return { level: levelOf(event, line), event, fields };
}

function levelOf(event: string, line: string): LogLevel {
  const parts = event.split(".");
  if (DEBUG_EVENTS.has(event)) return "debug";
  if (parts.includes("failed") || parts.includes("error")) return "error";
  if (
    parts[0] === "alert" ||
    parts.includes("refused") ||
    parts.includes("timeout") ||
    parts.includes("reload") ||
    /\bcannot\b/.test(line)
  )
    return "warn";
  return "info";
}
