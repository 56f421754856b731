import { describe, expect, it } from "vitest";
import type { NULL_PASSING } from "../../engine/expressions/builtins.js";
import { compileExpression, DEFAULT_BUDGET } from "../../engine/expressions/runtime.js";
import { type Hl7Message, parseHl7 } from "../../engine/hl7/index.js";

/**
 * docs/pack-language.md §5.2: the HL7 null (`""`, "delete the value")
 * reaches an expression as `null`; the string built-ins return `null` for
 * it, as they return nothing for an absent value (engine/expressions/builtins.ts).
 */

const parsed = parseHl7(
  'MSH|^~\\&|PRAIRIE|LAKESIDE|PS|PS|20260115120000||ADT^A08|C1|P|2.5.1\rPID|1||P-88||""^Grace||||||||||||||""\r',
).messages[0];
if (!parsed) throw new Error("no message");
const message: Hl7Message = parsed;

async function run(source: string, variables: Record<string, unknown> = {}) {
  const compiled = compileExpression(source, DEFAULT_BUDGET);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  return compiled.expression.evaluate(
    {},
    { read: { message }, now: new Date(0), mapCode: () => undefined, variables },
  );
}

const CALLS: Readonly<Record<(typeof NULL_PASSING)[number], string>> = {
  substring: "$substring($value, 0, 3)",
  substringBefore: "$substringBefore($value, '-')",
  substringAfter: "$substringAfter($value, '-')",
  uppercase: "$uppercase($value)",
  lowercase: "$lowercase($value)",
  trim: "$trim($value)",
  pad: "$pad($value, 5)",
  replace: '$replace($value, "-", "")',
  split: "$split($value, '-')",
  contains: "$contains($value, '-')",
  length: "$length($value)",
};

describe("string built-ins take the HL7 null", () => {
  for (const [name, source] of Object.entries(CALLS)) {
    it(`$${name}: null for null, nothing for nothing, as before for a string`, async () => {
      expect(await run(source, { value: null })).toEqual({ ok: true, value: null });
      expect(await run(source, {})).toEqual({ ok: true, value: undefined });
      expect((await run(source, { value: "12-34" })).ok).toBe(true);
    });
  }

  it('$field of a field sent as "" is null, and a chain of string functions keeps it null', async () => {
    expect(await run("$uppercase($trim($field('PID.19')))")).toEqual({ ok: true, value: null });
    expect(await run("$field('PID.5.1') ~> $substring(0, 1)")).toEqual({ ok: true, value: null });
  });

  it("other types are still refused (EXPRESSION_ERROR)", async () => {
    const result = await run("$uppercase(12)");
    expect(result.ok ? undefined : result.error.code).toBe("EXPRESSION_ERROR");
  });
});
