import { type ChildProcess, spawn } from "node:child_process";

/** Node's arguments that run the CLI from its TypeScript source in a child process. */
export const CLI = ["--import", "tsx", "engine/cli.ts"];

/**
 * The child's exit code once it exits; after `ms` it is killed and the
 * promise rejects naming `what` did not exit.
 */
export function exited(child: ChildProcess, ms: number, what: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${what} did not exit`));
    }, ms);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** A CLI child process started by `startCliChild`, ready on `port`. */
export interface CliChild {
  readonly child: ChildProcess;
  /** The exit code (see `exited`). */
  readonly exit: Promise<number | null>;
  /** The port in the first `ready` line. */
  readonly port: number;
  /** What the child wrote to stderr so far. */
  stderr(): string;
}

/**
 * Runs the CLI with `args` in a child process and resolves once its stdout
 * matches `ready` (whose first group is the port); `what` and `ms` as in
 * `exited`.
 */
export async function startCliChild(
  args: readonly string[],
  options: { readonly what: string; readonly ms: number; readonly ready: RegExp },
): Promise<CliChild> {
  const child = spawn(process.execPath, [...CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const exit = exited(child, options.ms, options.what);
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += String(d);
  });
  const port = await new Promise<number>((resolve) => {
    child.stdout?.on("data", (d) => {
      stdout += String(d);
      const m = options.ready.exec(stdout);
      if (m) resolve(Number(m[1]));
    });
  });
  return { child, exit, port, stderr: () => stderr };
}
