import { readFileSync } from "node:fs";

/** What a command hands back to the CLI shell: never thrown, always returned. */
export interface CommandResult {
  readonly exitCode: number;
}

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

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
