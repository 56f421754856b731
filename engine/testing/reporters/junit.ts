import { formatProblem } from "../model.js";
import { type RunReport, skipReason } from "../report.js";

/**
 * JUnit XML: one <testsuite> per test file (with a `file` attribute), one
 * <testcase> per case (`file` and `line` too); an invalid file is one
 * <testcase> with an <error>. Characters XML 1.0 cannot hold (the MLLP
 * bytes \x0b and \x1c, other C0 controls, lone surrogates) are written as
 * the text `\xHH`, so the document is always well-formed.
 */
export function junitReport(report: RunReport): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  for (const f of report.files) {
    const cases: string[] = [];
    let sTests = 0;
    let sFailures = 0;
    let sErrors = 0;
    let sSkipped = 0;
    let time = 0;
    if (f.invalid) {
      sTests++;
      sErrors++;
      const text = f.invalid.map(formatProblem).join("\n");
      cases.push(
        `    <testcase name="(invalid test file)" classname=${attr(f.file)} file=${attr(f.file)} time="0.000">\n` +
          `      <error message=${attr(f.invalid[0] ? formatProblem(f.invalid[0]) : "invalid")} type="INVALID_TEST_FILE">${text_(text)}</error>\n` +
          "    </testcase>",
      );
    }
    for (const r of f.results) {
      sTests++;
      time += r.durationMs;
      const head = `    <testcase name=${attr(r.case.name)} classname=${attr(f.file)} file=${attr(f.file)} line="${r.case.line}" time="${seconds(r.durationMs)}"`;
      if (r.status === "passed") {
        cases.push(`${head}/>`);
        continue;
      }
      let body: string;
      if (r.status === "skipped") {
        sSkipped++;
        body = `      <skipped message=${attr(skipReason(r))}/>`;
      } else if (r.status === "failed") {
        sFailures++;
        const text = r.failures
          .map((x) =>
            [`${f.file}:${x.line}: ${x.title}`, ...x.detail.map((d) => `  ${d}`)].join("\n"),
          )
          .join("\n\n");
        const first = r.failures[0];
        body = `      <failure message=${attr(first ? `${f.file}:${first.line}: ${first.title}` : "failed")} type="ASSERTION">${text_(text)}</failure>`;
      } else {
        sErrors++;
        const text =
          r.status === "invalid" ? r.problems.map(formatProblem).join("\n") : (r.internal ?? "");
        body = `      <error message=${attr(text.split("\n")[0] ?? "")} type=${attr(r.status === "invalid" ? "INVALID_CASE" : "INTERNAL_ERROR")}>${text_(text)}</error>`;
      }
      cases.push(`${head}>\n${body}\n    </testcase>`);
    }
    tests += sTests;
    failures += sFailures;
    errors += sErrors;
    skipped += sSkipped;
    suites.push(
      `  <testsuite name=${attr(f.file)} file=${attr(f.file)} tests="${sTests}" failures="${sFailures}" errors="${sErrors}" skipped="${sSkipped}" time="${seconds(time)}">\n` +
        `${cases.join("\n")}${cases.length ? "\n" : ""}  </testsuite>`,
    );
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="rulepack test" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(report.durationMs)}">\n` +
    `${suites.join("\n")}${suites.length ? "\n" : ""}</testsuites>\n`
  );
}

/** Characters XML 1.0 does not allow, and lone surrogates. */
const NOT_XML =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const hex = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;

export function xmlText(s: string): string {
  return s.replace(NOT_XML, hex).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function text_(s: string): string {
  return xmlText(s);
}

/** A quoted attribute value; line breaks and tabs kept as character references. */
function attr(s: string): string {
  return `"${xmlText(s).replace(/"/g, "&quot;").replace(/\r/g, "&#13;").replace(/\n/g, "&#10;").replace(/\t/g, "&#9;")}"`;
}
