import { spawn } from "node:child_process";
import type { Alert } from "../queue/alerts.js";

/**
 * Hand one alert to the pack's `queue.alerts.command`: the program runs
 * without a shell, reads the alert as JSON on stdin, and is killed when it
 * overruns. Whatever it does, the listener goes on: the result is a value
 * to log, never an exception.
 */

export const ALERT_COMMAND_TIMEOUT_MS = 10_000;

export type AlertCommandResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string };

export function runAlertCommand(
  command: readonly string[],
  alert: Alert,
  timeoutMs = ALERT_COMMAND_TIMEOUT_MS,
): Promise<AlertCommandResult> {
  const [program, ...args] = command;
  if (program === undefined) return Promise.resolve({ ok: false, reason: "empty command" });
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: AlertCommandResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const child = spawn(program, args, { shell: false, stdio: ["pipe", "ignore", "ignore"] });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      settle({ ok: false, reason: `timed out after ${timeoutMs} ms` });
    }, timeoutMs);
    timer.unref();
    child.on("error", (e) =>
      settle({ ok: false, reason: (e as NodeJS.ErrnoException).code ?? e.name }),
    );
    child.on("exit", (code, signal) =>
      settle(code === 0 ? { ok: true } : { ok: false, reason: `exit ${code ?? signal}` }),
    );
    // A program that exits without reading its stdin makes the write fail with EPIPE.
    child.stdin.on("error", () => {});
    child.stdin.end(`${JSON.stringify(alert)}\n`);
  });
}
