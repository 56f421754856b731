import { formatProblem } from "../model.js";
import { type RunReport, skipReason } from "../report.js";

/** TAP version 14: one test point per case (an invalid file is one), YAML diagnostics on failure. */
export function tapReport(report: RunReport): string {
  const points: string[] = [];
  const yamlBlock = (fields: Record<string, string | number>) => {
    const lines = ["  ---"];
    for (const [k, v] of Object.entries(fields)) {
      if (typeof v === "string" && v.includes("\n"))
        lines.push(`  ${k}: |-`, ...v.split("\n").map((l) => `    ${clean(l)}`));
      else lines.push(`  ${k}: ${JSON.stringify(typeof v === "string" ? clean(v) : v)}`);
    }
    lines.push("  ...");
    return lines.join("\n");
  };
  for (const f of report.files) {
    if (f.invalid) {
      points.push(
        `not ok ${points.length + 1} - ${desc(f.file)} (invalid test file)\n${yamlBlock({
          severity: "invalid",
          message: f.invalid.map(formatProblem).join("\n"),
        })}`,
      );
    }
    for (const r of f.results) {
      const name = `${desc(f.file)} > ${desc(r.case.name)}`;
      const n = points.length + 1;
      if (r.status === "passed") points.push(`ok ${n} - ${name}`);
      else if (r.status === "skipped")
        points.push(`ok ${n} - ${name} # SKIP ${desc(skipReason(r))}`);
      else if (r.status === "failed") {
        const first = r.failures[0];
        points.push(
          `not ok ${n} - ${name}\n${yamlBlock({
            at: `${f.file}:${first?.line ?? r.case.line}`,
            message: r.failures.map((x) => `${f.file}:${x.line}: ${x.title}`).join("\n"),
            diff: r.failures.flatMap((x) => x.detail).join("\n") || "(none)",
          })}`,
        );
      } else {
        points.push(
          `not ok ${n} - ${name}\n${yamlBlock({
            severity: r.status,
            at: `${f.file}:${r.case.line}`,
            message:
              r.status === "invalid"
                ? r.problems.map(formatProblem).join("\n")
                : (r.internal ?? "internal error"),
          })}`,
        );
      }
    }
  }
  const problems = report.runProblems.map((p) => `# ${p}`);
  return `TAP version 14\n1..${points.length}\n${[...points, ...problems].join("\n")}${points.length || problems.length ? "\n" : ""}`;
}

/** A description may not hold `#` unescaped or a line break. */
function desc(s: string): string {
  return clean(s)
    .replace(/#/g, "\\#")
    .replace(/[\r\n]+/g, " ");
}

function clean(s: string): string {
  return s.replace(
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}
