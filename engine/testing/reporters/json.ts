import type { RunReport } from "../report.js";

/** One JSON document: files, cases with status, failures (line, title, diff), coverage, counts. */
export function jsonReport(report: RunReport): string {
  const doc = {
    counts: report.counts,
    durationMs: report.durationMs,
    problems: report.runProblems,
    files: report.files.map((f) => ({
      file: f.file,
      ...(f.invalid && { invalid: f.invalid }),
      warnings: f.warnings,
      cases: f.results.map((r) => ({
        name: r.case.name,
        line: r.case.line,
        tags: r.case.tags,
        status: r.status,
        durationMs: r.durationMs,
        ...(r.skipReason && { skipReason: r.skipReason }),
        ...(r.failures.length > 0 && {
          failures: r.failures.map((x) => ({
            line: x.line,
            ...(x.outcome !== undefined && { outcome: x.outcome + 1 }),
            title: x.title,
            detail: x.detail,
          })),
        }),
        ...(r.problems.length > 0 && { problems: r.problems }),
        ...(r.internal && { internal: r.internal }),
      })),
    })),
    ...(report.coverage && { coverage: report.coverage }),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
