import type { Reporter, TestModule } from "vitest/node";

/**
 * Prints the one closing line CI reads, `N passed, N failed[, N skipped]`,
 * after vitest's own output. A test file that fails to load counts as one
 * failed test, and a test skipped because its file's set-up (a `beforeAll`)
 * failed counts as failed, so a broken module can never shrink the count
 * silently.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const module of modules) {
      let cases = 0;
      const setUpFailed = module.state() === "failed" && module.errors().length > 0;
      for (const test of module.children.allTests()) {
        cases++;
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed" || setUpFailed) failed++;
        else skipped++;
      }
      if (cases === 0 && module.state() === "failed") failed++;
    }
    const tail = skipped > 0 ? `, ${skipped} skipped` : "";
    process.stdout.write(`\n${passed} passed, ${failed} failed${tail}\n`);
  }
}
