import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatPackError, type PackError } from "../../engine/documents/errors.js";
import { loadMasterData, npiCheckDigitHolds } from "../../engine/pack/master-data-load.js";

const FILE = "rules/practices/test/master-data.yaml";

const VALID = `# yaml-language-server: $schema=../../../schemas/master-data.schema.json
providers:
  - id: "101"
    npi: "1482736505"
    name: Susan Nguyen, MD
  - id: "104"
    name: Mary Jones, PA-C
    supervisingProviderId: "101"
departments:
  - id: "1"
    name: Harbor Main
insurancePackages:
  - id: "00312"
    name: Blue Cross Choice
  - id: "7788"
    casePolicy: true
appointmentTypes:
  - id: "12"
  - id: "14"
    billingSlipRequired: false
procedures:
  - code: "99213"
    description: established patient office visit
`;

function errorsOf(text: string): PackError[] {
  const load = loadMasterData(FILE, text);
  if (load.ok) throw new Error("expected errors, the master data loaded");
  return [...load.errors];
}

/** `LINE:COL CODE` of each error, the part a person uses to find it. */
const where = (errors: readonly PackError[]) => errors.map((e) => `${e.line}:${e.col} ${e.code}`);

describe("loadMasterData", () => {
  it("loads a valid file and writes out the defaults", () => {
    const load = loadMasterData(FILE, VALID);
    expect(load).toEqual({
      ok: true,
      data: {
        providers: [
          { id: "101", npi: "1482736505", name: "Susan Nguyen, MD" },
          { id: "104", name: "Mary Jones, PA-C", supervisingProviderId: "101" },
        ],
        departments: [{ id: "1", name: "Harbor Main" }],
        insurancePackages: [
          { id: "00312", name: "Blue Cross Choice", casePolicy: false },
          { id: "7788", casePolicy: true },
        ],
        appointmentTypes: [
          { id: "12", billingSlipRequired: true },
          { id: "14", billingSlipRequired: false },
        ],
        procedures: [{ code: "99213", description: "established patient office visit" }],
      },
    });
  });

  it("every list is optional", () => {
    expect(loadMasterData(FILE, "departments: []\n")).toEqual({
      ok: true,
      data: {
        providers: [],
        departments: [],
        insurancePackages: [],
        appointmentTypes: [],
        procedures: [],
      },
    });
  });

  it("reads the file from disk", () => {
    const dir = mkdtempSync(join(tmpdir(), "rulepack-md-"));
    try {
      const file = join(dir, "master-data.yaml");
      writeFileSync(file, VALID);
      const load = loadMasterData(file);
      expect(load.ok && load.data.providers.length).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a missing file is FILE_NOT_FOUND", () => {
    const load = loadMasterData(join(tmpdir(), "no-such-dir-rulepack", "master-data.yaml"));
    expect(load.ok ? [] : load.errors.map((e) => e.code)).toEqual(["FILE_NOT_FOUND"]);
  });

  it("YAML syntax errors and duplicate keys are located", () => {
    expect(where(errorsOf('providers:\n  - id: "1"\n    name: [unclosed\n'))).toEqual([
      expect.stringMatching(/^\d+:\d+ YAML_SYNTAX$/),
    ]);
    expect(where(errorsOf('departments:\n  - id: "1"\n    id: "2"\n'))).toEqual([
      "3:5 DUPLICATE_KEY",
    ]);
  });

  it("an unquoted code is CODE_NOT_STRING at the value", () => {
    const errors = errorsOf("insurancePackages:\n  - id: 00312\n");
    expect(where(errors)).toEqual(["2:9 CODE_NOT_STRING"]);
    expect(errors[0]?.message).toMatch(/quote it: "00312"/);
  });

  it("an unknown key is UNKNOWN_KEY at the key", () => {
    const errors = errorsOf('providers:\n  - id: "1"\n    specialty: ortho\nlocations: []\n');
    expect(where(errors)).toEqual(["3:5 UNKNOWN_KEY", "4:1 UNKNOWN_KEY"]);
  });

  it("a missing id or code is MISSING_KEY at the item", () => {
    expect(where(errorsOf("departments:\n  - name: East\nprocedures:\n  - {}\n"))).toEqual([
      "2:5 MISSING_KEY",
      "4:5 MISSING_KEY",
    ]);
  });

  it("wrong types are located at the value", () => {
    // INVALID_TYPE or INVALID_VALUE: the pack loader's converter decides the code.
    expect(
      where(errorsOf('providers: {}\ninsurancePackages:\n  - id: "1"\n    casePolicy: "yes"\n')),
    ).toEqual([
      expect.stringMatching(/^1:12 INVALID_(TYPE|VALUE)$/),
      expect.stringMatching(/^4:17 INVALID_(TYPE|VALUE)$/),
    ]);
  });

  it("an NPI must be 10 digits with a valid check digit", () => {
    expect(where(errorsOf('providers:\n  - id: "1"\n    npi: "12345"\n'))).toEqual([
      "3:10 INVALID_VALUE",
    ]);
    const errors = errorsOf('providers:\n  - id: "1"\n    npi: "1234567890"\n');
    expect(where(errors)).toEqual(["3:10 INVALID_VALUE"]);
    expect(errors[0]?.message).toMatch(/check digit/);
  });

  it("a duplicate id is DUPLICATE_ROW at the second, naming the first's line", () => {
    const errors = errorsOf(
      'departments:\n  - id: "1"\n  - id: "2"\n  - id: "1"\nprocedures:\n  - code: "99213"\n  - code: "99213"\n',
    );
    expect(where(errors)).toEqual(["4:9 DUPLICATE_ROW", "7:11 DUPLICATE_ROW"]);
    expect(errors[0]?.message).toMatch(/line 2/);
  });

  it("a supervising provider must be a provider of the file", () => {
    const errors = errorsOf(
      'providers:\n  - id: "101"\n  - id: "104"\n    supervisingProviderId: "999"\n',
    );
    expect(where(errors)).toEqual(["4:28 INVALID_VALUE"]);
    expect(formatPackError(errors[0] as PackError)).toBe(
      `${FILE}:4:28: INVALID_VALUE providers[1].supervisingProviderId '999' names no provider in this file`,
    );
  });

  const harbor = fileURLToPath(
    new URL("../../rules/practices/harbor-ortho/master-data.yaml", import.meta.url),
  );
  it.skipIf(!existsSync(harbor))("the harbor-ortho practice's master data is valid", () => {
    const load = loadMasterData(harbor);
    expect(load.ok ? [] : load.errors.map(formatPackError)).toEqual([]);
  });
});

describe("npiCheckDigitHolds", () => {
  it("accepts the published example and rejects a changed digit", () => {
    expect(npiCheckDigitHolds("1234567893")).toBe(true);
    expect(npiCheckDigitHolds("1234567890")).toBe(false);
    expect(npiCheckDigitHolds("123456789")).toBe(false);
  });
});
