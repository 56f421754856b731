import { parseArgs } from "node:util";
import { runManyWorkers } from "../test/support/many-workers.js";
import { startCluster } from "../test/support/pg-cluster.js";

/**
 * `npm run soak`: the many-workers kill test (test/server/many-workers.test.ts)
 * at soak size: 10,000 messages over 500 patients from 8 senders, 3 serve
 * processes of 2 workers on one throw-away PostgreSQL, a process killed every
 * few seconds (about every 6% of the ACKs). Prints the figures; exit 1 when
 * anything did not hold. Options override the sizes (--messages, --patients,
 * --senders, --processes, --kills, --seed).
 */
const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "10000" },
    patients: { type: "string", default: "500" },
    senders: { type: "string", default: "8" },
    processes: { type: "string", default: "3" },
    workers: { type: "string", default: "2" },
    kills: { type: "string", default: "15" },
    seed: { type: "string", default: "20261206" },
  },
});
const kills = Number(values.kills);
const cluster = await startCluster();
try {
  const url = new URL(cluster.url);
  url.searchParams.set("schema", "soak");
  const report = await runManyWorkers({
    url: url.toString(),
    pack: "rules/practices/harbor-ortho/pack.yaml",
    processes: Number(values.processes),
    workersPerProcess: Number(values.workers),
    messages: Number(values.messages),
    patients: Number(values.patients),
    senders: Number(values.senders),
    killAt: Array.from({ length: kills }, (_, i) => (i + 1) / (kills + 1)),
    seed: Number(values.seed),
    leaseSeconds: 2,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  console.log(
    `soak: ${Object.entries(report.figures)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")}`,
  );
  for (const p of report.problems) console.log(`soak: PROBLEM ${p}`);
  process.exitCode = report.problems.length === 0 ? 0 : 1;
} finally {
  await cluster.stop();
}
