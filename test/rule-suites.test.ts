import { describe, it } from "vitest";
import { isCi } from "../engine/cli/test-command.js";
import { defaultPaths, discoverTestFiles } from "../engine/testing/discover.js";
import { loadTestFile } from "../engine/testing/load.js";
import { formatProblem } from "../engine/testing/model.js";
import { PackCache } from "../engine/testing/packs.js";
import { caseLines, visible } from "../engine/testing/reporters/pretty.js";
import { runCase } from "../engine/testing/run.js";

/**
 * The vitest bridge: every rule-test case that `rulepack test` runs by
 * default (test/rules/ and rules/practices/* /tests/) is one vitest test, so
 * `npm test`'s closing line counts them; an invalid test file is one failing
 * test. Nothing is shrunk: `only` is ignored here, and under CI a committed
 * `only` fails its case, as `rulepack test` does.
 */
const discovery = discoverTestFiles(defaultPaths());
if (!discovery.ok) throw new Error(`missing: ${discovery.missing.join(", ")}`);
const packs = new PackCache();
const ci = isCi(process.env.CI);

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
        const result = await runCase(load.suite, testCase, packs);
        const lines = result.status === "passed" ? [] : caseLines(result);
        if (ci && testCase.only)
          lines.push(
            `      ${file}:${testCase.line}  only: is committed (CI is set): remove only:`,
          );
        if (lines.length > 0) throw new Error(visible(lines.join("\n")));
      });
    }
  });
}
