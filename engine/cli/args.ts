import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";

/** Argument readings several commands share. */

export function usageError(io: CliIo, usage: string, message: string): CommandResult {
  io.stderr(`rulepack: ${message}\nusage: ${usage}\n`);
  return { exitCode: EXIT.usage };
}

/** `--now` fixes every attempt's clock; without it each attempt reads the time when it starts. */
export function clockOf(now: string | undefined): (() => Date) | undefined {
  if (now === undefined) return () => new Date();
  const fixed = new Date(now);
  return Number.isNaN(fixed.getTime()) ? undefined : () => fixed;
}

/** `CODE` or `CODE:VALUE` (the value may hold colons), as `--code` and `--blocked-on` take it. */
export function parseCodeFilter(
  text: string,
): { readonly code: string; readonly value?: string } | undefined {
  const colon = text.indexOf(":");
  const code = colon < 0 ? text : text.slice(0, colon);
  if (!/^[A-Z][A-Z0-9_]*$/.test(code)) return undefined;
  return colon < 0 ? { code } : { code, value: text.slice(colon + 1) };
}

/** Who changes something: `--actor`, else $RULEPACK_ACTOR, else $USER; never nobody. */
export function resolveActor(
  given: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const actor = (given ?? env.RULEPACK_ACTOR ?? env.USER)?.trim();
  return actor ? actor : undefined;
}
