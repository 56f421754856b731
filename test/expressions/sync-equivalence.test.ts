import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  type CompiledExpression,
  compileExpression,
  compileJsonataOnly,
  DEFAULT_BUDGET,
  type ExpressionBudget,
  type ExpressionEnvironment,
  type ExpressionResult,
} from "../../engine/expressions/runtime.js";
import { type Hl7Message, parseHl7 } from "../../engine/hl7/index.js";
import { messageContext } from "../../engine/inbound/context.js";
import { mapCodeForExpression } from "../../engine/inbound/mapping.js";
import type { CompiledPack } from "../../engine/pack/compiled.js";
import { loadPack } from "../../engine/pack/load.js";
import type { StoreView } from "../../engine/store/types.js";
import { seeded } from "../support/seeded.js";

/**
 * Decision 0040: an expression compiled to a synchronous form (sync.ts)
 * gives exactly what JSONata gives for it — the same value, or the same
 * error — on every corpus message: the example packs' own expressions, each
 * form over references to missing fields, repeats, components,
 * subcomponents, escapes and the HL7 null, and seeded random combinations of
 * the forms. Where the synchronous form gives up, `evaluate` is JSONata's.
 */

const CORPUS = "../shared/corpus/hl7";
const NOW = new Date("2026-11-25T12:00:00Z");

const harbor = loadPack("rules/practices/harbor-ortho/pack.yaml");
if (!harbor.ok) throw new Error(JSON.stringify(harbor.errors));
const pack: CompiledPack = harbor.pack;

const messages: Hl7Message[] = readdirSync(CORPUS)
  .filter((f) => f.endsWith(".hl7"))
  .sort()
  .flatMap((f) => parseHl7(readFileSync(join(CORPUS, f))).messages);

/** What a decision gives an expression for one corpus message: `$` as inbound builds it, the tree, Harbor's tables. */
function situations(): { input: unknown; env: ExpressionEnvironment }[] {
  const view = {} as StoreView;
  return messages.flatMap((message, i) => {
    const ctx = messageContext(pack, message, view, NOW, undefined, false);
    const env: ExpressionEnvironment = {
      read: { message },
      now: NOW,
      mapCode: (table, code) => mapCodeForExpression(ctx, table, code),
    };
    const records = [
      { packageId: "9001", policyNumber: "X1" },
      { packageId: i % 2 === 0 ? "17" : null, nested: { deeper: 2.5 } },
    ];
    const base = ctx.expressionInput as object;
    return [
      { input: base, env },
      { input: { ...base, event: "create", record: records[i % 2] }, env },
      {
        input: { ...base, event: "update", record: records[(i + 1) % 2] },
        env: { ...env, variables: { value: i % 3 === 0 ? null : `V-${i}-x` } },
      },
    ];
  });
}
const SITUATIONS = situations();

/** References over what the corpus holds and lacks: repeats, filters, components, subcomponents, keys, alternatives. */
const REFERENCES = [
  "MSH.3",
  "MSH.9.2",
  "MSH.12",
  "EVN.1",
  "PID.3.1",
  "PID.3[2].1",
  "PID.3[5=MR].1",
  "PID.3.4.2",
  "PID.5.1",
  "PID.5.2",
  "PID.7",
  "PID.8",
  "PID.11.1",
  "PID.11.3",
  "PID.13.1",
  "PID.13[2=HOME].1",
  "PID.19",
  "PV1.3.1",
  "PV1.7.2",
  "PV1.19.3",
  "IN1.4",
  "IN1[2].2",
  "NTE.3",
  "OBX.5",
  "ZPI.4",
  "NK1.2.1",
  "DG1.3.2",
  "IN1.2+IN1.4",
  "PID.8 | ZPI.4",
  "PID.3[*].1",
  "PID.13[*].2",
  "DG1[*].3.1",
];

/** Every form, each over a reference R (and a second one, S). */
const TEMPLATES = [
  "$field(R) = 'F'",
  "$field(R) != 'M'",
  "$exists($field(R))",
  "$not($field(R))",
  "$boolean($field(R))",
  "$uppercase($field(R))",
  "$lowercase($field(R)) & '-' & $length($field(R))",
  "$trim($field(R))",
  "$substring($field(R), 1, 3)",
  "$substring($field(R), -2)",
  "$substringBefore($field(R), ' ')",
  "$substringAfter($field(R), '^')",
  "$contains($field(R), 'A')",
  "$replace($field(R), 'A', '-')",
  "$replace($field(R), '\\\\', '/')",
  "$string($field(R))",
  "$field(R) in ['M', 'F', 'ORTHOCHART', '2.5.1']",
  "$field(R) ? 'yes' : 'no'",
  "$field(R) and $field(S)",
  "$field(R) or $field(S)",
  "$field(R) & $field(S)",
  "$field(R) > $field(S)",
  "$field(R) <= 'M'",
  "$length($field(R)) * 2 - 1",
  "-$length($field(R)) % 3",
  "$length($field(R)) / 0",
  "$field(R) > 5",
  "$mapCode('sex', $field(R))",
  "$mapCode('sex', $field(R)) = 'F' or $field(S) = ''",
  "($field(R); $field(S))",
  "$field(R) = $value",
];

