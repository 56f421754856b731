import { existsSync, watch } from "node:fs";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import { COVERAGE_FORMATS, type CoverageFormat } from "../testing/coverage-files.js";
import { defaultPaths } from "../testing/discover.js";
import { REPORTERS, type ReporterName } from "../testing/report.js";
import { runTests, type TestOptions } from "../testing/runner.js";
import { markPaintingIo, painter } from "./colour.js";

export interface TestCommandArgs {
  readonly paths: readonly string[];
  readonly filter?: string;
  readonly tags: readonly string[];
  readonly reporter: string;
  /** `junit=FILE`, as given. */
  readonly outputs: readonly string[];
  readonly update: boolean;
  readonly coverage: boolean;
  readonly coverageThreshold?: string;
  /** text, lcov or cobertura, as given. */
  readonly coverageFormat?: string;
  readonly coverageOutput?: string;
  /** practice or all, as given. */
  readonly coverageScope?: string;
  readonly bail: boolean;
  readonly watch: boolean;
  readonly explain: boolean;
  /** The `CI` environment variable. */
  readonly ci: string | undefined;
  /** Paint the pretty report's ✓ and ✗ (a terminal, colour.ts). */
  readonly colour?: boolean;
}

/** CI is set to anything but "", "0" or "false". */
export const isCi = (value: string | undefined): boolean =>
  value !== undefined && value !== "" && value !== "0" && value.toLowerCase() !== "false";

const isReporter = (r: string): r is ReporterName => (REPORTERS as readonly string[]).includes(r);

const isCoverageFormat = (f: string): f is CoverageFormat =>
  (COVERAGE_FORMATS as readonly string[]).includes(f);

/**
 * `rulepack test [PATH...]`: check the arguments (exit 2 on a bad one;
 * --update and --watch are refused under CI), then run the suites once, or
 * again on every change with --watch.
 */
export async function testCommand(args: TestCommandArgs, io: CliIo): Promise<CommandResult> {
  const usage = (message: string): CommandResult => {
    io.stderr(`rulepack test: ${message}\n`);
    return { exitCode: EXIT.usage };
  };
  const ci = isCi(args.ci);
  if (ci && args.update)
    return usage(
      "--update is refused when CI is set: update golden expectations locally and commit them",
    );
  if (ci && args.watch) return usage("--watch is refused when CI is set");
  if (!isReporter(args.reporter))
    return usage(`unknown --reporter '${args.reporter}' (${REPORTERS.join(", ")})`);
  const outputs: { reporter: ReporterName; file: string }[] = [];
  for (const o of args.outputs) {
    const eq = o.indexOf("=");
    const reporter = o.slice(0, eq);
    if (eq <= 0 || eq === o.length - 1 || !isReporter(reporter))
      return usage(
        `--output '${o}': write REPORTER=FILE with REPORTER one of ${REPORTERS.join(", ")}`,
      );
    outputs.push({ reporter, file: o.slice(eq + 1) });
  }
  let threshold: number | undefined;
  if (args.coverageThreshold !== undefined) {
    threshold = Number(args.coverageThreshold);
    if (!Number.isFinite(threshold) || threshold < 0 || threshold > 100)
      return usage(
        `--coverage-threshold '${args.coverageThreshold}' must be a percentage, 0 to 100`,
      );
  }
  const format = args.coverageFormat ?? "text";
  if (!isCoverageFormat(format))
    return usage(`unknown --coverage-format '${format}' (${COVERAGE_FORMATS.join(", ")})`);
  if (format !== "text" && args.coverageOutput === undefined)
    return usage(`--coverage-format ${format} needs --coverage-output FILE`);
  const scope = args.coverageScope ?? "practice";
  if (scope !== "practice" && scope !== "all")
    return usage(`unknown --coverage-scope '${scope}' (practice, all)`);
  const options: TestOptions = {
    paths: args.paths.length > 0 ? args.paths : defaultPaths(),
    ...(args.filter !== undefined && { filter: args.filter }),
    tags: args.tags,
    reporter: args.reporter,
    outputs,
    update: args.update,
    coverage: args.coverage,
    ...(threshold !== undefined && { coverageThreshold: threshold }),
    ...(args.coverageOutput !== undefined && {
      coverageOutput: args.coverageOutput,
      coverageFormat: format,
    }),
    ...(args.coverageScope !== undefined && { coverageScope: scope }),
    bail: args.bail,
    explain: args.explain,
    ci,
  };
  const shown = args.colour && args.reporter === "pretty" ? markPaintingIo(io, painter(true)) : io;
  if (!args.watch) return { exitCode: (await runTests(options, shown)).exitCode };
  return watchTests(options, shown);
}

/** Run, then run again after each change under the test paths, rules/, mappings/ or schemas/. */
async function watchTests(options: TestOptions, io: CliIo): Promise<CommandResult> {
  let exitCode = (await runTests(options, io)).exitCode;
  const roots = [...options.paths, "rules", "mappings", "schemas"].filter((p) => existsSync(p));
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const watchers = roots.map((root) =>
    watch(root, { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        running = running.then(async () => {
          io.stderr("\nrulepack test: files changed, running again\n");
          exitCode = (await runTests(options, io)).exitCode;
        });
      }, 200);
    }),
  );
  io.stderr(`rulepack test: watching ${roots.join(", ")} (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
  for (const w of watchers) w.close();
  clearTimeout(timer);
  await running;
  return { exitCode };
}
