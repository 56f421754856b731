import { describe, expect, it } from "vitest";
import { parseHl7 } from "../../engine/hl7/parse.js";
import type { ReadWork } from "../../engine/hl7/unframe.js";
import { corpusBytes } from "./helpers.js";

/**
 * Reading is linear in the input: a file of 16,000 MLLP frames took 46 s in
 * `run` and `parse` (0.5 s unframed), because the text was rebuilt and
 * re-scanned frame by frame. The work is counted, not timed: the characters
 * framing and line splitting go through.
 */
const MESSAGE = corpusBytes("ADT_A04__mirth__1.hl7").toString("latin1").replace(/\r?\n/g, "\r");

const framed = (n: number) => Buffer.from(`\x0b${MESSAGE}\x1c\r`.repeat(n), "latin1");
const unframed = (n: number) => Buffer.from(MESSAGE.repeat(n), "latin1");

function workFor(input: Buffer | string): number {
  const work: ReadWork = { chars: 0 };
  parseHl7(input, { work });
  return work.chars;
}

describe("Reading MLLP-framed input", () => {
  it.each([
    ["bytes", (n: number) => framed(n)],
    ["text", (n: number) => framed(n).toString("latin1")],
  ])("goes through each character a bounded number of times (%s)", (_, input) => {
    const small = input(100);
    const work = workFor(small);
    expect(work).toBeGreaterThan(0);
    expect(work).toBeLessThanOrEqual(5 * small.length);
    // Twice the frames, twice the work.
    expect(workFor(input(200))).toBe(2 * work);
  });

  it("counts no more work for framed input than a constant times the unframed", () => {
    const n = 100;
    expect(workFor(framed(n))).toBeLessThanOrEqual(5 * workFor(unframed(n)));
  });

  it("reads n frames as the same n messages the input unframed holds", () => {
    const doc = parseHl7(framed(50));
    expect(doc.mllp).toBe(true);
    expect(doc.issues).toStrictEqual([]);
    const plain = parseHl7(unframed(50));
    expect(doc.messages).toStrictEqual(plain.messages);
  });
});
