import jsonata from "jsonata";
import { describe, expect, it } from "vitest";
import { attachBudget, startRun } from "../../engine/expressions/budget.js";
import {
  type CompiledExpression,
  compileExpression,
  DEFAULT_BUDGET,
  type ExpressionBudget,
  type ExpressionEnvironment,
} from "../../engine/expressions/runtime.js";
import { type Hl7Message, parseHl7 } from "../../engine/hl7/index.js";

/**
 * docs/pack-language.md §11: the expression budget is counted, not timed
 * (`limits.expressions.maxSteps` through JSONata 2.2's evaluation hooks),
 * so an expression's verdict is the same on a loaded machine as on a quiet
 * one. engine/expressions/budget.ts.
 */

const parsed = parseHl7(
  "MSH|^~\\&|ORTHOCHART|HARBOR|RULEPACK|FAC|20240101120000||ADT^A04^ADT_A01|C1|P|2.5.1\rPID|1||123^^^MR||DOE^JOHN\r",
).messages[0];
if (!parsed) throw new Error("no message");
const message: Hl7Message = parsed;

function env(extra: Partial<ExpressionEnvironment> = {}): ExpressionEnvironment {
  return {
    read: { message },
    now: new Date("2026-01-02T03:04:05Z"),
    mapCode: () => undefined,
    ...extra,
  };
}

function compiled(source: string, budget: Partial<ExpressionBudget> = {}): CompiledExpression {
  const result = compileExpression(source, { ...DEFAULT_BUDGET, ...budget });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.expression;
}

const TRIVIAL = "$field('MSH.3') = 'ORTHOCHART'";

describe("maxSteps: every node JSONata evaluates is a step", () => {
  it("the hooks fire: the trivial condition takes exactly 5 steps (fails if JSONata stops calling them)", async () => {
    expect(await compiled(TRIVIAL, { maxSteps: 5 }).evaluate({}, env())).toEqual({
      ok: true,
      value: true,
    });
    const over = await compiled(TRIVIAL, { maxSteps: 4 }).evaluate({}, env());
    expect(over).toEqual({
      ok: false,
      error: {
        code: "EXPRESSION_BUDGET_EXCEEDED",
        message: `${TRIVIAL}: maxSteps 4 exceeded (5)`,
      },
    });
  });

  it("lambda calls and recursion count: a tail-recursive loop stops at maxSteps, not at a depth", async () => {
    const loop = "($f := function($n) { $n > 0 ? $f($n - 1) : 'done' }; $f(100000))";
    const result = await compiled(loop, { maxSteps: 1000, maxDepth: 1000 }).evaluate({}, env());
    expect(result.ok ? undefined : result.error.message).toContain("maxSteps 1000 exceeded");
  });

  it("$reduce callbacks count: 1000 additions need more than 1000 steps", async () => {
    const sum = "$reduce([1..1000], function($a, $b) { $a + $b })";
    expect(await compiled(sum, { maxSteps: 1000 }).evaluate({}, env())).toMatchObject({
      ok: false,
      error: { code: "EXPRESSION_BUDGET_EXCEEDED" },
    });
    expect(await compiled(sum, { maxSteps: 10_000 }).evaluate({}, env())).toEqual({
      ok: true,
      value: 500_500,
    });
  });

  it("each evaluation has its own count, also when evaluations of one expression overlap", async () => {
    // ~3000 steps each: three sharing one counter would pass 5000.
    const e = compiled("$count($map([1..500], function($v) { $v * 2 }))", { maxSteps: 5000 });
    const results = await Promise.all([1, 2, 3].map(() => e.evaluate({}, env())));
    expect(results).toEqual([1, 2, 3].map(() => ({ ok: true, value: 500 })));
  });

  it("the verdict does not depend on the wall clock: a slow helper does not fail a trivial condition", async () => {
    // A machine so loaded that a $mapCode lookup takes 80 ms (the old 50 ms limit failed this).
    const stalled = env({
      mapCode: () => {
        const until = Date.now() + 80;
        while (Date.now() < until);
        return "1";
      },
    });
    const e = compiled("$mapCode('department', 'MAIN') = '1'");
    expect(await e.evaluate({}, stalled)).toEqual({ ok: true, value: true });
  });

  it("fails closed: an expression evaluated without its run's counters is refused", async () => {
    const bare = jsonata("1 + 1");
    attachBudget(bare, DEFAULT_BUDGET);
    await expect(bare.evaluate({})).rejects.toMatchObject({ limit: "notAttached" });
    expect(await bare.evaluate({}, startRun().bindings)).toBe(2);
  });
});

describe("timeoutMs: only a backstop against a hung evaluator (EXPRESSION_TIMEOUT)", () => {
  it("an evaluation past the backstop is EXPRESSION_TIMEOUT, not a budget verdict", async () => {
    const stalled = env({
      mapCode: () => {
        const until = Date.now() + 150;
        while (Date.now() < until);
        return "1";
      },
    });
    // $join is JSONata's to evaluate: the synchronous forms (sync.ts) are bounded and never time out.
    const e = compiled("$mapCode('department', $join(['MAIN'])) = '1'", { timeoutMs: 100 });
    expect(e.kind).toBe("jsonata");
    const result = await e.evaluate({}, stalled);
    expect(result.ok ? undefined : result.error.code).toBe("EXPRESSION_TIMEOUT");
    expect(result.ok ? "" : result.error.message).toContain("D1012");
  });
});
