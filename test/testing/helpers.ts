import type { CliIo } from "../../engine/io/cli-io.js";
import { runTests, type TestOptions } from "../../engine/testing/runner.js";

/** The runner's fixtures: a fixture pack, broken files, failing expectations, an `only`, a golden file. */
export const FIXTURES = "test/fixtures/rule-tests";

export interface Captured extends CliIo {
  readonly out: () => string;
  readonly err: () => string;
}

export function captureIo(): Captured {
  let out = "";
  let err = "";
  return {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    out: () => out,
    err: () => err,
  };
}

export const DEFAULTS: TestOptions = {
  paths: [],
  tags: [],
  reporter: "pretty",
  outputs: [],
  update: false,
  coverage: false,
  bail: false,
  explain: false,
  ci: false,
};

/** Run the runner in-process on `paths` with options; the exit code, stdout, stderr and report. */
export async function run(paths: string[], options: Partial<TestOptions> = {}) {
  const io = captureIo();
  const result = await runTests({ ...DEFAULTS, ...options, paths }, io);
  return { ...result, out: io.out(), err: io.err() };
}
