import type { ChildProcess } from "node:child_process";

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
