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
 * Reached 2026-12-06 (`npm run match-eval`): docs/decisions/0028-capped-blocks-and-practice-weights.md.
 * Left out to stay near 20 s: febrlUS10k (febrlUS1k is the same
 * generator's households), and trained weights but on Febrl 3 and febrlUS1k
 * (the sets where they differ most from the hand-set ones).
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
    febrl1: [1, 0.946, 0.972, 0.996, 0.024],
    febrl2: [1, 0.902, 0.949, 0.991, 0.01],
    febrl3: [1, 0.884, 0.938, 0.994, 0.038],
    febrl4: [1, 0.963, 0.981, 0.998, 0.014],
    dsgenC1k: [1, 0.324, 0.489, 0.908, 0.115],
    dsgenC10k: [1, 0.36, 0.529, 0.872, 0.108],
    febrlUS1k: [1, 0.992, 0.996, 0.999, 0.003],
  },
  trained: {
    febrl3: [1, 0.933, 0.965, 0.994, 0.025],
    febrlUS1k: [1, 0.965, 0.982, 0.999, 0.031],
  },
};

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
        expectAtFloor(evaluateSet(dataset, config, weights), floorOf(reached));
      });
    }
  });
}
