/**
 * Benchmark harness: a suite measures a subject against a baseline doing the
 * same job in the same run, so the figure that matters is their ratio, not
 * the absolute speed of whatever machine runs it.
 *
 * Each subject processes a fixed workload once per call of `run()` and says
 * how many units (messages) that was. A round repeats `run()` for at least
 * `roundMs` and gives units per second; rounds of baseline and subject
 * alternate, after a warm-up of both, and the median round is reported.
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
}

export interface Goal {
  /** The subject may take at most this many times the baseline's time per unit. */
  readonly maxRatio: number;
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
  /** Median over the rounds. */
  readonly unitsPerSecond: number;
  readonly microsPerUnit: number;
  /** Every round, in order, units per second. */
  readonly rounds: readonly number[];
}

export interface SuiteResult {
  readonly suite: string;
  readonly unit: string;
  readonly unitsPerPass: number;
  readonly baseline: Measurement;
  readonly subject: Measurement;
  /** Subject time per unit over baseline time per unit (3 = three times slower). */
  readonly ratio: number;
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

async function round(subject: Subject, roundMs: number): Promise<number> {
  const limit = BigInt(Math.round(roundMs * 1e6));
  const start = process.hrtime.bigint();
  let units = 0;
  let elapsed = 0n;
  do {
    const done = subject.run();
    units += typeof done === "number" ? done : await done;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < limit);
  return units / (Number(elapsed) / 1e9);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function measurement(name: string, rounds: number[]): Measurement {
  const unitsPerSecond = median(rounds);
  return { name, unitsPerSecond, microsPerUnit: 1e6 / unitsPerSecond, rounds };
}

export async function runSuite(
  suite: Suite,
  options: HarnessOptions = DEFAULT_OPTIONS,
): Promise<SuiteResult> {
  await round(suite.baseline, options.warmupMs);
  await round(suite.subject, options.warmupMs);
  const base: number[] = [];
  const subj: number[] = [];
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
  const ratio = baseline.unitsPerSecond / subject.unitsPerSecond;
  return {
    suite: suite.name,
    unit: suite.unit,
    unitsPerPass: suite.unitsPerPass,
    baseline,
    subject,
    ratio,
    ...(suite.goal ? { goal: { ...suite.goal, met: ratio <= suite.goal.maxRatio } } : {}),
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

/** The table printed after a run: one baseline row and one subject row per suite. */
export function formatTable(results: readonly SuiteResult[]): string {
  const rows: string[][] = [["suite / subject", "units/s", "µs/unit", "vs baseline"]];
  for (const r of results) {
    rows.push([`${r.suite}`, "", "", ""]);
    rows.push([
      `  ${r.baseline.name} (baseline)`,
      fmt(r.baseline.unitsPerSecond, 0),
      fmt(r.baseline.microsPerUnit, 2),
      "1.00x",
    ]);
    rows.push([
      `  ${r.subject.name}`,
      fmt(r.subject.unitsPerSecond, 0),
      fmt(r.subject.microsPerUnit, 2),
      `${fmt(r.ratio, 2)}x`,
    ]);
  }
  const units = new Set(results.map((r) => r.unit));
  const unit = units.size === 1 ? (results[0]?.unit ?? "unit") : "unit";
  (rows[0] as string[])[1] = `${unit}s/s`;
  (rows[0] as string[])[2] = `µs/${unit}`;
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
