import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { diffPacks, type PackDiff, type ReplayInput } from "../diff/diff.js";
import { compareWithApproved } from "../diff/expect.js";
import { packAtRef } from "../diff/git-ref.js";
import { fileInputs, isEventJson } from "../diff/inputs.js";
import { htmlReport } from "../diff/report-html.js";
import { summaryLine, textReport } from "../diff/report-text.js";
import { queueInputs } from "../diff/stores.js";
import { formatPackError } from "../documents/errors.js";
import { type CliIo, type CommandResult, EXIT, readInput } from "../io/cli-io.js";
import { loadEvent, type PracticeEvent } from "../outbound/events.js";
import { usageError } from "./args.js";
import { loadPracticePack } from "./practice.js";
import { parseSince } from "./queue-command.js";

export const DIFF_USAGE =
  "rulepack diff --pack NEW (--against OLD | --against-ref GIT_REF) (--from-queue DB [--since DATE] [--type T] | FILE... [--now ISO-8601]) [--snapshot DB] [--format text|json] [--html FILE] [--fail-on-change] [--expect FILE]";

/**
 * `rulepack diff`: what a pack change does to messages already received.
 * The report (stdout, `--html`) holds the messages' data because the user
 * asked for it; stderr gets counts and control IDs only. Exit 0; 1 when
 * `--fail-on-change` and anything changed, or the diff is not the
 * `--expect`ed one; 2 a usage fault or a pack that does not load.
 */
export async function diffCommand(args: string[], io: CliIo): Promise<CommandResult> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      pack: { type: "string" },
      against: { type: "string" },
      "against-ref": { type: "string" },
      "from-queue": { type: "string" },
      since: { type: "string" },
      type: { type: "string" },
      snapshot: { type: "string" },
      now: { type: "string" },
      format: { type: "string", default: "text" },
      html: { type: "string" },
      "fail-on-change": { type: "boolean" },
      expect: { type: "string" },
    },
  });
  const usage = (message: string) => usageError(io, DIFF_USAGE, message);
  if (!values.pack) return usage("--pack is required");
  const ref = values["against-ref"];
  if ((values.against === undefined) === (ref === undefined))
    return usage("give one of --against OLD and --against-ref GIT_REF");
  const queue = values["from-queue"];
  if ((queue === undefined) === (positionals.length === 0))
    return usage("give --from-queue DB or FILE..., not both");
  if (queue === undefined && (values.since !== undefined || values.type !== undefined))
    return usage("--since and --type filter --from-queue");
  if (queue !== undefined && values.now !== undefined)
    return usage("--now is for FILE...: queued messages keep their recorded clock");
  if (values.format !== "text" && values.format !== "json")
    return usage(`unknown --format '${values.format}'`);
  const since = values.since === undefined ? undefined : parseSince(values.since);
  if (values.since !== undefined && since === undefined)
    return usage(`--since '${values.since}' is not a date (YYYY-MM-DD) or ISO-8601 date-time`);
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime()))
    return usage(`--now '${values.now}' is not an ISO-8601 date-time`);
  for (const [flag, file] of [
    ["--from-queue", queue],
    ["--snapshot", values.snapshot],
  ] as const) {
    if (file !== undefined && !existsSync(file)) {
      io.stderr(`rulepack: ${flag}: no store at ${file}\n`);
      return { exitCode: EXIT.failed };
    }
  }

  const next = loadPracticePack(values.pack, io);
  if (!next.ok) return { exitCode: next.exitCode };
  const oldFile =
    ref === undefined
      ? { ok: true as const, pack: values.against as string, dispose: () => {} }
      : packAtRef(values.pack, ref);
  if (!oldFile.ok) {
    io.stderr(`rulepack: ${oldFile.code}: ${oldFile.message}\n`);
    return { exitCode: EXIT.failed };
  }
  let diff: PackDiff;
  try {
    const old = loadPracticePack(oldFile.pack, io);
    if (!old.ok) return { exitCode: old.exitCode };
    let inputs: ReplayInput[];
    if (queue !== undefined) {
      inputs = await queueInputs(queue, {
        ...(since !== undefined && { since }),
        ...(values.type !== undefined && { type: values.type }),
      });
    } else {
      const files: { path: string; bytes: Uint8Array; event?: PracticeEvent }[] = [];
      for (const path of positionals) {
        const input = readInput(path);
        if (!input.ok) {
          io.stderr(`${input.message}\n`);
          return { exitCode: EXIT.usage };
        }
        if (!isEventJson(input.bytes)) {
          files.push({ path, bytes: input.bytes });
          continue;
        }
        const read = loadEvent(path, new TextDecoder().decode(input.bytes));
        if (!read.ok) {
          for (const e of read.errors) io.stderr(`${formatPackError(e)}\n`);
          return { exitCode: EXIT.usage };
        }
        files.push({ path, bytes: input.bytes, event: read.event });
      }
      inputs = fileInputs(files, now);
    }
    diff = await diffPacks(old, next, inputs, {
      ...(values.snapshot !== undefined && { snapshot: values.snapshot }),
    });
  } finally {
    oldFile.dispose();
  }

  io.stdout(values.format === "json" ? `${JSON.stringify(diff, null, 2)}\n` : textReport(diff));
  if (values.html !== undefined) {
    const title = `rulepack diff: ${values.pack} against ${ref ?? values.against}`;
    writeFileSync(values.html, htmlReport(diff, title));
  }
  if (values.format === "json" || values.html !== undefined)
    io.stderr(`${summaryLine(diff.summary)}\n`);
  let exitCode: number = EXIT.ok;
  if (values["fail-on-change"] && diff.changes.length > 0) exitCode = EXIT.failed;
  if (values.expect !== undefined) {
    const text = existsSync(values.expect) ? readFileSync(values.expect, "utf8") : undefined;
    const result =
      text === undefined
        ? {
            ok: false as const,
            code: "EXPECT_UNREADABLE" as const,
            message: `${values.expect}: no such file`,
          }
        : compareWithApproved(diff, text, values.expect);
    if (!result.ok) {
      exitCode = EXIT.failed;
      if (result.code === "EXPECT_UNREADABLE")
        io.stderr(`rulepack: ${result.code}: ${result.message}\n`);
      else {
        io.stderr(
          `rulepack: ${result.code}: the diff is not the one approved in ${values.expect}\n`,
        );
        for (const d of result.differences) io.stderr(`  ${d}\n`);
      }
    }
  }
  return { exitCode };
}
