/**
 * `rulepack test` over a practice's rule tests, in this process (the CLI's
 * own `main`): a first run, then `rounds` timed runs (modules loaded, but
 * each run loads its packs again, as a real run does, with one pack reload
 * per case that has `overrides:`), their median reported. Prints CPU and
 * wall time per case, the time 1,000 such cases would take, and issue 18's
 * verdict (1,000 cases <= 5 s).
 */
import { existsSync } from "node:fs";
import { main } from "../../engine/cli.js";
import { median } from "../harness.js";

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

export async function ruleTestProbe(rounds = 5): Promise<string> {
  if (!existsSync(SUITES)) return "";
  await runOnce();
  const runs: { cases: number; cpuMs: number; wallMs: number }[] = [];
  for (let i = 0; i < rounds; i++) runs.push(await runOnce());
  const cases = runs[0]?.cases ?? 0;
  if (cases === 0 || runs.some((r) => r.cases !== cases)) return "rule tests: no cases ran\n";
  const perCase = runs.map((r) => r.cpuMs / cases);
  const mid = median(perCase);
  const thousand = mid; // ms per case x 1,000 cases / 1,000 ms per s
  return (
    `rule tests (${SUITES}, ${cases} cases, ${rounds} runs after a first in this process): ` +
    `${mid.toFixed(1)} ms CPU per case median (${Math.min(...perCase).toFixed(1)}..${Math.max(...perCase).toFixed(1)}), ` +
    `${(median(runs.map((r) => r.wallMs)) / cases).toFixed(1)} ms wall\n` +
    `${thousand <= GOAL_SECONDS_PER_1000 ? "MET    " : "NOT MET"} rulepack test: 1,000 such cases in ${thousand.toFixed(1)} s CPU (goal <= ${GOAL_SECONDS_PER_1000} s) [issue 18: rule tests, overrides included]\n`
  );
}
