import { closest } from "../documents/suggest.js";
import type { CommandSpec } from "./command-specs.js";
import { practiceOptions } from "./practice-args.js";

/**
 * parseArgs' own message for a bad argument, with the nearest flag the
 * command knows when an unknown one looks like a typo of it.
 */
export function unknownFlagMessage(error: TypeError, spec: CommandSpec): string {
  const code = (error as TypeError & { code?: string }).code;
  const flag = /Unknown option '(--?[^']+)'/.exec(error.message)?.[1];
  if (code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION" || flag === undefined) return error.message;
  const near = closest(
    flag.replace(/^--?/, ""),
    [...spec.options, ...practiceOptions(spec)].map((o) => o.name),
  );
  return `unknown option '${flag}' for ${spec.name}${near ? ` (did you mean '--${near}'?)` : ""}`;
}
