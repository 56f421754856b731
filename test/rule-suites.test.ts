import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isCi } from "../engine/cli/test-command.js";
import { defaultPaths, discoverTestFiles } from "../engine/testing/discover.js";
import { loadTestFile } from "../engine/testing/load.js";
import type { LoadedCase, LoadedSuite } from "../engine/testing/model.js";
import { formatProblem } from "../engine/testing/model.js";
import { PackCache } from "../engine/testing/packs.js";
import { caseLines, visible } from "../engine/testing/reporters/pretty.js";
import { runCase } from "../engine/testing/run.js";
import { rulepack } from "./support/cli.js";

/**
 * The shipped rule suites (test/rules/ and rules/practices/* /tests/) run
 * once, by `rulepack test` as a person runs it (no paths, CI unset; the
 * CLI's main in this process), which also writes its JSON report. Then the
 * vitest bridge: every case of those files is one vitest test that reads
 * its status from that report, so `npm test`'s closing line counts them; an
 * invalid test file is one failing test. Nothing is shrunk: a case the run
 * left out because another is marked `only` runs here on its own, and under
 * CI a committed `only` fails its case, as `rulepack test` does. A failing
 * case runs again here to show its diff.
 */
const discovery = discoverTestFiles(defaultPaths());
if (!discovery.ok) throw new Error(`missing: ${discovery.missing.join(", ")}`);
const ci = isCi(process.env.CI);

const reportDir = mkdtempSync(join(tmpdir(), "rulepack-rule-suites-"));
const reportFile = join(reportDir, "report.json");
const shipped = await rulepack(["test", "--output", `json=${reportFile}`], { CI: undefined });

interface ReportedCase {
  readonly line: number;
  readonly status: string;
}
interface Report {
  readonly files: readonly { readonly file: string; readonly cases: readonly ReportedCase[] }[];
}
/** Each case's status in the run, by `FILE:LINE`; none if the run wrote no report. */
const reported = new Map<string, string>();
if (existsSync(reportFile)) {
  const report = JSON.parse(readFileSync(reportFile, "utf8")) as Report;
  for (const f of report.files)
    for (const c of f.cases) reported.set(`${f.file}:${c.line}`, c.status);
}
rmSync(reportDir, { recursive: true, force: true });

let packCache: PackCache | undefined;

/** Nothing when the run passed the case; else what `rulepack test` prints of it. */
async function failureLines(suite: LoadedSuite, testCase: LoadedCase): Promise<string[]> {
  const status = reported.get(`${suite.file}:${testCase.line}`);
  if (status === "passed") return [];
  packCache ??= new PackCache();
  const result = await runCase(suite, testCase, packCache);
  if (result.status !== "passed") return caseLines(result);
  if (status === undefined || status === "skipped") return [];
  return [
    `  ✗ ${testCase.name}  ${suite.file}:${testCase.line}`,
    `      rulepack test reported it ${status}; it passes when run alone`,
  ];
}

const lastLine = (text: string) => text.trimEnd().split("\n").at(-1);

describe("rulepack test (the CLI)", () => {
  it("runs the shipped suites green by default (test/rules/, rules/practices/*/tests/): exit 0", () => {
    const r = shipped;
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("rules/practices/harbor-ortho/tests/");
    expect(r.stdout).toContain("rules/practices/lakeside-family/tests/");
    expect(lastLine(r.stdout)).toMatch(/^\d+ passed, 0 failed(, \d+ skipped)?$/);
  });
});

for (const file of discovery.files) {
  const load = loadTestFile(file);
  describe(`rule suite ${file}`, () => {
    if (!load.ok) {
      it("(invalid test file)", () => {
        throw new Error(`invalid test file:\n${load.errors.map(formatProblem).join("\n")}`);
      });
      return;
    }
    for (const testCase of load.suite.cases) {
      const title = `${testCase.name} (${file}:${testCase.line})`;
      if (testCase.skip !== false) {
        it.skip(title, () => {});
        continue;
      }
      it(title, async () => {
        const lines = await failureLines(load.suite, testCase);
        if (ci && testCase.only)
          lines.push(
            `      ${file}:${testCase.line}  only: is committed (CI is set): remove only:`,
          );
        if (lines.length > 0) throw new Error(visible(lines.join("\n")));
      });
    }
  });
}
