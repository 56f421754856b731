/**
 * `node --import tsx bench/profile-pipelines.ts adt|siu|dft [SECONDS] [subject|baseline] [PROFILE]`
 *
 * Runs one in-memory pipeline suite's side (by default the rule
 * interpreter) over and over for SECONDS, so that a CPU profile sees the
 * per-message path and nothing else: with PROFILE, the V8 profiler is
 * started after the suite is set up (pack loaded, agreement checked) and
 * its profile written there (open it in Chrome DevTools). Not a benchmark:
 * it prints only how many passes it made; `npm run bench` measures.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { loadCorpus } from "./corpus.js";
import type { Suite } from "./harness.js";
import { adtPipelineSuites } from "./suites/adt-pipeline.js";
import { dftPipelineSuites } from "./suites/dft-pipeline.js";
import { siuPipelineSuites } from "./suites/siu-pipeline.js";

const [which = "adt", secondsText = "10", sideText = "subject", profile] = process.argv.slice(2);
/** A PROFILE ending in .heapprofile samples allocations instead of CPU time. */
const heap = profile?.endsWith(".heapprofile") === true;
const seconds = Number(secondsText);
const side = sideText === "baseline" ? "baseline" : "subject";

async function suiteOf(name: string): Promise<Suite> {
  if (name === "siu") return (await siuPipelineSuites())[0] as Suite;
  if (name === "dft") return (await dftPipelineSuites())[0] as Suite;
  const suites = await adtPipelineSuites(loadCorpus());
  return suites.find((s) => s.name.includes("in-memory store")) as Suite;
}

const suite = await suiteOf(which);
const subject = suite[side];
const session = new Session();
if (profile) {
  session.connect();
  if (heap) {
    await session.post("HeapProfiler.enable");
    await session.post("HeapProfiler.startSampling", {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  } else {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 200 });
    await session.post("Profiler.start");
  }
}
const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
let passes = 0;
let cpuMicros = 0;
while (process.hrtime.bigint() < end) {
  await subject.prepare?.();
  const before = process.cpuUsage();
  await subject.run();
  const spent = process.cpuUsage(before);
  cpuMicros += spent.user + spent.system;
  passes++;
}
if (profile) {
  const data = heap
    ? (await session.post("HeapProfiler.stopSampling")).profile
    : (await session.post("Profiler.stop")).profile;
  writeFileSync(profile, JSON.stringify(data));
  session.disconnect();
}
const perUnit = cpuMicros / (passes * suite.unitsPerPass);
process.stdout.write(
  `${which} ${side}: ${passes} passes of ${suite.unitsPerPass} ${suite.unit}, ${perUnit.toFixed(1)} µs CPU per ${suite.unit} (set-up excluded)\n`,
);
