import { formatCoverage } from "../coverage.js";
import { explainOutcome } from "../explain.js";
import { formatProblem } from "../model.js";
import { type RunReport, skipReason } from "../report.js";
import type { CaseResult } from "../run.js";

/**
 * For people: each file, each case (✓ passed, ✗ failed, - skipped), and for
 * a failure its FILE:LINE and the diff (`-` expected, `+` actual); the
 * coverage when asked; the closing `N passed, N failed[, N skipped]` line
 * is written by the runner.
 */
export function prettyReport(report: RunReport, options: { explain?: boolean } = {}): string {
  const out: string[] = [];
  for (const f of report.files) {
    out.push(f.file);
    for (const w of f.warnings) out.push(`  warning ${formatProblem(w)}`);
    if (f.invalid) {
      out.push("  ✗ invalid test file:");
      for (const p of f.invalid) out.push(`      ${formatProblem(p)}`);
      continue;
    }
    for (const r of f.results) {
      out.push(...caseLines(r));
      if (options.explain && r.observed.length > 0) {
        for (const o of r.observed) out.push(explainOutcome(o.outcome, "      ").trimEnd());
      }
    }
  }
  if (report.coverage) out.push("", formatCoverage(report.coverage).trimEnd());
  for (const p of report.runProblems) out.push(`rulepack test: ${p}`);
  return out.length ? `${visible(out.join("\n"))}\n\n` : "";
}

/** One case: its mark and name, and why it failed (FILE:LINE, the diff), unindented by two. */
export function caseLines(r: CaseResult): string[] {
  const out: string[] = [];
  const name = r.case.name;
  const file = r.suite.file;
  if (r.status === "passed") out.push(`  ✓ ${name} (${r.durationMs} ms)`);
  else if (r.status === "skipped") out.push(`  - ${name} (skipped: ${skipReason(r)})`);
  else if (r.status === "invalid") {
    out.push(`  ✗ ${name}  ${file}:${r.case.line}`, "      invalid: the case cannot run:");
    for (const p of r.problems) out.push(`      ${formatProblem(p)}`);
  } else if (r.status === "error") {
    out.push(`  ✗ ${name}  ${file}:${r.case.line}`, "      internal error:");
    for (const line of (r.internal ?? "").split("\n")) out.push(`      ${line}`);
  } else {
    out.push(`  ✗ ${name}  ${file}:${r.case.line}`);
    for (const failure of r.failures) {
      out.push(`      ${file}:${failure.line}  ${failure.title}`);
      for (const line of failure.detail) out.push(`        ${line}`);
    }
  }
  return out;
}

/** Control characters (MLLP's \x0b and \x1c, a CR inside a value) shown as `\xHH`, never sent to the terminal. */
export function visible(text: string): string {
  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}
