import { writeFileSync } from "node:fs";
import type { CliIo } from "../io/cli-io.js";
import { Coverage, type CoverageScope, formatCoverage } from "./coverage.js";
import { type CoverageFormat, coberturaReport, lcovReport } from "./coverage-files.js";
import { discoverTestFiles } from "./discover.js";
import { explainOutcome } from "./explain.js";
import { loadTestFile } from "./load.js";
import { formatProblem, type LoadedCase, type LoadedSuite } from "./model.js";
import { PackCache } from "./packs.js";
import {
  countResults,
  type FileReport,
  MACHINE_FORMATS,
  type ReporterName,
  type RunReport,
  summaryLine,
} from "./report.js";
import { githubReport } from "./reporters/github.js";
import { jsonReport } from "./reporters/json.js";
import { junitReport } from "./reporters/junit.js";
import { prettyReport } from "./reporters/pretty.js";
import { tapReport } from "./reporters/tap.js";
import { type CaseResult, type Failure, runCase } from "./run.js";
import { updateFile } from "./update.js";

/**
 * `rulepack test`: discover the suites, select the cases (filter, tags,
 * only, skip), run them, then report, update and measure coverage. Exit
 * codes: 0 all passed; 1 a failure, no tests, a committed `only` under CI,
 * or coverage below the threshold; 2 an invalid test file or pack (and
 * usage errors); 3 an internal error.
 */
export interface TestOptions {
  readonly paths: readonly string[];
  /** Substring of `FILE > case name` (case-insensitive). */
  readonly filter?: string;
  /** Run cases with any of these tags. */
  readonly tags: readonly string[];
  readonly reporter: ReporterName;
  /** More reports written to files: `--output junit=FILE`. */
  readonly outputs: readonly { readonly reporter: ReporterName; readonly file: string }[];
  readonly update: boolean;
  readonly coverage: boolean;
  /** Percent (0-100) of the pack's items; implies coverage. */
  readonly coverageThreshold?: number;
  /** Write the coverage to this file (implies coverage), as `coverageFormat` says. */
  readonly coverageOutput?: string;
  /** text (the default), lcov or cobertura. */
  readonly coverageFormat?: CoverageFormat;
  /** practice (the default): what the practice's own files set; all: base.yaml and standard rows too. Implies coverage. */
  readonly coverageScope?: CoverageScope;
  readonly bail: boolean;
  readonly explain: boolean;
  /** `CI` is set: `only` fails the run. */
  readonly ci: boolean;
}

export const EXIT_CODES = { ok: 0, failed: 1, invalid: 2, internal: 3 } as const;

export interface TestRun {
  readonly exitCode: number;
  readonly report: RunReport;
}

/** A loaded file and the cases selected from it. */
export interface Selection {
  readonly file: string;
  readonly suite?: LoadedSuite;
  readonly invalid?: FileReport["invalid"];
  readonly warnings: FileReport["warnings"];
  readonly cases: readonly { readonly testCase: LoadedCase; readonly run: boolean }[];
}

/** Load the files and choose the cases; `only` under CI is a run problem and selects nothing away. */
export function selectCases(
  files: readonly string[],
  options: Pick<TestOptions, "filter" | "tags" | "ci">,
): { selections: Selection[]; problems: string[] } {
  const problems: string[] = [];
  const loaded = files.map((file) => loadTestFile(file));
  const onlyCases = loaded.flatMap((l) =>
    l.ok ? l.suite.cases.filter((c) => c.only).map((c) => `${l.suite.file}:${c.line}`) : [],
  );
  // Under CI every case runs and each committed `only` fails (see onlyUnderCi).
  const onlyMode = onlyCases.length > 0 && !options.ci;
  const filter = options.filter?.toLowerCase();
  const selections = loaded.map((l): Selection => {
    if (!l.ok) return { file: l.file, invalid: l.errors, warnings: l.warnings, cases: [] };
    const cases = l.suite.cases
      .filter((c) => !filter || `${l.suite.file} > ${c.name}`.toLowerCase().includes(filter))
      .filter((c) => options.tags.length === 0 || c.tags.some((t) => options.tags.includes(t)))
      .map((c) => ({ testCase: c, run: !onlyMode || c.only }));
    return { file: l.suite.file, suite: l.suite, warnings: l.warnings, cases };
  });
  return { selections, problems };
}

