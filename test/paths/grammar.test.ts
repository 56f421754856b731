import fc from "fast-check";
import nearley from "nearley";
import { describe, expect, it } from "vitest";
import {
  compileReference,
  formatReference,
  parseReference,
  type ReferenceAst,
} from "../../engine/paths/index.js";
import { referenceGrammar } from "../../engine/paths/parse.js";

/** Every parse nearley finds, without the library's own error handling on top. */
function rawParses(text: string): unknown[] {
  const parser = new nearley.Parser(referenceGrammar);
  parser.feed(text);
  return parser.results;
}

const chainOf = (n: number, operand: (i: number) => string, sep: string): string =>
  Array.from({ length: n }, (_, i) => operand(i + 1)).join(sep);

const VALID = [
  "PID.7",
  "PID.5.1",
  "PID.5.1.2",
  "PID-5",
  "PID-5-1",
  "PID-5-1-2",
  "PID.3[2].1",
  "PID.3[*].1",
  "PID.3[5=MR].1",
  "PID.13[2=PRN].1",
  "PID.13[3=CP].1",
  "PID.3[5=MR]",
  "PID.3[5=MR].4.1",
  "PID.3[5=0].1",
  "PID.3[5=05]",
  "PID.3[5=-]",
  "PID.3[5=2-A_b]",
  "PID.3[5=PID]",
  "PID.3[5=supervisorOf]",
  "PID.3[5=123abc]",
  'PID.3[4="2.16.840.1.113883"].1',
  'PID.3[5="MR"].1',
  'PID.3[5="a \\"b\\" \\\\ | + ] ["]',
  "IN1[2].3[5=MR].1",
  "DG1[*].3[5=MR].1",
  "PID.3[5=MR].1+PID.3[5=SS].1",
  "PID.3[5=MR].1 | PID.3[1].1",
  "supervisorOf(FT1.20[9=NPI])",
  "FT1.16 | IN1.2+IN1.4[2=X] | patient.x | supervisorOf(PV1.7[13=NPI].1)",
  chainOf(10, (i) => `PID.3[5=T${i}].1`, " | "),
  chainOf(10, (i) => `IN1.${i}[1="v ${i}"]`, "+"),
  "FT1.19[*]",
  "FT1.26[*]",
  "IN1[2].36",
  "IN1[2].3[2].1.1",
  "DG1[*].3",
  "DG1[*].3.1",
  "MSH.9.2",
  "MSH.1",
  "ZPD.1",
  "ZPIDX.12.3",
  "IN1.2+IN1.4+IN1.5",
  "IN1.2 + IN1.4 + IN1.5",
  "FT1.16 | FT1.13",
  "FT1.16|FT1.13",
  "appointment.departmentId | FT1.16 | FT1.13",
  "patient.primaryProviderId",
  "supervisorOf(FT1.21)",
  "supervisorOf( appointment.providerId | FT1.20 )",
  "supervisorOf(supervisorOf(FT1.21))",
  "FT1.16 | IN1.2+IN1.4 | patient.x | supervisorOf(PV1.7)",
  "  PID.5.1  ",
  "PID.5\n| PID.6",
  chainOf(10, (i) => `FT1.${i}`, " | "),
  chainOf(10, (i) => `IN1.${i}`, "+"),
  chainOf(10, (i) => `IN1.${i}`, " + "),
  chainOf(10, (i) => `IN1.${i}+IN2.${i}`, " | "),
  chainOf(10, (i) => (i % 2 ? `appointment.f${i}` : `supervisorOf(PV1.${i} | PV1.7)`), " | "),
];

describe("the grammar gives exactly one parse for every valid reference", () => {
  it.each(VALID)("%j", (text) => {
    expect(rawParses(text)).toHaveLength(1);
  });

  it("has 10-operand chains among the cases (an ambiguous grammar yields thousands of parses there)", () => {
    expect(VALID.filter((t) => t.split(/[|+]/).length >= 10).length).toBeGreaterThanOrEqual(4);
  });
});

