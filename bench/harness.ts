/**
 * Benchmark harness: a suite measures a subject against a baseline doing the
 * same job in the same run, so the figure that matters is their ratio, not
 * the absolute speed of whatever machine runs it.
 *
 * Each subject processes a fixed workload once per call of `run()` and says
 * how many units (messages) that was. A round repeats `run()` for at least
 * `roundMs` and gives units per second; rounds of baseline and subject
 * alternate, after a warm-up of both, and the median round is reported
 * beside the slowest and the fastest, in wall time and in CPU time of the
 * process: a machine busy with other work slows wall time far more than CPU
 * time, so ratios and goals are judged on CPU time.
 * Everything runs on one core (this thread).
 */
import { cpus, loadavg, platform, release, totalmem } from "node:os";

export interface Subject {
  readonly name: string;
  /**
   * Process the whole workload once; returns how many units that was. An
   * async pipeline (the inbound handlers are async) returns a promise, which
   * the round awaits; a synchronous subject is never awaited, so it pays no
   * microtask per call.
   */
  run(): number | Promise<number>;
  /**
   * Set-up before each `run()`, outside the timed region (a fresh store:
   * copying, opening, seeding it, closing the one before). `run()` then
   * does only the work being measured.
   */
  prepare?(): void | Promise<void>;
}

export interface Goal {
  /**
   * The subject may take at most this many times the baseline's CPU time
   * per unit (0.5: it must be twice as fast).
   */
  readonly maxRatio?: number;
  /**
   * Which ratio `maxRatio` bounds: CPU time (the default), or wall time for
   * a subject whose point is concurrency (senders waiting on each other).
   */
  readonly judgedOn?: "cpu" | "wall";
  /** The subject must do at least this many units per CPU-second (median round), on this machine. */
  readonly minPerCpuSecond?: number;
  /** Where the goal comes from, printed with the verdict. */
  readonly statement: string;
}

export interface Suite {
  readonly name: string;
  /** What one unit is ("msg"). */
  readonly unit: string;
  /** Units in one pass of the workload (for the record). */
  readonly unitsPerPass: number;
  readonly baseline: Subject;
  readonly subject: Subject;
  readonly goal?: Goal;
}

export interface HarnessOptions {
  readonly warmupMs: number;
  readonly rounds: number;
  readonly roundMs: number;
}

export const DEFAULT_OPTIONS: HarnessOptions = { warmupMs: 500, rounds: 9, roundMs: 250 };

export interface Measurement {
  readonly name: string;
  /** Median over the rounds, wall clock. */
  readonly unitsPerSecond: number;
  readonly microsPerUnit: number;
  /** The slowest and the fastest round, wall clock, units per second. */
  readonly minUnitsPerSecond: number;
  readonly maxUnitsPerSecond: number;
  /**
   * Median over the rounds of units per CPU-second of this process (all its
   * threads: the garbage collector's helpers count): what a loaded machine
   * changes less than wall time.
   */
  readonly unitsPerCpuSecond: number;
  readonly cpuMicrosPerUnit: number;
  /** Every round, in order: wall units per second and units per CPU-second. */
  readonly rounds: readonly { readonly wall: number; readonly cpu: number }[];
}

export interface SuiteResult {
  readonly suite: string;
  readonly unit: string;
  readonly unitsPerPass: number;
  readonly baseline: Measurement;
  readonly subject: Measurement;
  /** Subject CPU time per unit over the baseline's (3 = three times slower): the ratio goals are judged on. */
  readonly ratio: number;
  /** The same from wall-clock time, printed beside it. */
  readonly wallRatio: number;
  readonly goal?: Goal & { readonly met: boolean };
}

/** Results feed a checksum so no work can be optimised away. */
let sink = 0;
export function consume(n: number): void {
  sink = (sink + n) | 0;
}
export function checksum(): number {
  return sink;
}

interface Round {
  readonly wall: number;
  readonly cpu: number;
}

