import type { Patient } from "../model/records.js";
import { blocksOf } from "./blocking.js";
import type { Level } from "./comparators/types.js";
import { type DemographicField, type DemographicsConfig, withExtraFields } from "./config.js";
import { type CompiledDemographics, compiledOf, levelsOfPair } from "./scorer.js";

/**
 * Weights from data (docs/decisions/0018-blocking-passes-and-trained-weights.md):
 * the m and u probability of each comparison level of each field,
 * estimated by expectation–maximisation (Fellegi–Sunter with conditional
 * independence, as Splink does) over the pairs of stored patients that
 * share a blocking key. No labels: the mixture of matches and non-matches
 * among those pairs is what EM separates.
 */

const LEVELS = ["agree", "partial", "disagree"] as const;
type Scored = (typeof LEVELS)[number];

export interface TrainedField {
  readonly field: DemographicField;
  readonly m: Readonly<Record<Scored, number>>;
  readonly u: Readonly<Record<Scored, number>>;
  /** log2(m/u) per level, what the scorer adds. */
  readonly weights: Readonly<Record<Scored, number>>;
}

export interface TrainedWeights {
  /** Pairs compared (sharing a blocking key). */
  readonly pairs: number;
  /** The estimated share of those pairs that are one person. */
  readonly matchShare: number;
  readonly iterations: number;
  readonly fields: readonly TrainedField[];
}

export interface TrainOptions {
  /** At most this many pairs (the first in patient order); 2,000,000 by default. */
  readonly maxPairs?: number;
  readonly maxIterations?: number;
  /** Random pairs u is counted on; 200,000 by default. */
  readonly randomPairs?: number;
}

const CODE: Readonly<Record<Level, number>> = { agree: 0, partial: 1, disagree: 2, missing: 3 };
const FLOOR = 1e-4;

/** Estimates per-level weights for the configuration's fields from the patients given. */
export function trainWeights(
  config: CompiledDemographics | DemographicsConfig,
  patients: readonly Patient[],
  options: TrainOptions = {},
): TrainedWeights {
  // The pack's fields and the extra ones training judges (city, ZIP); the
  // pack's blocking and guards.
  const source = compiledOf(config).source;
  const ownFields = source.fields.length;
  const compiled = compiledOf(withExtraFields(source));
  const fields = compiled.fields;
  const n = fields.length;
  const maxPairs = options.maxPairs ?? 2_000_000;
  // Pairs sharing a key of any pass, each once.
  const blocks = blocksOf(patients, compiled.blocking);
  const seen = new Set<number>();
  const rows: Uint8Array[] = [];
  const total = patients.length;
  outer: for (const list of blocks.values()) {
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        const a = list[x] as number;
        const b = list[y] as number;
        const id = a * total + b;
        if (seen.has(id)) continue;
        seen.add(id);
        const levels = levelsOfPair(compiled, patients[a] as Patient, patients[b] as Patient);
        rows.push(Uint8Array.from(levels, (l) => CODE[l]));
        if (rows.length >= maxPairs) break outer;
      }
    }
  }
  // u from random pairs (almost all of them two people), as Splink does;
  // EM then estimates only m and the match share, u held.
  const u = fields.map(() => [FLOOR, FLOOR, FLOOR]);
  const samples = Math.min(options.randomPairs ?? 200_000, (total * (total - 1)) / 2);
  let seed = 0x9e3779b9;
  const next = (): number => {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return seed / 2 ** 32;
  };
  for (let i = 0; i < samples; i++) {
    const a = Math.floor(next() * total);
    const b = Math.floor(next() * total);
    if (a === b) continue;
    const levels = levelsOfPair(compiled, patients[a] as Patient, patients[b] as Patient);
    levels.forEach((level, f) => {
      const uf = u[f] as number[];
      if (level !== "missing") uf[CODE[level]] = (uf[CODE[level]] as number) + 1;
    });
  }
  for (const uf of u) {
    const sum = uf.reduce((x, y) => x + y, 0);
    for (let l = 0; l < 3; l++) uf[l] = Math.max((uf[l] as number) / sum, FLOOR);
  }
  const m = fields.map(() => [0.9, 0.05, 0.05]);
  let lambda = 0.01;
  const maxIterations = options.maxIterations ?? 50;
  let iterations = 0;
  const posterior = new Float64Array(rows.length);
  for (; iterations < maxIterations; iterations++) {
    // E step.
    let sumP = 0;
    rows.forEach((row, r) => {
      let pm = lambda;
      let pu = 1 - lambda;
      for (let f = 0; f < n; f++) {
        const level = row[f] as number;
        if (level === 3) continue;
        pm *= (m[f] as number[])[level] as number;
        pu *= (u[f] as number[])[level] as number;
      }
      const p = pm / (pm + pu);
      posterior[r] = p;
      sumP += p;
    });
    // M step.
    const nextLambda = Math.min(Math.max(sumP / Math.max(rows.length, 1), FLOOR), 1 - FLOOR);
    let change = Math.abs(nextLambda - lambda);
    lambda = nextLambda;
    for (let f = 0; f < n; f++) {
      const cm = [0, 0, 0];
      rows.forEach((row, r) => {
        const level = row[f] as number;
        if (level === 3) return;
        const p = posterior[r] as number;
        cm[level] = (cm[level] as number) + p;
      });
      const sm = cm.reduce((s, v) => s + v, 0);
      for (let l = 0; l < 3; l++) {
        const nm = Math.max((cm[l] as number) / (sm || 1), FLOOR);
        change = Math.max(change, Math.abs(nm - ((m[f] as number[])[l] as number)));
        (m[f] as number[])[l] = nm;
      }
    }
    if (change < 1e-5) break;
  }
  const record = (values: number[]): Record<Scored, number> => ({
    agree: values[0] as number,
    partial: values[1] as number,
    disagree: values[2] as number,
  });
  return {
    pairs: rows.length,
    matchShare: lambda,
    iterations,
    fields: fields.flatMap((field, f) => {
      // A field training added (city, ZIP) that no compared pair holds says nothing.
      if (f >= ownFields && !rows.some((row) => row[f] !== 3)) return [];
      const mf = m[f] as number[];
      const uf = u[f] as number[];
      return [
        {
          field: field.field,
          m: record(mf),
          u: record(uf),
          weights: record(mf.map((v, l) => Math.log2(v / (uf[l] as number)))),
        },
      ];
    }),
  };
}