describe("the syntax tree", () => {
  it("records each part, null where not written, and spans of the text", () => {
    expect(parseReference("IN1[2].3[*].1 | appointment.departmentId")).toEqual({
      ok: true,
      ast: {
        type: "chain",
        span: { start: 0, end: 40 },
        alternatives: [
          {
            type: "field",
            segment: "IN1",
            occurrence: 2,
            field: 3,
            repetition: "*",
            component: 1,
            subcomponent: null,
            notation: "dotted",
            span: { start: 0, end: 13 },
          },
          {
            type: "derived",
            record: "appointment",
            field: "departmentId",
            span: { start: 16, end: 40 },
          },
        ],
      },
    });
  });

  it("flattens a composite key into its parts", () => {
    const parsed = parseReference("IN1.2+IN1.4+IN1.5");
    expect(parsed.ok && parsed.ast.alternatives[0]).toMatchObject({
      type: "composite",
      parts: [{ field: 2 }, { field: 4 }, { field: 5 }],
      span: { start: 0, end: 17 },
    });
  });

  it("records a repetition filter as its component and the value compared, quotes and escapes removed", () => {
    const parsed = parseReference('PID.3[5=MR].1 | PID.3[4="a\\"b\\\\c"]');
    expect(parsed.ok && parsed.ast.alternatives).toMatchObject([
      {
        field: 3,
        repetition: { component: 5, equals: "MR" },
        component: 1,
        span: { start: 0, end: 13 },
      },
      { repetition: { component: 4, equals: 'a"b\\c' }, component: null, span: { start: 16 } },
    ]);
  });

  it("reads the HAPI spelling into the same tree as the dotted one", () => {
    const hapi = parseReference("PID-5-1-2");
    expect(hapi.ok && hapi.ast.alternatives[0]).toMatchObject({
      segment: "PID",
      occurrence: null,
      field: 5,
      repetition: null,
      component: 1,
      subcomponent: 2,
      notation: "hapi",
    });
  });
});

