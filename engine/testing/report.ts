import type { CoverageReport } from "./coverage.js";
import type { TestProblem } from "./model.js";
import type { CaseResult } from "./run.js";

/** What one `rulepack test` run found, for every reporter. */
export interface FileReport {
  readonly file: string;
  /** The whole file is invalid (schema, YAML, a fixture or file it names): its problems. */
  readonly invalid?: readonly TestProblem[];
  readonly warnings: readonly TestProblem[];
  readonly results: readonly CaseResult[];
}

export interface RunReport {
  readonly files: readonly FileReport[];
  readonly counts: Counts;
  readonly coverage?: CoverageReport;
  /** Problems of the run as a whole: a committed `only` under CI, coverage below threshold, no tests. */
  readonly runProblems: readonly string[];
  readonly durationMs: number;
}

export interface Counts {
  readonly passed: number;
  /** Failed cases, invalid cases, invalid files (one each) and internal errors. */
  readonly failed: number;
  readonly skipped: number;
}

export function countResults(files: readonly FileReport[]): Counts {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const f of files) {
    if (f.invalid) failed++;
    for (const r of f.results) {
      if (r.status === "passed") passed++;
      else if (r.status === "skipped") skipped++;
      else failed++;
    }
  }
  return { passed, failed, skipped };
}

/** The closing line: `N passed, N failed[, N skipped]`. */
export function summaryLine(counts: Counts): string {
  const tail = counts.skipped > 0 ? `, ${counts.skipped} skipped` : "";
  return `${counts.passed} passed, ${counts.failed} failed${tail}`;
}

export type ReporterName = "pretty" | "junit" | "tap" | "json" | "github";
export const REPORTERS: readonly ReporterName[] = ["pretty", "junit", "tap", "json", "github"];

/** Formats that own stdout: the summary line goes to stderr beside them. */
export const MACHINE_FORMATS: ReadonlySet<ReporterName> = new Set(["junit", "tap", "json"]);

/** Why a case was skipped. */
export function skipReason(r: CaseResult): string {
  return r.skipReason ?? "skipped";
}
