/**
 * `rulepack test` over a practice's rule tests, in this process (the CLI's
 * own `main`), twice: the second run is timed (modules loaded, but each run
 * loads its packs again, as a real run does, with one pack reload per case
 * that has `overrides:`). Prints CPU and wall time per case, the time 1,000
 * such cases would take, and issue 18's verdict (1,000 cases <= 5 s).
 */
import { existsSync } from "node:fs";
import { main } from "../../engine/cli.js";

const SUITES = "rules/practices/harbor-ortho/tests";
const GOAL_SECONDS_PER_1000 = 5;

async function runOnce(): Promise<{ cases: number; cpuMs: number; wallMs: number }> {
  let out = "";
  const io = {
    stdout: (text: string) => {
      out += text;
    },
    stderr: (text: string) => {
      out += text;
    },
  };
  const cpu = process.cpuUsage();
  const start = performance.now();
  await main(["test", SUITES, "--reporter", "tap"], io);
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const m = /(\d+) passed, (\d+) failed/.exec(out);
  const cases = m ? Number(m[1]) + Number(m[2]) : 0;
  return { cases, cpuMs: (used.user + used.system) / 1000, wallMs };
}

export async function ruleTestProbe(): Promise<string> {
  if (!existsSync(SUITES)) return "";
  await runOnce();
  const { cases, cpuMs, wallMs } = await runOnce();
  if (cases === 0) return "rule tests: no cases ran\n";
  const perCase = cpuMs / cases;
  const thousand = perCase; // ms per case x 1,000 cases / 1,000 ms per s
  return (
    `rule tests (${SUITES}, ${cases} cases, second run in this process): ` +
    `${perCase.toFixed(1)} ms CPU and ${(wallMs / cases).toFixed(1)} ms wall per case\n` +
    `${thousand <= GOAL_SECONDS_PER_1000 ? "MET    " : "NOT MET"} rulepack test: 1,000 such cases in ${thousand.toFixed(1)} s CPU (goal <= ${GOAL_SECONDS_PER_1000} s) [issue 18: rule tests, overrides included]\n`
  );
}
