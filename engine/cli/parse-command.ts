import { parseHl7, serializeDocument } from "../hl7/index.js";
import type { Hl7Document } from "../hl7/tree.js";
import { type CliIo, type CommandResult, EXIT, readInput } from "../io/cli-io.js";

export type ParseFormat = "json" | "hl7";

export interface ParseCommandOptions {
  readonly files: readonly string[];
  readonly format: ParseFormat;
  readonly pretty: boolean;
}

/**
 * `rulepack parse FILE... [--format json|hl7]`: each file's document as one
 * JSON line (indented with --pretty), or serialized back to HL7. Parse issues
 * go to stderr as `FILE:LINE: CODE message`; exit 1 when any is an error.
 */
export function parseCommand(options: ParseCommandOptions, io: CliIo): CommandResult {
  let exitCode: number = EXIT.ok;
  for (const file of options.files) {
    const input = readInput(file);
    if (!input.ok) {
      io.stderr(`${input.message}\n`);
      exitCode = EXIT.usage;
      continue;
    }
    const doc = parseHl7(input.bytes);
    for (const issue of doc.issues) {
      io.stderr(`${file}:${issue.line}: ${issue.code} ${issue.message}\n`);
      if (issue.severity === "error" && exitCode === EXIT.ok) exitCode = EXIT.failed;
    }
    io.stdout(render(file, doc, options));
  }
  return { exitCode };
}

function render(file: string, doc: Hl7Document, options: ParseCommandOptions): string {
  if (options.format === "hl7") return serializeDocument(doc);
  const json = JSON.stringify({ file, ...doc }, null, options.pretty ? 2 : undefined);
  return `${json}\n`;
}
