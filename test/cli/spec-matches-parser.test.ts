import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMMAND_SPECS } from "../../engine/cli/command-specs.js";

/**
 * The help table (engine/cli/command-specs.ts) lists exactly the options
 * each command's parseArgs accepts (decision 0021): read from the source,
 * since the commands keep their parseArgs option objects to themselves.
 */

const OPTION = /"?([a-z][a-z-]*)"?: \{ type: "(?:string|boolean)"/g;

function optionsIn(text: string): Set<string> {
  return new Set([...text.matchAll(OPTION)].map((m) => m[1] as string));
}

/** The command's block in engine/cli.ts's COMMANDS, for the commands parsed there. */
function inlineBlock(name: string): string | undefined {
  const cli = readFileSync("engine/cli.ts", "utf8");
  const start = cli.indexOf(`\n  ${name}: {`);
  if (start < 0) return undefined;
  const next = cli.slice(start + 1).search(/\n {2}[a-z]+: \{/);
  return next < 0 ? cli.slice(start) : cli.slice(start, start + 1 + next);
}

function parsedOptions(name: string): Set<string> {
  const block = inlineBlock(name) ?? "";
  if (/parseArgs\(/.test(block)) return optionsIn(block);
  const own = readFileSync(`engine/cli/${name}-command.ts`, "utf8");
  const found = optionsIn(own);
  if (own.includes("QUEUE_CHANGE_OPTIONS") && name !== "reprocess") {
    // The queue-changing options reprocess-command.ts shares.
    const shared = readFileSync("engine/cli/reprocess-command.ts", "utf8");
    const block = shared.slice(
      shared.indexOf("QUEUE_CHANGE_OPTIONS = {"),
      shared.indexOf("} as const"),
    );
    for (const o of optionsIn(block)) found.add(o);
  }
  return found;
}

describe("the command specs", () => {
  it.each(COMMAND_SPECS.map((s) => [s.name, s] as const))(
    "%s: the help's options are the parser's options",
    (name, spec) => {
      expect(new Set(spec.options.map((o) => o.name))).toEqual(parsedOptions(name));
    },
  );
});
