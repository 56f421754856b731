import { describe, expect, it } from "vitest";
import { isAbsent } from "../../engine/testing/absent.js";
import { loadTestFile } from "../../engine/testing/load.js";
import { formatProblem } from "../../engine/testing/model.js";
import { FIXTURES } from "./helpers.js";

const problemsOf = (file: string): string[] => {
  const load = loadTestFile(`${FIXTURES}/broken/${file}`);
  if (load.ok) throw new Error(`${file} loaded`);
  return load.errors.map(formatProblem);
};

describe("test files: broken ones are reported at FILE:LINE:COL", () => {
  const B = `${FIXTURES}/broken`;
  it.each([
    [
      "unknown-key.test.yaml",
      [
        `${B}/unknown-key.test.yaml:5:5: UNKNOWN_KEY "mesages" is not a key of cases[0] (did you mean messages?)`,
      ],
    ],
    [
      "yaml-syntax.test.yaml",
      [`${B}/yaml-syntax.test.yaml:4:11: YAML_SYNTAX Missing closing "quote`],
    ],
    [
      "bad-assert.test.yaml",
      [
        `${B}/bad-assert.test.yaml:8:40: JSONATA_SYNTAX assert: S0203 Expected ")" before end of expression`,
      ],
    ],
  ])("%s", (file, expected) => {
    expect(problemsOf(file)).toEqual(expected);
  });

  it("events: are schema-checked practice events; expect.messages field references must parse", () => {
    expect(problemsOf("events.test.yaml")).toEqual([
      `${B}/events.test.yaml:6:9: MISSING_KEY cases[0].events[0].patient is required`,
      `${B}/events.test.yaml:9:21: INVALID_FIELD_REFERENCE unexpected "x"; expected a number`,
    ]);
  });

  it("fixtures, message files and case names are checked", () => {
    const problems = problemsOf("missing-things.test.yaml");
    expect(problems.map((p) => p.split(": ")[0]?.split(" ")[0])).toEqual([
      `${B}/missing-things.test.yaml:6:12`,
      `${B}/missing-things.test.yaml:8:15`,
      `${B}/missing-things.test.yaml:11:11`,
    ]);
    expect(problems.join("\n")).toMatch(/FIXTURE_NOT_FOUND no fixture 'nobody'/);
    expect(problems.join("\n")).toMatch(
      /FILE_NOT_FOUND cannot read message file 'no-such-message.hl7'/,
    );
    expect(problems.join("\n")).toMatch(/DUPLICATE_CASE .* already defined at line 4/);
  });
});

describe("test files: what a valid one reads to", () => {
  const load = loadTestFile("test/rules/runner-basics.test.yaml");
  if (!load.ok) throw new Error(load.errors.map(formatProblem).join("\n"));
  const suite = load.suite;

  it("has no warnings (the modeline resolves)", () => {
    expect(load.warnings).toEqual([]);
  });

  it("resolves the pack, the clock, tags and the case's line", () => {
    const first = suite.cases[0];
    expect(first?.pack).toBe("test/fixtures/rule-tests/runner-pack/pack.yaml");
    expect(first?.now.toISOString()).toBe("2026-01-15T18:00:00.000Z");
    expect(first?.tags).toEqual(["runner"]);
    expect(first?.line).toBe(21);
    expect(suite.cases[2]?.tags).toEqual(["runner", "errors"]);
  });

  it("reads !absent as the ABSENT marker and shorthand items as partial records", () => {
    const expectation = suite.cases[0]?.expect?.[0];
    const create = expectation?.actions?.[0] as { patient: Record<string, unknown> };
    expect(isAbsent(create.patient.middleName)).toBe(true);
    expect(expectation?.actions?.[1]).toEqual({ type: "insurance.selfPay" });
    expect(suite.cases[2]?.expect?.[0]?.errors).toEqual([
      { code: "REQUIRED_FIELD_MISSING", field: "PID.7", severity: "error" },
    ]);
  });

  it("seeds fixtures by reference", () => {
    expect(suite.cases[3]?.seed.patients).toEqual([
      expect.objectContaining({ id: "1001", externalIds: { mrn: "000123" } }),
    ]);
  });

  it("a skip reason is kept", () => {
    const skipLoad = loadTestFile("test/fixtures/rule-tests/skip/skip.test.yaml");
    if (!skipLoad.ok) throw new Error("the skip fixture does not load");
    expect(skipLoad.suite.cases[0]?.skip).toBe("shows how a skipped case is reported");
  });
});
