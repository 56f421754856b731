import { type CliIo, type CommandResult, EXIT, readInput } from "../io/cli-io.js";
import type { Outcome, QueueState } from "../model/outcome.js";
import { receiveBytes } from "../queue/intake.js";
import { type Paint, painter, type Style } from "./colour.js";
import { openPractice } from "./practice.js";

/** The states a message can end a run in, for `--fail-on`. */
export const RUN_STATES: readonly QueueState[] = [
  "PROCESSED",
  "PENDING",
  "ERROR",
  "CBOERROR",
  "ATHENAERROR",
  "DELETED",
  "SCHEDULED",
  "NEW",
  "DISTRIBUTED",
];

/** `--fail-on ERROR,CBOERROR`: the states that make `run` exit 1. */
export function parseFailOn(
  text: string | undefined,
):
  | { readonly ok: true; readonly states: readonly QueueState[] }
  | { readonly ok: false; readonly message: string } {
  if (text === undefined) return { ok: true, states: [] };
  const states = text.split(",").map((s) => s.trim().toUpperCase());
  const unknown = states.filter((s) => !(RUN_STATES as readonly string[]).includes(s));
  if (unknown.length > 0 || states.length === 0) {
    return {
      ok: false,
      message: `--fail-on takes states from ${RUN_STATES.join(",")}; not '${unknown.join(",") || text}'`,
    };
  }
  return { ok: true, states: states as QueueState[] };
}

export interface RunOptions {
  readonly pack: string;
  readonly db: string;
  readonly now: Date;
  readonly format: "json" | "text";
  readonly explain: boolean;
  /** Text format only: show patient data (names, actions' records). Off by default. */
  readonly showData: boolean;
  readonly files: readonly string[];
  /** Exit 1 when any message ends in one of these states. */
  readonly failOn?: readonly QueueState[];
  /** Draw a progress line on stderr (a terminal) once the input holds many messages. */
  readonly progress: boolean;
  /** Colour the text format's states. */
  readonly colour?: boolean;
}

/** Inputs holding at least this many messages get a progress line. */
export const PROGRESS_FROM_MESSAGES = 200;

/**
 * `rulepack run`: every message of every file through the pack into the
 * store, results in input order. JSON: one Outcome per line. Text: one line
 * per message without patient data, then counts per state.
 */
export async function runCommand(options: RunOptions, io: CliIo): Promise<CommandResult> {
  // Every input is read before the store opens: a mistyped file name is a
  // usage error that leaves no store (and no half-run) behind.
  const inputs: { readonly file: string; readonly bytes: Uint8Array }[] = [];
  let unreadable = false;
  for (const file of options.files) {
    const input = readInput(file);
    if (input.ok) inputs.push({ file, bytes: input.bytes });
    else {
      io.stderr(`rulepack: ${input.message}\n`);
      unreadable = true;
    }
  }
  if (unreadable) return { exitCode: EXIT.usage };
  const opened = await openPractice(options.pack, options.db, io, { existing: false });
  if (!opened.ok) return { exitCode: opened.exitCode };
  const { pack, store } = opened;
  const paint = painter(options.colour === true && options.format === "text");
  const total = inputs.reduce((n, input) => n + countMessages(input.bytes), 0);
  const progress = options.progress && total >= PROGRESS_FROM_MESSAGES;
  let stored = 0;
  try {
    const counts = new Map<QueueState, number>();
    for (const { file, bytes } of inputs) {
      const outcomes = await receiveBytes(pack, store, bytes, {
        now: options.now,
        sender: `file:${file}`,
        trace: options.explain,
        detectDuplicates: true,
        ...(progress && {
          onStored: () => {
            stored += 1;
            if (stored % 50 === 0) io.stderr(progressLine(stored, total));
          },
        }),
      });
      for (const outcome of outcomes) {
        counts.set(outcome.state, (counts.get(outcome.state) ?? 0) + 1);
        io.stdout(
          options.format === "json"
            ? `${JSON.stringify(outcome)}\n`
            : textLine(outcome, file, options, paint),
        );
      }
    }
    if (progress) io.stderr(`${progressLine(total, total)}\n`);
    const summary = [...counts].map(([state, n]) => paint(styleOf(state), `${n} ${state}`));
    (options.format === "json" ? io.stderr : io.stdout)(`${summary.join(", ") || "no messages"}\n`);
    const failed = (options.failOn ?? []).filter((state) => counts.has(state));
    if (failed.length > 0) {
      io.stderr(`rulepack: --fail-on: ${failed.map((s) => `${counts.get(s)} ${s}`).join(", ")}\n`);
      return { exitCode: EXIT.failed };
    }
    return { exitCode: EXIT.ok };
  } finally {
    await store.close();
  }
}

function styleOf(state: QueueState): Style {
  if (state === "PROCESSED") return "green";
  if (state === "ERROR" || state === "CBOERROR" || state === "ATHENAERROR") return "red";
  if (state === "DELETED") return "dim";
  return "yellow";
}

/** Messages in an input, for the progress line's total: MSH segments at a segment start. */
export function countMessages(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i + 3 < bytes.length; i++) {
    const start =
      i === 0 || bytes[i - 1] === 0x0d || bytes[i - 1] === 0x0a || bytes[i - 1] === 0x0b;
    if (start && bytes[i] === 0x4d && bytes[i + 1] === 0x53 && bytes[i + 2] === 0x48) n++;
  }
  return n;
}

/** `\r1,200/2,000 messages`: overwritten in place on the terminal. */
export function progressLine(done: number, total: number): string {
  return `\r${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} messages`;
}

function textLine(outcome: Outcome, file: string, options: RunOptions, paint: Paint): string {
  const actions = outcome.actions.map((a) => a.type).join(",") || "-";
  const errors =
    outcome.errors.map((e) => (e.field ? `${e.code}(${e.field})` : e.code)).join(",") || "-";
  let line = `${outcome.messageId} ${outcome.controlId || "-"} ${outcome.messageType || "-"} ${paint(styleOf(outcome.state), outcome.state)} actions=${actions} errors=${errors} file=${file}\n`;
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
