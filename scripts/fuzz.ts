/**
 * The long fuzz run of the intake (issue 14): corpus messages mutated at
 * the byte, field and segment level, received through both example packs
 * into in-memory stores, for N minutes. The fixed-seed short run is
 * test/fuzz/intake.test.ts; both share test/fuzz/harness.ts.
 *
 *   npm run fuzz -- --minutes N [--seed S] [--show N]
 *
 * Prints the count of each final state, every fault (an exception, an
 * ATHENAERROR with its codes, a message left NEW) with the seed and case
 * number that replay it, and the N slowest inputs (default 10).
 */
import fc from "fast-check";
import {
  corpusSeeds,
  examplePractices,
  type FuzzCase,
  faults,
  fuzzCase,
  mutate,
  receive,
} from "../test/fuzz/harness.js";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`fuzz: --${name} takes a number`);
    process.exit(2);
  }
  return value;
}

const minutes = option("minutes", 1);
const seed = option("seed", Date.now() % 2 ** 31);
const show = option("show", 10);
const BATCH = 200;

const practices = examplePractices();
const seeds = corpusSeeds();
const arbitrary = fuzzCase(practices.length, seeds.length);
const states = new Map<string, number>();
const codes = new Map<string, number>();
const found: string[] = [];
let slowest: Array<{ ms: number; case: number; what: string }> = [];
let cases = 0;
let messages = 0;

const describe = (c: FuzzCase) =>
  `${practices[c.practice]?.name} ${seeds[c.seed]?.name} ${JSON.stringify(c.mutations).slice(0, 240)}`;
const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

const deadline = Date.now() + minutes * 60_000;
console.log(
  `fuzz: seed ${seed}, ${minutes} minute(s), ${practices.length} packs, ${seeds.length} corpus messages`,
);
for (let batch = 0; Date.now() < deadline; batch++) {
  const sample = fc.sample(arbitrary, { numRuns: BATCH, seed: seed + batch });
  for (const c of sample) {
    const number = cases++;
    const practice = practices[c.practice];
    const source = seeds[c.seed];
    if (!practice || !source) continue;
    const started = performance.now();
    try {
      const received = await receive(practice, mutate(source.bytes, c.mutations));
      messages += received.outcomes.length;
      for (const o of received.outcomes) {
        bump(states, o.state);
        if (o.state === "ATHENAERROR") for (const e of o.errors) bump(codes, e.code);
      }
      for (const fault of faults(received))
        found.push(`case ${number}: ${fault}\n    ${describe(c)}`);
    } catch (e) {
      found.push(
        `case ${number}: exception ${e instanceof Error ? e.stack : String(e)}\n    ${describe(c)}`,
      );
    }
    const ms = performance.now() - started;
    if (slowest.length < show || ms > (slowest[slowest.length - 1]?.ms ?? 0)) {
      slowest = [...slowest, { ms, case: number, what: describe(c) }]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, show);
    }
  }
}

console.log(`\n${cases} inputs, ${messages} messages`);
console.log("states:");
for (const [state, n] of [...states].sort((a, b) => b[1] - a[1]))
  console.log(`  ${state.padEnd(12)} ${n}`);
if (codes.size > 0) {
  console.log("ATHENAERROR codes:");
  for (const [code, n] of [...codes].sort((a, b) => b[1] - a[1]))
    console.log(`  ${code.padEnd(28)} ${n}`);
}
console.log(`faults: ${found.length}`);
for (const f of found.slice(0, 50)) console.log(`  ${f}`);
console.log(
  `slowest ${slowest.length} (case numbers replay with --seed ${seed}; batches of ${BATCH}):`,
);
for (const s of slowest)
  console.log(`  ${s.ms.toFixed(1).padStart(8)} ms  case ${s.case}  ${s.what}`);
process.exitCode = found.length > 0 ? 1 : 0;
