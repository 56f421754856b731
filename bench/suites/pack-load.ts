/**
 * Pack load + compile (loadPack: read the extends chain, merge, validate
 * against the schema, compile every reference and expression, read the
 * mapping tables) against a baseline of reading and `yaml.parse`-ing the
 * same files. The ratio is what the loader adds on top of YAML parsing.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { formatPackError } from "../../engine/documents/errors.js";
import { readChain } from "../../engine/pack/chain.js";
import { loadPack } from "../../engine/pack/load.js";
import { consume, type Goal, median, type Suite } from "../harness.js";

/** Issue 18: a warm reload within 50 ms. */
const WARM_GOAL: Goal = {
  minPerCpuSecond: 20,
  statement: "issue 18: warm pack load <= 50 ms (>= 20 packs/cpu-s)",
};
/** Issue 18: the first load of a fresh process within 200 ms (imports apart). */
const COLD_GOAL_MS = 200;

/** A realistic pack: a practice on the pre-scoped base, else the loader's fixture. */
const CANDIDATES = [
  "rules/practices/harbor-ortho/pack.yaml",
  "test/fixtures/packs/valid/pack.yaml",
];

/** Every file loadPack reads for `pack`: the extends chain and the mapping tables. */
function filesOf(pack: string): string[] {
  const load = loadPack(pack);
  if (!load.ok)
    throw new Error(`${pack} does not load:\n${load.errors.map(formatPackError).join("\n")}`);
  const chain = readChain(pack);
  const sources = chain.ok ? chain.chain.sources.map((s) => s.file) : [pack];
  const tables = [...load.pack.tables.values()].flatMap((t) => t.files);
  return [...sources, ...tables];
}

export function packLoadSuites(): Suite[] {
  const pack = CANDIDATES.find((f) => existsSync(f));
  if (pack === undefined) return [];
  const files = filesOf(pack);
  return [
    {
      name: `pack load + compile (${pack}, ${files.length} files)`,
      unit: "pack",
      unitsPerPass: 1,
      goal: WARM_GOAL,
      baseline: {
        name: "readFileSync + yaml.parse of the same files",
        run() {
          for (const f of files) consume(parse(readFileSync(f, "utf8")) ? 1 : 0);
          return 1;
        },
      },
      subject: {
        name: "loadPack",
        run() {
          const load = loadPack(pack);
          consume(load.ok ? load.pack.fields.length : -1);
          return 1;
        },
      },
    },
  ];
}

interface Span {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** Runs of the cold-load child in one cache state. */
function coldRuns(
  child: string,
  pack: string,
  runs: number,
  cacheDir: string,
): { imports: Span; cold: Span; warm: Span }[] {
  const results: { imports: Span; cold: Span; warm: Span }[] = [];
  for (let i = 0; i < runs; i++) {
    const run = spawnSync(process.execPath, ["--import", "tsx", child, pack], {
      encoding: "utf8",
      env: { ...process.env, RULEPACK_CACHE_DIR: cacheDir },
    });
    if (run.status !== 0) throw new Error(`cold pack load failed: ${run.stderr}`);
    results.push(JSON.parse(run.stdout));
  }
  return results;
}

/**
 * The first pack load of a fresh process (bench/cold-load-child.ts), `runs`
 * times in each of two states of the parse cache (decision 0042): kept (the
 * files unchanged since a process read them: a restart, a second `rulepack`
 * command) and off (every file parsed, as after editing them all). Median
 * and min..max of wall and CPU time, the imports before the load timed
 * apart; printed with the goal's verdict in the form of the suites'.
 */
export function coldPackLoad(runs = 5): string {
  const pack = CANDIDATES.find((f) => existsSync(f));
  if (pack === undefined) return "";
  const child = new URL("../cold-load-child.ts", import.meta.url).pathname;
  const cacheDir = mkdtempSync(join(tmpdir(), "rp-bench-cache-"));
  try {
    coldRuns(child, pack, 1, cacheDir); // keeps the parses
    const kept = coldRuns(child, pack, runs, cacheDir);
    const parsed = coldRuns(child, pack, runs, "off");
    const describe = (
      results: typeof kept,
      what: string,
      pick: (r: (typeof kept)[number]) => Span,
    ) => {
      const cpu = results.map((r) => pick(r).cpuMs);
      const wall = results.map((r) => pick(r).wallMs);
      return `${what} ${median(cpu).toFixed(0)} ms CPU (${Math.min(...cpu).toFixed(0)}..${Math.max(...cpu).toFixed(0)}), ${median(wall).toFixed(0)} ms wall`;
    };
    const line = (results: typeof kept, state: string) => {
      const cold = median(results.map((r) => r.cold.cpuMs));
      return (
        `pack load in a fresh process, ${state} (${pack}, ${runs} processes): ${describe(results, "imports", (r) => r.imports)}; ` +
        `${describe(results, "first load", (r) => r.cold)}; ${describe(results, "second", (r) => r.warm)}\n` +
        `${cold <= COLD_GOAL_MS ? "MET    " : "NOT MET"} pack load cold, ${state}: ${cold.toFixed(0)} ms CPU (goal <= ${COLD_GOAL_MS} ms) [issue 18: the first pack load of a process]\n`
      );
    };
    return (
      line(kept, "parses kept (files unchanged since a process read them)") +
      line(parsed, "no parse kept (every file new or edited)")
    );
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
