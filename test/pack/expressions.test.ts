import { describe, expect, it } from "vitest";
import {
  type CompiledExpression,
  compileExpression,
  compileUnchecked,
  DEFAULT_BUDGET,
  type ExpressionBudget,
  type ExpressionEnvironment,
  plainInput,
} from "../../engine/expressions/runtime.js";
import { type Hl7Message, parseHl7 } from "../../engine/hl7/index.js";

/**
 * docs/pack-language.md §5.2 (JSONata: logic) and §11 (the expression
 * budget), on engine/expressions/runtime.ts.
 */

function message(...lines: string[]): Hl7Message {
  const doc = parseHl7(`${lines.join("\r")}\r`);
  const first = doc.messages[0];
  if (first === undefined) throw new Error("no message");
  return first;
}

const ADT = message(
  "MSH|^~\\&|ORTHOCHART|HARBOR|RULEPACK|FAC|20240101120000||ADT^A04^ADT_A01|CTRL1|P|2.5.1",
  'PID|1||123^^^MR||DOE^JOHN^Q||19700101|M|||||||||||""',
  "PV1|1|O|MAIN",
);

/** A segment line from its non-empty fields: seg("FT1", { 1: "1", 4: "X" }) = "FT1|1|||X". */
function seg(name: string, fields: Record<number, string>): string {
  const last = Math.max(...Object.keys(fields).map(Number));
  return [name, ...Array.from({ length: last }, (_, i) => fields[i + 1] ?? "")].join("|");
}

const DFT = message(
  "MSH|^~\\&|ORTHOCHART|HARBOR|RULEPACK|FAC|20240101120000||DFT^P03^DFT_P03|CTRL2|P|2.5.1",
  "PID|1||123^^^MR||DOE^JOHN",
  seg("FT1", { 1: "1", 4: "20240101", 6: "CG", 16: "DEPT16", 19: "E11.9~I10", 20: "1234^SMITH" }),
);

const calls: [string, string][] = [];
function env(m: Hl7Message, extra: Partial<ExpressionEnvironment> = {}): ExpressionEnvironment {
  return {
    read: { message: m },
    now: new Date("2026-01-02T03:04:05Z"),
    mapCode: (table, code) => {
      calls.push([table, code]);
      return table === "department" && code === "MAIN" ? "1" : undefined;
    },
    ...extra,
  };
}

function compiled(source: string, budget: ExpressionBudget = DEFAULT_BUDGET): CompiledExpression {
  const result = compileExpression(source, budget);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.expression;
}