async function round(subject: Subject, roundMs: number): Promise<Round> {
  const limit = BigInt(Math.round(roundMs * 1e6));
  let units = 0;
  let elapsed = 0n;
  let cpuMicros = 0;
  do {
    // Set-up is awaited before the clocks start: only run() is timed.
    if (subject.prepare) await subject.prepare();
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    const done = subject.run();
    units += typeof done === "number" ? done : await done;
    elapsed += process.hrtime.bigint() - start;
    const cpu = process.cpuUsage(cpuStart);
    cpuMicros += cpu.user + cpu.system;
  } while (elapsed < limit);
  const cpuSeconds = Math.max(cpuMicros, 1) / 1e6;
  return { wall: units / (Number(elapsed) / 1e9), cpu: units / cpuSeconds };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function measurement(name: string, rounds: Round[]): Measurement {
  const walls = rounds.map((r) => r.wall);
  const unitsPerSecond = median(walls);
  const unitsPerCpuSecond = median(rounds.map((r) => r.cpu));
  return {
    name,
    unitsPerSecond,
    microsPerUnit: 1e6 / unitsPerSecond,
    minUnitsPerSecond: Math.min(...walls),
    maxUnitsPerSecond: Math.max(...walls),
    unitsPerCpuSecond,
    cpuMicrosPerUnit: 1e6 / unitsPerCpuSecond,
    rounds,
  };
}

/** Whether the subject met the goal: every bound it states. */
export function goalMet(
  goal: Goal,
  ratios: { readonly cpu: number; readonly wall: number },
  subject: Measurement,
): boolean {
  const ratio = goal.judgedOn === "wall" ? ratios.wall : ratios.cpu;
  return (
    (goal.maxRatio === undefined || ratio <= goal.maxRatio) &&
    (goal.minPerCpuSecond === undefined || subject.unitsPerCpuSecond >= goal.minPerCpuSecond)
  );
}

export async function runSuite(
  suite: Suite,
  options: HarnessOptions = DEFAULT_OPTIONS,
): Promise<SuiteResult> {
  await round(suite.baseline, options.warmupMs);
  await round(suite.subject, options.warmupMs);
  const base: Round[] = [];
  const subj: Round[] = [];
  for (let i = 0; i < options.rounds; i++) {
    // Alternate which goes first so drift (heat, GC debt) hits both alike.
    if (i % 2 === 0) {
      base.push(await round(suite.baseline, options.roundMs));
      subj.push(await round(suite.subject, options.roundMs));
    } else {
      subj.push(await round(suite.subject, options.roundMs));
      base.push(await round(suite.baseline, options.roundMs));
    }
  }
  const baseline = measurement(suite.baseline.name, base);
  const subject = measurement(suite.subject.name, subj);
  const ratio = baseline.unitsPerCpuSecond / subject.unitsPerCpuSecond;
  const wallRatio = baseline.unitsPerSecond / subject.unitsPerSecond;
  return {
    suite: suite.name,
    unit: suite.unit,
    unitsPerPass: suite.unitsPerPass,
    baseline,
    subject,
    ratio,
    wallRatio,
    ...(suite.goal
      ? {
          goal: {
            ...suite.goal,
            met: goalMet(suite.goal, { cpu: ratio, wall: wallRatio }, subject),
          },
        }
      : {}),
  };
}

export interface MachineInfo {
  readonly node: string;
  readonly v8: string;
  readonly cpu: string;
  readonly cores: number;
  readonly platform: string;
  readonly arch: string;
  readonly memoryGiB: number;
  /** 1-minute load average when the run started: above the core count, other work shared the CPU. */
  readonly loadAverage: number;
}

export function machineInfo(): MachineInfo {
  const cpu = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: cpu[0]?.model.trim() ?? "unknown",
    cores: cpu.length,
    platform: `${platform()} ${release()}`,
    arch: process.arch,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

function fmt(n: number, digits: number): string {
  return n.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/**
 * The table printed after a run: one baseline row and one subject row per
 * suite, each with the median round (wall clock), the slowest and fastest
 * round, and units per CPU-second beside them; the ratio by CPU time, then
 * by wall time.
 */
export function formatTable(results: readonly SuiteResult[]): string {
  const rows: string[][] = [
    ["suite / subject", "/s median", "/s min..max", "/cpu-s", "µs cpu", "ratio cpu", "ratio wall"],
  ];
  const line = (m: Measurement, ratio: string, wall: string) => [
    m.name,
    fmt(m.unitsPerSecond, 0),
    `${fmt(m.minUnitsPerSecond, 0)}..${fmt(m.maxUnitsPerSecond, 0)}`,
    fmt(m.unitsPerCpuSecond, 0),
    fmt(m.cpuMicrosPerUnit, 1),
    ratio,
    wall,
  ];
  for (const r of results) {
    rows.push([`${r.suite}`, "", "", "", "", "", ""]);
    rows.push(line({ ...r.baseline, name: `  ${r.baseline.name} (baseline)` }, "1.00x", "1.00x"));
    rows.push(
      line(
        { ...r.subject, name: `  ${r.subject.name}` },
        `${fmt(r.ratio, 2)}x`,
        `${fmt(r.wallRatio, 2)}x`,
      ),
    );
  }
  const widths = (rows[0] as string[]).map((_, c) =>
    Math.max(...rows.map((r) => (r[c] ?? "").length)),
  );
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
        .join("  "),
    )
    .join("\n");
}

/** One line per suite: its goal, what was measured, met or not met (a suite without a goal says so). */
export function formatVerdicts(results: readonly SuiteResult[]): string {
  return results
    .map((r) => {
      if (!r.goal) return `no goal: ${r.suite}: ${fmt(r.ratio, 2)}x its baseline (CPU time)`;
      const measured = [
        ...(r.goal.maxRatio !== undefined
          ? [
              `${fmt(r.goal.judgedOn === "wall" ? r.wallRatio : r.ratio, 2)}x by ${r.goal.judgedOn ?? "cpu"} time (goal <= ${fmt(r.goal.maxRatio, 2)}x)`,
            ]
          : [`${fmt(r.ratio, 2)}x`]),
        ...(r.goal.minPerCpuSecond !== undefined
          ? [
              `${fmt(r.subject.unitsPerCpuSecond, 0)} ${r.unit}/cpu-s (goal >= ${fmt(r.goal.minPerCpuSecond, 0)})`,
            ]
          : []),
      ];
      return `${r.goal.met ? "MET    " : "NOT MET"} ${r.suite}: ${measured.join(", ")} [${r.goal.statement}]`;
    })
    .join("\n");
}
