import jsonata from "jsonata";
import { describe, expect, it } from "vitest";
import {
  compileExpression,
  DEFAULT_BUDGET,
  type ExpressionBudget,
  type ExpressionResult,
} from "../../engine/expressions/runtime.js";
import { type Hl7Message, parseHl7 } from "../../engine/hl7/index.js";

/**
 * docs/pack-language.md §11: a pack cannot exhaust memory. The strings and
 * arrays an expression builds are bounded (maxStringLength, maxSequence,
 * maxAllocation), checked before the built-ins that amplify allocate and at
 * every step (engine/expressions/budget.ts, builtins.ts).
 */

const parsed = parseHl7(
  `MSH|^~\\&|LAKESIDE|LFM|RULEPACK|FAC|20240101120000||ADT^A04|C1|P|2.3.1\r${["PID", "1", "", "123^^^MR", "", "DOE^JOHN", ...Array(13).fill(""), "100000000"].join("|")}\r`,
).messages[0];
if (!parsed) throw new Error("no message");
const message: Hl7Message = parsed;

async function run(source: string, budget: Partial<ExpressionBudget> = {}, input: unknown = {}) {
  // Steps high enough that the size limits, not the step count, decide.
  const result = compileExpression(source, { ...DEFAULT_BUDGET, maxSteps: 1_000_000, ...budget });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.expression.evaluate(input, {
    read: { message },
    now: new Date(0),
    mapCode: () => undefined,
  });
}

function refusedFor(limit: string): ExpressionResult {
  return {
    ok: false,
    error: { code: "EXPRESSION_BUDGET_EXCEEDED", message: expect.stringContaining(limit) },
  } as ExpressionResult;
}

describe("maxStringLength: checked before a built-in builds the string", () => {
  const cases: readonly string[] = [
    "$pad('x', 20000000)",
    "$pad('x', 300000000)",
    "$pad('x', $number($field('PID.19')))", // the width from a message field: 10^8
    "$pad('x', 1000, $pad('y', 900000))",
    "$join([1..10000].($pad('', 200, 'a')))",
    "$replace($pad('', 10000, 'a'), 'a', $pad('', 1000, 'b'))",
    "$string([1..9999].{'k': $pad('', 200, 'z')})",
  ];
  for (const source of cases) {
    it(`${source} is refused, not built`, async () => {
      expect(await run(source)).toEqual(refusedFor("maxStringLength 1000000"));
    });
  }

  it("a $reduce that doubles a string is stopped at maxStringLength (it killed Node at 2^27)", async () => {
    const doubling = "$reduce([1..27], function($a, $b) { $a & $a }, 'x')";
    expect(await run(doubling)).toEqual(refusedFor("maxStringLength 1000000"));
  });

  it("`&` on an object counts its JSON text", async () => {
    const big = "[1..9000].{'k': 'abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz'}";
    expect(await run(`(${big}) & ''`, { maxStringLength: 100_000 })).toEqual(
      refusedFor("maxStringLength 100000"),
    );
  });
});

describe("maxSequence: arrays as long as the sequence limit", () => {
  it("a range past it is refused before it is built (D2015)", async () => {
    expect(await run("[1..20000]")).toEqual(refusedFor("D2015"));
  });

  it("$split stops one piece past it", async () => {
    expect(await run("$split($pad('', 50000, ','), ',')")).toEqual(refusedFor("maxSequence 10000"));
  });
});

describe("maxAllocation: what one evaluation builds in all", () => {
  it("many strings each under maxStringLength are refused together", async () => {
    const many = "$count([1..100].($pad('x', 999999)))";
    expect(await run(many)).toEqual(refusedFor("maxAllocation 10000000"));
  });
});

describe("the size-checked built-ins behave as JSONata's own", () => {
  const sources = [
    "'ab' ~> $pad(5, '-')",
    "$pad('ab', -5)",
    "$pad('x', 3, 'ab')",
    "$join(['a', 'b'], ',')",
    "a.$string()",
    "$string({'x': [1, 2.5]}, true)",
    "$replace('a.b.c', '.', '::')",
    "$replace('a.b.c', '.', '::', 1)",
    "$split('a,b,c', ',', 2)",
    "$split('a,b,c', ',')",
    "[1, 2] & 'x'",
  ];
  for (const source of sources) {
    it(source, async () => {
      const input = { a: { x: 1 } };
      expect(await run(source, {}, input)).toEqual({
        ok: true,
        value: await jsonata(source).evaluate(input),
      });
    });
  }
});
