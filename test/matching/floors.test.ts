import { describe, expect, it } from "vitest";
import {
  DATASETS,
  DEFAULT_CONFIG,
  evaluateSet,
  loadConfig,
  type SetResult,
  type Weights,
} from "../../scripts/match-eval.js";

/**
 * The matcher's figures on corpus/matching (read in place through
 * scripts/match-eval.ts) stay at what was reached, less a small margin: a
 * change that loses links, precision or blocking recall fails here.
 * Reached 2026-12-06 (`npm run match-eval`): docs/decisions/0043-location-fields-street-blocks-and-household-evidence.md.
 * Left out to stay near 20 s: febrlUS10k (febrlUS1k is the same
 * generator's households), and trained weights but on DS-Gen C 10k (the
 * hard set, where training matters most) and febrlUS1k (households, where
 * it is most at risk of linking two people).
 */

interface Floor {
  /** Precision of the automatic links at least. */
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly blockingRecall: number;
  /** Records sent to review, as a share of the records, at most. */
  readonly reviewShare: number;
}

const MARGIN = 0.01;

/** Reached values: precision, recall, F1, blocking recall, review share. */
const REACHED: Readonly<Record<Weights, Readonly<Record<string, readonly number[]>>>> = {
  "hand-set": {
    febrl1: [1, 0.946, 0.972, 0.998, 0.024],
    febrl2: [1, 0.906, 0.951, 0.995, 0.009],
    febrl3: [1, 0.885, 0.939, 0.995, 0.038],
    febrl4: [1, 0.965, 0.982, 0.999, 0.013],
    dsgenC1k: [1, 0.332, 0.498, 0.947, 0.112],
    dsgenC10k: [1, 0.374, 0.544, 0.929, 0.107],
    febrlUS1k: [1, 0.992, 0.996, 1.0, 0.003],
  },
  trained: {
    dsgenC10k: [1, 0.735, 0.847, 0.929, 0.049],
    febrlUS1k: [1, 0.998, 0.999, 1.0, 0.025],
  },
};

/** Sets of households (same address, another person): not one wrong automatic link. */
const HOUSEHOLDS = new Set(["febrlUS1k"]);

function floorOf(reached: readonly number[]): Floor {
  const [precision, recall, f1, blockingRecall, reviewShare] = reached as [
    number,
    number,
    number,
    number,
    number,
  ];
  return {
    // The goal is 0.995 whatever was reached.
    precision: Math.min(precision - 0.0005, 0.995),
    recall: recall - MARGIN,
    f1: f1 - MARGIN,
    blockingRecall: blockingRecall - 0.005,
    reviewShare: reviewShare + MARGIN,
  };
}

const config = loadConfig(DEFAULT_CONFIG);

function expectAtFloor(result: SetResult, floor: Floor): void {
  const figures = {
    precision: result.precision,
    recall: result.recall,
    f1: result.f1,
    blockingRecall: result.blockingRecall,
  };
  for (const [name, value] of Object.entries(figures)) {
    expect(value, `${result.name} ${result.weights} ${name}`).toBeGreaterThanOrEqual(
      floor[name as keyof Floor],
    );
  }
  expect(result.reviewShare, `${result.name} ${result.weights} review share`).toBeLessThanOrEqual(
    floor.reviewShare,
  );
}

for (const weights of ["hand-set", "trained"] as const) {
  describe(`match-eval floors, ${weights} weights`, () => {
    for (const [name, reached] of Object.entries(REACHED[weights])) {
      it(`${name}: precision, recall, F1, blocking recall and review share at what was reached`, () => {
        const dataset = DATASETS.find((d) => d.name === name);
        if (dataset === undefined) throw new Error(`no data set ${name}`);
        const result = evaluateSet(dataset, config, weights);
        expectAtFloor(result, floorOf(reached));
        if (HOUSEHOLDS.has(name)) {
          expect(result.linked - result.correct, `${name} ${weights} wrong links`).toBe(0);
        }
      });
    }
  });
}
