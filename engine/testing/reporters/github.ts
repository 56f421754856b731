import { formatProblem, type TestProblem } from "../model.js";
import type { RunReport } from "../report.js";

/**
 * GitHub Actions workflow commands: one `::error file=,line=,title=::` per
 * failure or problem, so the pull request shows it on the line; coverage
 * below threshold and other run problems as plain `::error::`.
 */
export function githubReport(report: RunReport): string {
  const out: string[] = [];
  const problem = (p: TestProblem) =>
    command(
      "error",
      { file: p.file, line: String(p.line), col: String(p.col), title: p.code },
      formatProblem(p),
    );
  for (const f of report.files) {
    for (const w of f.warnings)
      out.push(
        command("warning", { file: w.file, line: String(w.line), title: w.code }, w.message),
      );
    for (const p of f.invalid ?? []) out.push(problem(p));
    for (const r of f.results) {
      if (r.status === "failed") {
        for (const x of r.failures) {
          out.push(
            command(
              "error",
              { file: f.file, line: String(x.line), title: `${r.case.name}: ${x.title}` },
              [x.title, ...x.detail].join("\n"),
            ),
          );
        }
      } else if (r.status === "invalid") for (const p of r.problems) out.push(problem(p));
      else if (r.status === "error")
        out.push(
          command(
            "error",
            { file: f.file, line: String(r.case.line), title: "internal error" },
            r.internal ?? "",
          ),
        );
    }
  }
  for (const p of report.runProblems) out.push(command("error", {}, p));
  return out.length ? `${out.join("\n")}\n` : "";
}

const data = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const property = (s: string) => data(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

function command(kind: string, props: Record<string, string>, message: string): string {
  const list = Object.entries(props)
    .map(([k, v]) => `${k}=${property(v)}`)
    .join(",");
  return `::${kind}${list ? ` ${list}` : ""}::${data(message)}`;
}
