import { readFileSync } from "node:fs";

/** What a command hands back to the CLI shell: never thrown, always returned. */
export interface CommandResult {
  readonly exitCode: number;
}

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * A CliIo over two streams. A reader that goes away (`rulepack run ... |
 * head`) makes the next write fail with EPIPE: the command finishes what it
 * is doing (every message still ends in a state) and writes nothing more to
 * that stream, instead of dying of an unhandled 'error' event. Other
 * stream errors are not ours to hide.
 */
export function streamIo(stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): CliIo {
  return { stdout: quietOnEpipe(stdout), stderr: quietOnEpipe(stderr) };
}

function quietOnEpipe(stream: NodeJS.WritableStream): (text: string) => void {
  let closed = false;
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    closed = true;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}

export const processIo: CliIo = streamIo(process.stdout, process.stderr);

export type ReadResult =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly message: string };

export function readInput(file: string): ReadResult {
  try {
    return { ok: true, bytes: readFileSync(file) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "EIO";
    return { ok: false, message: `cannot read ${file} (${code})` };
  }
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 3 } as const;