/** Expressions of the example packs and fixtures (`when:` and `expr:`), found by walking their YAML. */
function packExpressions(): string[] {
  const files = [
    "rules/base.yaml",
    "rules/practices/harbor-ortho/pack.yaml",
    "rules/practices/lakeside-family/pack.yaml",
    "test/fixtures/packs/valid/pack.yaml",
    "test/fixtures/appointments/appt-if-applicable/pack.yaml",
  ];
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if ((key === "when" || key === "expr") && typeof value === "string") found.add(value);
        else walk(value);
      }
    }
  };
  for (const file of files) walk(parseYaml(readFileSync(file, "utf8")));
  return [...found];
}

function compiled(source: string, budget?: ExpressionBudget): CompiledExpression {
  const result = compileExpression(source, budget);
  if (!result.ok) throw new Error(`${source}: ${JSON.stringify(result.errors)}`);
  return result.expression;
}

function jsonataOnly(source: string, budget?: ExpressionBudget): CompiledExpression {
  const result = compileJsonataOnly(source, budget);
  if (!result.ok) throw new Error(`${source}: ${JSON.stringify(result.errors)}`);
  return result.expression;
}

interface Tally {
  evaluations: number;
  answeredNow: number;
  differing: string[];
}

/** Each expression on every situation: `evaluateNow` (when it answers) and `evaluate` equal JSONata's result. */
async function compare(
  sources: readonly string[],
  budget?: ExpressionBudget,
  situations = SITUATIONS,
): Promise<Tally> {
  const tally: Tally = { evaluations: 0, answeredNow: 0, differing: [] };
  for (const source of sources) {
    const subject = compiled(source, budget);
    const reference = jsonataOnly(source, budget);
    for (const [i, { input, env }] of situations.entries()) {
      const expected: ExpressionResult = await reference.evaluate(input, env);
      const now = subject.evaluateNow(input, env);
      const later = await subject.evaluate(input, env);
      tally.evaluations++;
      if (now !== undefined) tally.answeredNow++;
      for (const [how, got] of [
        ["evaluateNow", now ?? expected],
        ["evaluate", later],
      ] as const) {
        if (
          JSON.stringify(got) !== JSON.stringify(expected) ||
          !Object.is(value(got), value(expected))
        )
          tally.differing.push(
            `${source} on situation ${i} by ${how}: ${JSON.stringify(got)} vs JSONata ${JSON.stringify(expected)}`,
          );
      }
    }
  }
  return tally;
}

/** A scalar result as it is (Object.is tells -0 from 0, which JSON does not). */
function value(result: ExpressionResult): unknown {
  return result.ok && (result.value === null || typeof result.value !== "object")
    ? result.value
    : undefined;
}

describe("the example packs' expressions", () => {
  it("are all compiled to a synchronous form, and give JSONata's results on every corpus message", async () => {
    const sources = packExpressions();
    expect(sources).toEqual(
      expect.arrayContaining([
        "$field('MSH.3') = 'ORTHOCHART'",
        '$not(record.packageId = "9001")',
        '$replace($value, "-", "")',
      ]),
    );
    expect(sources.filter((s) => compiled(s).kind === "jsonata")).toEqual([]);
    const tally = await compare(sources);
    expect(tally.differing).toEqual([]);
    expect(tally.answeredNow).toBe(tally.evaluations);
  });
});

