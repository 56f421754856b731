import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { corpusSeeds, examplePractices, faults, fuzzCase, mutate, receive } from "./harness.js";

/**
 * Issue 14, "Contained": no message takes the engine down or leaves it
 * without an answer. About 10,000 mutations (3,000 inputs of 1 to 5 each)
 * of the corpus messages, through both example packs, with a fixed seed so
 * a failure replays; `npm run fuzz -- --minutes N` runs longer with a new
 * seed each time.
 */
const practices = examplePractices();
const seeds = corpusSeeds();

describe("Fuzzed corpus messages through both example packs", () => {
  it("end in a final state, none in ATHENAERROR, without an exception", async () => {
    await fc.assert(
      fc.asyncProperty(fuzzCase(practices.length, seeds.length), async (c) => {
        const practice = practices[c.practice];
        const source = seeds[c.seed];
        if (!practice || !source) throw new Error("no such practice or seed");
        const received = await receive(practice, mutate(source.bytes, c.mutations));
        expect(faults(received)).toStrictEqual([]);
        for (const o of received.outcomes) expect(o.state).not.toBe("NEW");
      }),
      { seed: 14, numRuns: 3_000, endOnFailure: true },
    );
  });
});
