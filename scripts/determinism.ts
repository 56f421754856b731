/**
 * Outcomes do not depend on the machine's load (issue 14): the corpus
 * through both example packs, once on a quiet machine, then on 4 processes
 * at once with 4 busy loops (`node -e 'for(;;);'`) beside them; every
 * outcome must be identical to the quiet run's. Too slow for `npm test`.
 *
 *   npm run determinism [-- --rounds N] [--processes N] [--busy N]
 *
 * Each process receives the corpus (read in place) in file order into one
 * in-memory store per pack and round, as `rulepack run` would, and prints
 * one line per outcome: pack, round, file, state, error codes and a hash of
 * the outcome without its trace. Exit 1 when any line differs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { receiveBytes } from "../engine/queue/intake.js";
import { createMemoryStore } from "../engine/store/memory.js";
import { corpusSeeds, examplePractices, FUZZ_NOW } from "../test/fuzz/harness.js";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`determinism: --${name} takes a whole number`);
    process.exit(2);
  }
  return value;
}

const rounds = option("rounds", 3);

/** One process's run: the fingerprint of every outcome, one line each. */
async function fingerprints(): Promise<string[]> {
  const lines: string[] = [];
  const seeds = corpusSeeds();
  for (const practice of examplePractices()) {
    for (let round = 1; round <= rounds; round++) {
      const store = createMemoryStore();
      if (practice.masterData) store.loadMasterData(practice.masterData);
      for (const seed of seeds) {
        const outcomes = await receiveBytes(practice.pack, store, seed.bytes, {
          now: FUZZ_NOW,
          sender: "determinism",
          detectDuplicates: true,
        });
        for (const { trace: _, ...outcome } of outcomes) {
          const hash = createHash("sha256").update(JSON.stringify(outcome)).digest("hex");
          const codes = outcome.errors.map((e) => e.code).join(",");
          lines.push(
            `${practice.name} ${round} ${seed.name} ${outcome.state} [${codes}] ${hash.slice(0, 16)}`,
          );
        }
      }
      store.close();
    }
  }
  return lines;
}

if (process.argv.includes("--worker")) {
  process.stdout.write(`${(await fingerprints()).join("\n")}\n`);
} else {
  await main();
}

function run(args: string[]): { child: ChildProcess; output: Promise<string> } {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const output = new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`process exited with ${code}`)),
    );
  });
  return { child, output };
}

async function main(): Promise<void> {
  const processes = option("processes", 4);
  const busy = option("busy", 4);
  const self = fileURLToPath(import.meta.url);
  const worker = ["--import", "tsx", self, "--worker", "--rounds", String(rounds)];

  console.log(`determinism: quiet run (1 process, ${rounds} round(s) per pack)`);
  const quiet = (await run(worker).output).trimEnd().split("\n");
  const states = new Map<string, number>();
  for (const line of quiet) {
    const state = line.split(" ")[3] ?? "";
    states.set(state, (states.get(state) ?? 0) + 1);
  }
  console.log(`  ${quiet.length} outcomes: ${[...states].map(([s, n]) => `${s} ${n}`).join(", ")}`);

  console.log(`determinism: ${processes} processes at once beside ${busy} busy loops`);
  const loops = Array.from({ length: busy }, () =>
    spawn(process.execPath, ["-e", "for(;;);"], { stdio: "ignore" }),
  );
  let differing = 0;
  try {
    const loaded = await Promise.all(Array.from({ length: processes }, () => run(worker).output));
    loaded.forEach((output, p) => {
      const lines = output.trimEnd().split("\n");
      const diffs: string[] = [];
      const n = Math.max(lines.length, quiet.length);
      for (let i = 0; i < n; i++) {
        if (lines[i] !== quiet[i]) diffs.push(`  quiet:  ${quiet[i]}\n  loaded: ${lines[i]}`);
      }
      differing += diffs.length;
      console.log(
        `  process ${p + 1}: ${lines.length} outcomes, ${diffs.length} differ from the quiet run`,
      );
      for (const d of diffs.slice(0, 20)) console.log(d);
    });
  } finally {
    for (const loop of loops) loop.kill("SIGKILL");
  }
  console.log(
    differing === 0 ? "determinism: identical" : `determinism: ${differing} outcome(s) differ`,
  );
  process.exitCode = differing === 0 ? 0 : 1;
}