export async function runTests(options: TestOptions, io: CliIo): Promise<TestRun> {
  const started = performance.now();
  const discovery = discoverTestFiles(options.paths);
  if (!discovery.ok) {
    io.stderr(`rulepack test: no such file or folder: ${discovery.missing.join(", ")}\n`);
    return { exitCode: EXIT_CODES.invalid, report: emptyReport() };
  }
  let { selections, problems } = selectCases(discovery.files, options);
  let files = await runSelections(selections, options, new PackCache(), io);

  if (options.update) {
    let any = false;
    for (const f of files) {
      const failing = f.results.filter((r) => r.status === "failed");
      if (failing.length === 0) continue;
      const result = updateFile(f.file, failing);
      if (result.updated.length > 0) {
        any = true;
        io.stderr(`rulepack test: updated ${result.updated.length} case(s) in ${f.file}\n`);
      }
      for (const name of result.manual)
        io.stderr(`rulepack test: ${f.file} > ${name}: assert:/store: failures need a person\n`);
    }
    if (any) {
      // Run again what was written, so the report is of the file as it now is.
      ({ selections, problems } = selectCases(discovery.files, options));
      files = await runSelections(selections, options, new PackCache(), io);
    }
  }

  const counts = countResults(files);
  let coverage: RunReport["coverage"];
  if (
    options.coverage ||
    options.coverageThreshold !== undefined ||
    options.coverageOutput !== undefined ||
    options.coverageScope !== undefined
  ) {
    const c = new Coverage(options.coverageScope);
    for (const f of files) for (const r of f.results) c.add(r);
    coverage = c.report();
    if (options.coverageOutput !== undefined) {
      const format = options.coverageFormat ?? "text";
      const write = { text: formatCoverage, lcov: lcovReport, cobertura: coberturaReport }[format];
      writeFileSync(options.coverageOutput, write(coverage));
    }
    if (options.coverageThreshold !== undefined && coverage.percent < options.coverageThreshold) {
      problems.push(
        `coverage ${coverage.percent}% is below the threshold ${options.coverageThreshold}%`,
      );
    }
  }
  const selected = files.reduce((n, f) => n + f.results.length + (f.invalid ? 1 : 0), 0);
  if (selected === 0) {
    problems.push(
      `no tests found in ${options.paths.join(", ") || "the default paths"}${options.filter || options.tags.length ? " (after --filter/--tag)" : ""}`,
    );
  }
  const report: RunReport = {
    files,
    counts,
    ...(coverage && { coverage }),
    runProblems: problems,
    durationMs: Math.round(performance.now() - started),
  };

  const render = (reporter: ReporterName): string => {
    switch (reporter) {
      case "pretty":
        return prettyReport(report, { explain: options.explain });
      case "junit":
        return junitReport(report);
      case "tap":
        return tapReport(report);
      case "json":
        return jsonReport(report);
      case "github":
        return githubReport(report);
    }
  };
  const machine = MACHINE_FORMATS.has(options.reporter);
  io.stdout(render(options.reporter));
  if (machine) {
    // What a person needs beside a machine format goes to stderr.
    for (const f of files) for (const w of f.warnings) io.stderr(`warning ${formatProblem(w)}\n`);
    if (coverage && options.reporter !== "json") io.stderr(formatCoverage(coverage));
    for (const p of problems) io.stderr(`rulepack test: ${p}\n`);
    if (options.explain) {
      for (const f of files)
        for (const r of f.results)
          for (const o of r.observed) io.stderr(explainOutcome(o.outcome, "  "));
    }
  } else if (options.reporter === "github") {
    if (coverage) io.stdout(formatCoverage(coverage));
  }
  for (const output of options.outputs) writeFileSync(output.file, render(output.reporter));
  (machine ? io.stderr : io.stdout)(`${summaryLine(counts)}\n`);
  return { exitCode: exitCodeOf(files, problems), report };
}

async function runSelections(
  selections: readonly Selection[],
  options: Pick<TestOptions, "bail" | "ci">,
  packs: PackCache,
  io: CliIo,
): Promise<FileReport[]> {
  const files: FileReport[] = [];
  let bailed = false;
  for (const s of selections) {
    if (bailed) break;
    if (s.invalid) {
      files.push({ file: s.file, invalid: s.invalid, warnings: s.warnings, results: [] });
      if (options.bail) bailed = true;
      continue;
    }
    const results: CaseResult[] = [];
    for (const { testCase, run } of s.cases) {
      if (bailed) break;
      const suite = s.suite as LoadedSuite;
      let result = run ? await runCase(suite, testCase, packs) : notOnly(suite, testCase);
      if (options.ci && testCase.only) result = onlyUnderCi(result);
      results.push(result);
      if (options.bail && !["passed", "skipped"].includes(result.status)) bailed = true;
    }
    files.push({ file: s.file, warnings: s.warnings, results });
  }
  if (bailed) io.stderr("rulepack test: --bail: stopped at the first failure\n");
  return files;
}

/** A committed `only` under CI: the case ran like every other, and fails. */
function onlyUnderCi(result: CaseResult): CaseResult {
  if (result.status === "invalid" || result.status === "error") return result;
  const at = result.suite.source.locate(["cases", result.case.index, "only"], "key");
  const failure: Failure = {
    line: at.line,
    title: "only: is committed",
    detail: [
      "under CI a committed only would silently shrink the run, so every case ran and this one fails: remove only:",
    ],
  };
  return { ...result, status: "failed", failures: [failure, ...result.failures] };
}

function notOnly(suite: LoadedSuite, testCase: LoadedCase): CaseResult {
  return {
    suite,
    case: testCase,
    status: "skipped",
    skipReason: "another case is marked only",
    failures: [],
    problems: [],
    observed: [],
    durationMs: 0,
  };
}

function exitCodeOf(files: readonly FileReport[], problems: readonly string[]): number {
  const results = files.flatMap((f) => f.results);
  if (results.some((r) => r.status === "error")) return EXIT_CODES.internal;
  if (files.some((f) => f.invalid) || results.some((r) => r.status === "invalid"))
    return EXIT_CODES.invalid;
  if (problems.length > 0 || results.some((r) => r.status === "failed")) return EXIT_CODES.failed;
  return EXIT_CODES.ok;
}

function emptyReport(): RunReport {
  return {
    files: [],
    counts: { passed: 0, failed: 0, skipped: 0 },
    runProblems: [],
    durationMs: 0,
  };
}