describe("each form over references to the corpus", () => {
  it("gives JSONata's value or error: missing fields, repeats, components, escapes, HL7 null", async () => {
    const sources = TEMPLATES.flatMap((t, i) =>
      REFERENCES.map((r, j) =>
        t
          .replaceAll("$field(R)", `$field('${r}')`)
          .replaceAll("$field(S)", `$field('${REFERENCES[(i + j + 1) % REFERENCES.length]}')`),
      ),
    );
    // A twelfth of the situations per template keeps the run short; every message is read by some.
    const situations = SITUATIONS.filter((_, k) => k % 12 === 0);
    const tally = await compare(sources, undefined, situations);
    expect(tally.differing).toEqual([]);
    expect(sources.every((s) => compiled(s).kind === "compiled")).toBe(true);
    // Type errors and division by zero are JSONata's to report: the rest is answered synchronously.
    expect(tally.answeredNow / tally.evaluations).toBeGreaterThan(0.75);
  });

  it("paths over `$` read own keys of plain data only, as plainInput copies it", async () => {
    const sources = [
      "message.type = 'ADT' and message.trigger in ['A04', 'A08', 'A28']",
      "message.sendingApplication & '/' & message.sendingFacility",
      "practice.timeZone",
      "record.nested.deeper + 1",
      "record.missing.deeper",
      "record.constructor",
      "record.packageId",
      "message",
      "event = 'create' ? record.policyNumber : 'none'",
    ];
    const tally = await compare(sources);
    expect(tally.differing).toEqual([]);
    const odd = [
      { input: { a: { b: new Date(0) }, c: Number.NaN, d: [1] } },
      { input: Object.assign(Object.create({ inherited: "x" }), { own: "y" }) },
    ];
    const cyclic: Record<string, unknown> = { k: "v" };
    cyclic.self = cyclic;
    const env = SITUATIONS[0]?.env as ExpressionEnvironment;
    const oddTally = await compare(
      ["a.b", "a.b.c", "c", "d", "inherited", "own", "self.k", "self.self.k", "k"],
      undefined,
      [...odd, { input: cyclic }].map(({ input }) => ({ input, env })),
    );
    expect(oddTally.differing).toEqual([]);
  });
});

describe("the budget", () => {
  it("an expression with more nodes than maxSteps or maxDepth stays JSONata's, so its verdict is the same", async () => {
    const source = "$field('PID.8') = 'F' and $field('PID.7') > '1900'";
    const small: ExpressionBudget = { ...DEFAULT_BUDGET, maxSteps: 5 };
    expect(compiled(source, small).kind).toBe("jsonata");
    expect(compiled(source, { ...DEFAULT_BUDGET, maxDepth: 3 }).kind).toBe("jsonata");
    const tally = await compare([source], small, SITUATIONS.slice(0, 3));
    expect(tally.differing).toEqual([]);
  });

  it("a string past maxStringLength or maxAllocation gives up, and JSONata reports the budget", async () => {
    const source = "$field('PID.5.1') & $field('PID.5.1') & $field('PID.5.1')";
    for (const budget of [
      { ...DEFAULT_BUDGET, maxStringLength: 12 },
      { ...DEFAULT_BUDGET, maxAllocation: 20 },
    ]) {
      const tally = await compare([source], budget);
      expect(tally.differing).toEqual([]);
      expect(tally.answeredNow).toBeLessThan(tally.evaluations);
    }
  });
});

describe("seeded random combinations of the forms", () => {
  const random = seeded(18_040);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const LITERALS = [
    "''",
    "'A'",
    "'F'",
    "'ORTHOCHART'",
    "'9001'",
    "0",
    "1",
    "2.5",
    "-3",
    "true",
    "false",
    "null",
  ];
  const PATHS = [
    "message.type",
    "message.trigger",
    "message.sentAt",
    "practice.timeZone",
    "record.packageId",
    "record.nested.deeper",
    "event",
    "message",
  ];
  const UNARY = ["not", "exists", "boolean", "string", "uppercase", "lowercase", "trim", "length"];
  const OPS = ["=", "!=", "<", "<=", ">", ">=", "and", "or", "&", "+", "-", "*", "/", "%"];
  function gen(depth: number): string {
    const leaf = depth <= 0 || random() < 0.3;
    if (leaf) {
      const k = random();
      if (k < 0.3) return pick(LITERALS);
      if (k < 0.65) return `$field('${pick(REFERENCES)}')`;
      if (k < 0.9) return pick(PATHS);
      return pick(["$value", "$other"]);
    }
    const k = random();
    if (k < 0.35) return `${gen(depth - 1)} ${pick(OPS)} ${gen(depth - 1)}`;
    if (k < 0.45) return `${gen(depth - 1)} in [${gen(0)}, ${gen(0)}]`;
    if (k < 0.5) return `-${gen(depth - 1)}`;
    if (k < 0.6) return `${gen(depth - 1)} ? ${gen(depth - 1)} : ${gen(depth - 1)}`;
    if (k < 0.8) return `$${pick(UNARY)}(${gen(depth - 1)})`;
    if (k < 0.85) return `$substring(${gen(depth - 1)}, ${gen(0)}, ${gen(0)})`;
    if (k < 0.9) return `$contains(${gen(depth - 1)}, ${gen(0)})`;
    if (k < 0.95) return `$replace(${gen(depth - 1)}, ${gen(0)}, ${gen(0)})`;
    return `(${gen(depth - 1)})`;
  }

  it("give JSONata's value or error on corpus messages (250 expressions)", async () => {
    const sources = Array.from({ length: 250 }, () => gen(3));
    const situations = SITUATIONS.filter((_, k) => k % 13 === 0);
    const tally = await compare(sources, undefined, situations);
    expect(tally.differing).toEqual([]);
    expect(tally.answeredNow).toBeGreaterThan(tally.evaluations / 3);
  });
});
