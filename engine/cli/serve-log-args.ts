import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from "../io/logger.js";

/** How `rulepack serve` logs: `--log-format json|pretty` (pretty), `--log-level` (info). */
export interface ServeLogOptions {
  readonly format: LogFormat;
  readonly level: LogLevel;
}

/** `--log-format` and `--log-level` checked: the options, or the usage error. */
export function serveLogArgs(values: {
  readonly "log-format"?: string;
  readonly "log-level"?: string;
}): { readonly log: ServeLogOptions } | { readonly error: string } {
  const format = values["log-format"] ?? "pretty";
  const level = values["log-level"] ?? "info";
  if (!(LOG_FORMATS as readonly string[]).includes(format))
    return { error: `--log-format '${format}': expected ${LOG_FORMATS.join(" or ")}` };
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    return { error: `--log-level '${level}': expected ${LOG_LEVELS.join(", ")}` };
  return { log: { format: format as LogFormat, level: level as LogLevel } };
}
