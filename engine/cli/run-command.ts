import { type CliIo, type CommandResult, EXIT, readInput } from "../io/cli-io.js";
import type { Outcome, QueueState } from "../model/outcome.js";
import { receiveBytes } from "../queue/intake.js";
import { openPractice } from "./practice.js";

export interface RunOptions {
  readonly pack: string;
  readonly db: string;
  readonly now: Date;
  readonly format: "json" | "text";
  readonly explain: boolean;
  /** Text format only: show patient data (names, actions' records). Off by default. */
  readonly showData: boolean;
  readonly files: readonly string[];
  /** Draw a progress bar on stderr (a terminal and a long run). */
  readonly progress: boolean;
}

/**
 * `rulepack run`: every message of every file through the pack into the
 * store, results in input order. JSON: one Outcome per line. Text: one line
 * per message without patient data, then counts per state.
 */
export async function runCommand(options: RunOptions, io: CliIo): Promise<CommandResult> {
  const opened = await openPractice(options.pack, options.db, io, { existing: false });
  if (!opened.ok) return { exitCode: opened.exitCode };
  const { pack, store } = opened;
  try {
    const counts = new Map<QueueState, number>();
    let exitCode: number = EXIT.ok;
    for (const [i, file] of options.files.entries()) {
      const input = readInput(file);
      if (!input.ok) {
        io.stderr(`${input.message}\n`);
        exitCode = EXIT.usage;
        continue;
      }
      const outcomes = await receiveBytes(pack, store, input.bytes, {
        now: options.now,
        sender: `file:${file}`,
        trace: options.explain,
        detectDuplicates: true,
      });
      for (const outcome of outcomes) {
        counts.set(outcome.state, (counts.get(outcome.state) ?? 0) + 1);
        io.stdout(
          options.format === "json"
            ? `${JSON.stringify(outcome)}\n`
            : textLine(outcome, file, options),
        );
      }
      if (options.progress) io.stderr(progressBar(i + 1, options.files.length));
    }
    if (options.progress) io.stderr("\n");
    const summary = [...counts].map(([state, n]) => `${n} ${state}`).join(", ");
    (options.format === "json" ? io.stderr : io.stdout)(`${summary || "no messages"}\n`);
    return { exitCode };
  } finally {
    await store.close();
  }
}

function textLine(outcome: Outcome, file: string, options: RunOptions): string {
  const actions = outcome.actions.map((a) => a.type).join(",") || "-";
  const errors =
    outcome.errors.map((e) => (e.field ? `${e.code}(${e.field})` : e.code)).join(",") || "-";
  let line = `${outcome.messageId} ${outcome.controlId || "-"} ${outcome.messageType || "-"} ${outcome.state} actions=${actions} errors=${errors} file=${file}\n`;
  if (options.showData) {
    for (const e of outcome.errors) line += `    ${e.code}: ${e.message}\n`;
    for (const a of outcome.actions) line += `    ${JSON.stringify(a)}\n`;
  }
  if (options.explain) {
    for (const t of outcome.trace) {
      line += `    [${t.step}] ${[t.rule, t.at, t.ref, t.table, t.row, t.detail].filter(Boolean).join(" ")}${t.score ? ` ${JSON.stringify(t.score)}` : ""}\n`;
    }
  }
  return line;
}

function progressBar(done: number, total: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  return `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} files`;
}
