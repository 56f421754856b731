import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Vitest global set-up: the run's parse cache (decision 0042) in a temp
 * folder of its own, removed after, so the suite neither reads entries an
 * earlier run or a developer's commands left in ~/.cache nor writes there.
 * Set before the workers fork, so they and the CLI processes tests start
 * inherit it; a test that needs its own cache stubs the variable.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "rulepack-test-cache-"));
  process.env.RULEPACK_CACHE_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
