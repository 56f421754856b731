import { main } from "../../engine/cli.js";

/** What the shell sees of one `rulepack` command: exit status and both streams. */
export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `rulepack ARGS` in this process: the CLI's own `main(argv, io)`, the
 * entry the bin runs, with its output captured. `env` is set for the call
 * only (undefined removes a variable), as a child's environment would be.
 * Tests that must see the process itself (signals, the bin's exit code, a
 * closed pipe, several writers at once) spawn node instead.
 */
export async function rulepack(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const saved = Object.keys(env).map((name) => [name, process.env[name]] as const);
  const set = (name: string, value: string | undefined) => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  for (const [name, value] of Object.entries(env)) set(name, value);
  try {
    const status = await main([...args], {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
    });
    return { status, stdout, stderr };
  } finally {
    for (const [name, value] of saved) set(name, value);
  }
}