describe("formatReference writes the canonical dotted spelling", () => {
  it.each([
    ["PID-5-1", "PID.5.1"],
    ["PID-5", "PID.5"],
    ["  FT1.16|FT1.13 ", "FT1.16 | FT1.13"],
    ["IN1.2 + IN1.4 +IN1.5", "IN1.2+IN1.4+IN1.5"],
    [
      "supervisorOf( FT1.21|appointment.providerId )",
      "supervisorOf(FT1.21 | appointment.providerId)",
    ],
    ["DG1[*].3", "DG1[*].3"],
    ["IN1[2].3[2].1.4", "IN1[2].3[2].1.4"],
    ["PID.3[5=MR].1", "PID.3[5=MR].1"],
    ['PID.3[5="MR"].1', "PID.3[5=MR].1"],
    ['PID.3[5="05"]', "PID.3[5=05]"],
    ['PID.3[4="2.16.840.1"].1', 'PID.3[4="2.16.840.1"].1'],
    ['PID.3[4="a b"]', 'PID.3[4="a b"]'],
    ['PID.3[4="a\\"b\\\\c"]', 'PID.3[4="a\\"b\\\\c"]'],
    ["DG1[*].3[5=MR] |IN1.2+IN1.3[1=x]", "DG1[*].3[5=MR] | IN1.2+IN1.3[1=x]"],
  ])("%j -> %j", (text, canonical) => {
    const parsed = parseReference(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(formatReference(parsed.ast)).toBe(canonical);
  });

  it("round-trips: parsing the canonical form gives the same tree, spans aside", () => {
    const strip = (ast: ReferenceAst): unknown =>
      JSON.parse(JSON.stringify(ast, (k, v) => (k === "span" || k === "notation" ? undefined : v)));
    for (const text of VALID) {
      const parsed = parseReference(text);
      if (!parsed.ok) throw new Error(text);
      const again = parseReference(formatReference(parsed.ast));
      if (!again.ok) throw new Error(formatReference(parsed.ast));
      expect(strip(again.ast)).toEqual(strip(parsed.ast));
    }
  });
});

function errorOf(text: string) {
  const result = compileReference(text);
  if (result.ok) throw new Error(`${JSON.stringify(text)} compiled`);
  return result.error;
}

describe("a bad reference is INVALID_FIELD_REFERENCE with the column of the offending character", () => {
  it.each([
    // [reference, column, part of the message]
    ["PID.", 5, "unexpected end of reference; expected a number"],
    ["FT1.16 |", 9, "unexpected end of reference; expected a field reference"],
    ["FT1.16 | ", 10, "unexpected end of reference"],
    ["IN1.2+", 7, "unexpected end of reference; expected a segment ID"],
    ["supervisorOf(FT1.21", 20, 'unexpected end of reference; expected ")", "+", ".", "[" or "|"'],
    ["appointment.", 13, "expected a field name"],
    ["", 1, "empty field reference"],
    ["   ", 4, "empty field reference"],
    ["PIDX.5", 1, '"PIDX" is not a segment ID'],
    ["P1.5", 1, '"P1" is not a segment ID'],
    ["pid.5", 1, "segment IDs are upper case: PID"],
    ["claim.total", 1, 'unknown source "claim"'],
    ["PID.0", 5, "count from 1"],
    ["PID.5.0", 7, "the spec's PID.5.0 is PID.5.1"],
    ["PID.05", 5, "without leading zeros"],
    ["PID.3[0].1", 7, "count from 1"],
    ["PID.5..1", 7, 'unexpected "."; expected a number'],
    ["PID.5.1.2.3", 10, 'unexpected "."'],
    ["PID. 5", 5, "unexpected whitespace"],
    ["PID .5", 4, "unexpected whitespace"],
    ["PID.5 $", 7, 'unexpected character "$"'],
    ["PID.5 ; PID.6", 7, 'unexpected character ";"'],
    ["PID-3(2)-1", 6, "HAPI's PID-3(1) counts from 0"],
    ["PID-5.1", 6, 'unexpected "."'],
    ["PID.3[x]", 7, 'unexpected "x"'],
    ["PID.3[*", 8, 'expected "]"'],
    ["FT1.16 || FT1.13", 9, 'unexpected "|"'],
    ["IN1.2+patient.lastName", 7, "a composite key part is always an HL7 field reference"],
    ["IN1.2+DG1[*].3", 11, "[*] (a list) is not allowed in a key"],
    ["IN1.2+IN1[*].4", 11, "[*] (a list) is not allowed in a key"],
    ["DG1[*].3[*]", 10, "one [*] per reference"],
    ["supervisorOf(DG1[*].3[*])", 23, "one [*] per reference"],
    ["supervisorOf (FT1.21)", 13, "unexpected whitespace"],
    ["supervisorof(FT1.21)", 1, 'unknown source "supervisorof"'],
    ["PID.5 PID.6", 7, 'unexpected "PID"'],
    // repetition filters [c=value]
    ["PID.3[5=]", 9, 'unexpected "]"; expected a value to compare with'],
    ["PID.3[0=MR]", 7, "count from 1"],
    ["PID.3[05=MR]", 7, "without leading zeros"],
    ["PID.3[5=MR", 11, 'unexpected end of reference; expected "]"'],
    ["PID.3[5=", 9, "unexpected end of reference; expected a value to compare with"],
    ['PID.3[5="MR]', 9, 'unterminated quoted value: expected a closing "'],
    ['PID.3[5="MR', 9, "unterminated quoted value"],
    ['PID.3[5="MR\\"]', 9, "unterminated quoted value"],
    ['PID.3[5="M\nR"]', 9, "unterminated quoted value"],
    ['PID.3[5=""]', 9, "empty quoted value"],
    ['PID.3[5="a\\x"]', 11, "bad escape in a quoted value"],
    ["PID[5=MR].3", 6, "picks a field's repetition, not a segment's"],
    ["IN1[2=x].3", 6, "picks a field's repetition, not a segment's"],
    ["PID.3[*=MR]", 8, "[*] takes no filter"],
    ["PID.3[5=2.16.840]", 10, "written in double quotes"],
    ["PID.3[5=MR|PID.4]", 11, 'unexpected character "|"; expected "]"'],
    ["PID.3[5= MR]", 9, "unexpected whitespace; expected a value"],
    ["PID.3[5=MR ]", 11, 'unexpected whitespace; expected "]"'],
    ["PID.3 [5=MR]", 7, 'unexpected "["; expected "+", "|" or the end'],
    ["PID.3[5==MR]", 9, 'unexpected character "="'],
    ["PID.3[5.1=MR]", 8, 'unexpected "."; expected "=" or "]"'],
    ["PID.3[x=MR]", 7, 'unexpected "x"'],
    ["PID.3[=MR]", 7, 'unexpected "="'],
    ["PID.3[5=MR][2]", 12, 'unexpected "["'],
    ["PID-3[5=MR]", 6, 'unexpected "["'],
    ["PID.3=MR", 6, 'unexpected "="'],
    ["DG1[*].3[5=MR]+PID.3", 5, "[*] (a list) is not allowed in a key"],
  ] as const)("%j -> column %i", (text, column, message) => {
    const error = errorOf(text);
    expect(error.code).toBe("INVALID_FIELD_REFERENCE");
    expect(error.column).toBe(column);
    expect(error.message).toContain(message);
  });

  it("rejects what is not text without throwing (a YAML number)", () => {
    expect(errorOf(430 as unknown as string)).toEqual({
      code: "INVALID_FIELD_REFERENCE",
      message: "a field reference must be text",
      column: 1,
    });
  });

  it("never throws, and every column lies within the text or one past its end", () => {
    const alphabet = fc.constantFrom(
      ...'PIDFT1NZ.-[]*()|+ 0123456789apointmentsupervisorOfx$\n="\\_'.split(""),
      "PID",
      "[5=",
      "IN1",
      "appointment",
      "supervisorOf",
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 30 }), (parts) => {
        const text = parts.join("");
        const result = compileReference(text);
        if (!result.ok) {
          expect(result.error.column).toBeGreaterThanOrEqual(1);
          expect(result.error.column).toBeLessThanOrEqual(text.length + 1);
        } else {
          // Whatever compiles parses exactly once.
          expect(rawParses(text)).toHaveLength(1);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