async function value(source: string, m: Hl7Message = ADT, input: unknown = {}, extra = {}) {
  const result = await compiled(source).evaluate(input, env(m, extra));
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

describe("compiled once at load: compileExpression", () => {
  it("a plain field path compiles to an accessor, with no JSONata at run time", () => {
    const e = compiled("PID.5.1");
    expect([e.kind, e.references.map((r) => r.source), e.tables]).toEqual([
      "accessor",
      ["PID.5.1"],
      [],
    ]);
  });

  it("an expression that is only $field('<literal>') compiles to the same accessor", () => {
    for (const source of ["$field('PID.5.1')", '$field("PID.5.1")', "  $field('PID.5.1')\n"]) {
      const e = compiled(source);
      expect([e.kind, e.references.map((r) => r.source)]).toEqual(["accessor", ["PID.5.1"]]);
    }
  });

  it("more than $field(...) alone is compiled to a synchronous form, or else JSONata", () => {
    expect(compiled("$field('PID.5.1') & ''").kind).toBe("compiled");
    expect(compiled("$uppercase($field('PID.5.1'))").kind).toBe("compiled");
    expect(compiled("$not(record.packageId = '9001')").kind).toBe("compiled");
    expect(compiled("$field('PID.5.1')[0]").kind).toBe("jsonata");
    expect(compiled("$split($field('PID.5.1'), '-')").kind).toBe("jsonata");
  });

  it("refuses nothing legitimate", () => {
    const legit = [
      "$uppercase($field('PID.5.1'))",
      "'I10' in $field('FT1.19[*]')",
      '$replace($value, "-", "")',
      "$substring($field('PID.5.3'), 0, 1)",
      "$contains($field('MSH.3'), 'ORTHO') and $exists($field('PID.19'))",
      "$split($field('PID.5.1'), \"-\")[0]",
      "$map($field('FT1.19[*]'), function($c) { $uppercase($c) })",
      "($f := function($x) { $trim($x) }; $f($field('PID.14.1')))",
      "$substring(?, 0, 1)($field('PID.5.2'))",
      "$mapCode('department', $field('PV1.3.1'))",
      "message.type = 'ADT' ? practice.name : $string($count($field('FT1.19[*]')))",
      "$now() & $string($millis())",
      "$field('MSH.3') = 'ORTHOCHART'",
    ];
    const refused = legit.filter((s) => !compileExpression(s).ok);
    expect(refused).toEqual([]);
  });

  it("records the field references and mapping tables it names, with the table's column", () => {
    const e = compiled(
      `$mapCode('department', $field('PV1.3.1')) & $mapCode("provider", $field('PV1.7'))`,
    );
    expect(e.references.map((r) => r.source)).toEqual(["PV1.3.1", "PV1.7"]);
    expect(e.tables).toEqual(["department", "provider"]);
    expect([...e.tableColumns]).toEqual([
      ["department", 11],
      ["provider", 55],
    ]);
  });

  const REFUSED: readonly [source: string, code: string, column: number][] = [
    ["$uppercase($field('PID.5.1')", "JSONATA_SYNTAX", 28],
    ["foo bar", "JSONATA_SYNTAX", 5],
    ["$contains($field('PID.5.1'), /ab+/)", "JSONATA_REGEX_FORBIDDEN", 30],
    ['$eval("1 + 1")', "JSONATA_FORBIDDEN_FUNCTION", 1],
    ["($e := $eval; $e('1'))", "JSONATA_FORBIDDEN_FUNCTION", 8],
    ["$string($random())", "JSONATA_FORBIDDEN_FUNCTION", 9],
    ["$shuffle([1, 2])", "JSONATA_FORBIDDEN_FUNCTION", 1],
    ["$lowercase($initial('X'))", "JSONATA_FORBIDDEN_FUNCTION", 12],
    ["$field($x)", "INVALID_FIELD_REFERENCE", 1],
    ["$exists($field('PID.5.0'))", "INVALID_FIELD_REFERENCE", 23],
    ["$mapCode($t, '1')", "MAPPING_TABLE_NOT_FOUND", 1],
  ];
  for (const [source, code, column] of REFUSED) {
    it(`${code} at column ${column}: ${source}`, () => {
      const result = compileExpression(source);
      expect(result.ok ? [] : result.errors.map((e) => [e.code, e.column])).toEqual([
        [code, column],
      ]);
    });
  }

  it("JSONATA_SYNTAX carries JSONata's error code and message", () => {
    const result = compileExpression("$substring($field('PID.5.1'), 0,, 1)");
    expect(result.ok ? [] : result.errors).toEqual([
      {
        code: "JSONATA_SYNTAX",
        message: 'S0211 The symbol "," cannot be used as a unary operator',
        column: 33,
      },
    ]);
  });
});

describe("$field(ref): the field-reference accessor", () => {
  it("reads a value", async () => {
    expect(await value("$field('PID.5.1')")).toBe("DOE");
    expect(await value("$uppercase($field('PID.5.2'))")).toBe("JOHN");
  });

  it('the HL7 null "" is null; an absent field is undefined', async () => {
    expect(await value("$field('PID.19')")).toBeNull();
    expect(await value("$field('PID.20')")).toBeUndefined();
    expect(await value("{ 'null': $field('PID.19'), 'absent': $field('PID.20') }")).toEqual({
      null: null,
    });
    expect(await value("$exists($field('PID.20'))")).toBe(false);
  });

  it("a repeating value is a list: test it with `in`, not `=`", async () => {
    expect(await value("$field('FT1.19[*]')", DFT)).toEqual(["E11.9", "I10"]);
    expect(await value("'I10' in $field('FT1.19[*]')", DFT)).toBe(true);
    expect(await value("$field('FT1.19[*]') = 'I10'", DFT)).toBe(false);
  });

  it("$value is the from: result passed in env.variables", async () => {
    expect(
      await value('$replace($value, "-", "")', ADT, {}, { variables: { value: "123-45-6789" } }),
    ).toBe("123456789");
  });
});

describe("$mapCode(table, code)", () => {
  it("calls env.mapCode and returns the practice code, or undefined", async () => {
    calls.length = 0;
    expect(await value("$mapCode('department', $field('PV1.3.1'))")).toBe("1");
    expect(await value("$mapCode('department', 'EAST')")).toBeUndefined();
    expect(calls).toEqual([
      ["department", "MAIN"],
      ["department", "EAST"],
    ]);
  });

  it("a code that is not a string is not looked up", async () => {
    calls.length = 0;
    expect(await value("$mapCode('department', $field('PID.20'))")).toBeUndefined();
    expect(await value("$mapCode('department', 3)")).toBeUndefined();
    expect(calls).toEqual([]);
  });
});

describe("§11 limits: the budget (EXPRESSION_BUDGET_EXCEEDED)", () => {
  // Steps, sizes and the backstop in detail: test/expressions/.
  const small: ExpressionBudget = { ...DEFAULT_BUDGET, maxDepth: 50, maxSequence: 1000 };

  async function spent(source: string, budget: ExpressionBudget) {
    return compiled(source, budget).evaluate({}, env(ADT));
  }

  it("maxDepth: endless recursion stops with D1011", async () => {
    const result = await spent("($f := function($n) { 1 + $f($n + 1) }; $f(0))", small);
    expect(result.ok ? undefined : result.error.code).toBe("EXPRESSION_BUDGET_EXCEEDED");
    expect(result.ok ? "" : result.error.message).toContain("D1011");
  });

  it("maxSequence: [1..100000] with maxSequence 1000 stops with D2015", async () => {
    const result = await spent("$count([1..100000])", small);
    expect(result.ok ? undefined : result.error.code).toBe("EXPRESSION_BUDGET_EXCEEDED");
    expect(result.ok ? "" : result.error.message).toContain("D2015");
    expect(await spent("$count([1..1000])", small)).toEqual({ ok: true, value: 1000 });
  });

  it("the defaults are the doc's: counted limits, and a 10 s backstop", () => {
    expect(DEFAULT_BUDGET).toEqual({
      maxSteps: 10_000,
      maxDepth: 100,
      maxSequence: 10_000,
      maxStringLength: 1_000_000,
      maxAllocation: 10_000_000,
      timeoutMs: 10_000,
    });
  });
});

describe("regexes and $eval are refused at run time too", () => {
  it("$eval('/' & p & '/') is shadowed: a bypass that slipped past load still fails, fast", async () => {
    const bypass = compileUnchecked(
      `($p := "(a+)+$"; $contains("aaaaaaaaaaaaaaaaaaaaaaaaaaaa!", $eval('/' & $p & '/')))`,
    );
    const result = await bypass.evaluate({}, env(ADT));
    expect(result).toEqual({
      ok: false,
      error: {
        code: "EXPRESSION_ERROR",
        message: expect.stringContaining("$eval is not allowed in rule packs"),
      },
    });
  });

  it("a variable named eval cannot put $eval back", async () => {
    const result = await compileUnchecked("$eval('1 + 1')").evaluate(
      {},
      env(ADT, { variables: { eval: () => 2 } }),
    );
    expect(result.ok ? undefined : result.error.message).toContain("$eval is not allowed");
  });

  it("a regex literal that reaches evaluation meets a RegexEngine that refuses it", async () => {
    const result = await compileUnchecked(
      '$contains("aaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /(a+)+$/)',
    ).evaluate({}, env(ADT));
    expect(result).toEqual({
      ok: false,
      error: {
        code: "EXPRESSION_ERROR",
        message: expect.stringContaining("regular expressions are not allowed in rule packs"),
      },
    });
  });

  it("$random and $shuffle are shadowed as well", async () => {
    for (const source of ["$random()", "$shuffle([1, 2, 3])"]) {
      const result = await compileUnchecked(source).evaluate({}, env(ADT));
      expect(result.ok ? undefined : result.error.code).toBe("EXPRESSION_ERROR");
    }
  });
});

describe("evaluation never hangs and never throws: errors are values (EXPRESSION_ERROR)", () => {
  const cases: readonly [source: string, holds: string][] = [
    ["$error('no department')", "no department"],
    ["$number('x')", "D3030"],
    ["$substring(1, 'a')", "T0410"],
    ["practice.name()", "T1006"],
  ];
  for (const [source, holds] of cases) {
    it(source, async () => {
      const result = await compiled(source).evaluate({ practice: { name: "Harbor" } }, env(ADT));
      expect(result.ok ? undefined : [result.error.code, result.error.message]).toEqual([
        "EXPRESSION_ERROR",
        expect.stringContaining(holds),
      ]);
      expect(result.ok ? "" : result.error.message.startsWith(`${source}: `)).toBe(true);
    });
  }

  it("a mapCode that throws is an error value", async () => {
    const result = await compiled("$mapCode('department', 'MAIN')").evaluate(
      {},
      env(ADT, {
        mapCode: () => {
          throw new Error("store closed");
        },
      }),
    );
    expect(result.ok ? undefined : result.error.message).toContain("store closed");
  });

  it("an accessor whose read fails is an error value, not a rejected promise", async () => {
    const broken = {
      read: {} as ExpressionEnvironment["read"],
      now: new Date(0),
      mapCode: () => undefined,
    };
    await expect(compiled("PID.5.1").evaluate({}, broken)).resolves.toMatchObject({
      ok: false,
      error: { code: "EXPRESSION_ERROR" },
    });
  });
});

describe("plain frozen data only", () => {
  const input = {
    message: { type: "ADT", trigger: "A04", sentAt: new Date(0) },
    practice: { name: "Harbor", timeZone: "America/New_York", hook: () => "called" },
    list: [3, 1, 2],
  };

  it("a function in the input is not reachable", async () => {
    expect(await value("$keys(practice)", ADT, input)).toEqual(["name", "timeZone"]);
    const call = await compiled("practice.hook()").evaluate(input, env(ADT));
    expect(call.ok ? call.value : call.error.code).toBe("EXPRESSION_ERROR");
    expect(await value("$type(practice.hook)", ADT, input)).toBeUndefined();
  });

  it("only plain values are kept: class instances are left out", async () => {
    expect(await value("$keys(message)", ADT, input)).toEqual(["type", "trigger"]);
  });

  it("plainInput copies once, deep-frozen, and evaluation reads it as given", async () => {
    const plain = plainInput(input) as typeof input;
    expect(plainInput(plain)).toBe(plain);
    expect([
      Object.isFrozen(plain),
      Object.isFrozen(plain.practice),
      Object.isFrozen(plain.list),
    ]).toEqual([true, true, true]);
    expect(plain).toEqual({
      message: { type: "ADT", trigger: "A04" },
      practice: { name: "Harbor", timeZone: "America/New_York" },
      list: [3, 1, 2],
    });
    expect(await value("$sort(list)", ADT, plain)).toEqual([1, 2, 3]);
    expect(await value("list[$ > 1]", ADT, plain)).toEqual([3, 2]);
    expect(await value("practice.($uppercase(name))", ADT, plain)).toBe("HARBOR");
    expect(input.practice.hook()).toBe("called");
    expect(input.list).toEqual([3, 1, 2]);
  });
});

describe("$now() and $millis() are the message's clock (env.now), never the wall clock", () => {
  const now = new Date("2026-11-25T12:34:56.789Z");

  it("with env.now, they return it", async () => {
    expect(await value("$millis()", ADT, {}, { now })).toBe(now.getTime());
    expect(await value("$now()", ADT, {}, { now })).toBe("2026-11-25T12:34:56.789Z");
    expect(await value("$now('[Y0001]-[M01]-[D01]', '-0500')", ADT, {}, { now })).toBe(
      "2026-11-25",
    );
  });
});
