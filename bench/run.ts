/**
 * `npm run bench [-- --filter TEXT] [--rounds N] [--round-ms N] [--warmup-ms N]`
 *
 * Runs every suite (a subject against its baseline, in the same run), prints
 * a table and writes bench/results.json (not committed). Timings are never
 * asserted: goals are printed as met or not met, and the exit code is 0
 * either way unless the run itself fails.
 *
 * To add a pipeline (pack load + compile, ADT/SIU/DFT against hand-written
 * baselines, MLLP), write a module under bench/suites/ that returns Suites
 * and list it in SUITES below.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadCorpus } from "./corpus.js";
import { closeDeliveryBench, deliverySuites } from "./delivery.js";
import {
  checksum,
  DEFAULT_OPTIONS,
  formatTable,
  formatVerdicts,
  type HarnessOptions,
  machineInfo,
  runSuite,
  type Suite,
  type SuiteResult,
} from "./harness.js";
import { closeMllpBench, mllpSuites } from "./mllp.js";
import { storeLookupSuites } from "./store-lookup.js";
import { adtPipelineSuites } from "./suites/adt-pipeline.js";
import { dftPipelineSuites } from "./suites/dft-pipeline.js";
import { coldPackLoad, packLoadSuites } from "./suites/pack-load.js";
import { parseSuites } from "./suites/parse.js";
import { ruleTestProbe } from "./suites/rule-tests.js";
import { siuPipelineSuites } from "./suites/siu-pipeline.js";
import { webListProbe } from "./web-list.js";
import { closeWorkerBench, workerSuites } from "./workers.js";

const { values } = parseArgs({
  options: {
    filter: { type: "string" },
    rounds: { type: "string" },
    "round-ms": { type: "string" },
    "warmup-ms": { type: "string" },
  },
});

const options: HarnessOptions = {
  rounds: Number(values.rounds ?? DEFAULT_OPTIONS.rounds),
  roundMs: Number(values["round-ms"] ?? DEFAULT_OPTIONS.roundMs),
  warmupMs: Number(values["warmup-ms"] ?? DEFAULT_OPTIONS.warmupMs),
};

for (const [key, value] of Object.entries(options)) {
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${key}: expected a positive number`);
}

const corpus = loadCorpus();
const SUITES: Suite[] = [
  ...parseSuites(corpus),
  ...storeLookupSuites(),
  ...packLoadSuites(),
  ...(await adtPipelineSuites(corpus)),
  ...(await siuPipelineSuites()),
  ...(await dftPipelineSuites()),
  ...(await mllpSuites()),
  ...(await deliverySuites()),
  ...(await workerSuites()),
];

const selected = SUITES.filter((s) => !values.filter || s.name.includes(values.filter));
const machine = machineInfo();
process.stdout.write(
  `corpus: ${corpus.files.length} files, ${corpus.messages} messages, ${corpus.bytes} bytes\n` +
    `machine: node ${machine.node}, ${machine.cpu} (${machine.cores} cores), ${machine.platform}, load average ${machine.loadAverage}\n` +
    `harness: ${options.rounds} rounds of >= ${options.roundMs} ms each after ${options.warmupMs} ms warm-up; median, min..max; CPU time of the process beside wall time; ratios by CPU time; one core\n\n`,
);

const results: SuiteResult[] = [];
for (const suite of selected) {
  process.stdout.write(`running: ${suite.name}\n`);
  results.push(await runSuite(suite, options));
}

await closeMllpBench();
await closeDeliveryBench();
await closeWorkerBench();
/** Goals measured outside the harness's rounds (fresh processes, a whole CLI run), by their names. */
const wanted = (name: string) => !values.filter || name.includes(values.filter);
const cold = wanted("pack load") ? coldPackLoad() : "";
const ruleTests = wanted("rule tests") ? await ruleTestProbe() : "";
const webList = wanted("web list") ? await webListProbe() : "";
process.stdout.write(
  `\n${formatTable(results)}\n\n${formatVerdicts(results)}\n${cold}${ruleTests}${webList}`,
);

const out = fileURLToPath(new URL("./results.json", import.meta.url));
writeFileSync(
  out,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine,
      options,
      corpus: { files: corpus.files.length, messages: corpus.messages, bytes: corpus.bytes },
      results,
      checksum: checksum(),
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`\nwrote ${out}\n`);
