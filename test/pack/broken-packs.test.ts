import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateCommand } from "../../engine/cli/validate-command.js";
import { formatPackError, type PackError } from "../../engine/documents/errors.js";
import { loadPack } from "../../engine/pack/load.js";

/**
 * docs/pack-language.md §21: every broken pack under
 * test/fixtures/packs/broken/<case>/ reports exactly these problems, each as
 * `FILE:LINE:COL: CODE` (FILE relative to the working directory, here the
 * case folder). A second element is a piece of text the message must hold.
 * The line and column are those of the offending key or value in the file
 * that wrote it; each was checked by hand against the fixture.
 */
const BROKEN = "test/fixtures/packs/broken";

type Expected = string | readonly [prefix: string, messageHolds: string];

const CASES: Readonly<Record<string, readonly Expected[]>> = {
  // §4 Values: YAML 1.2, duplicate and unknown keys
  "yaml-syntax": [["pack.yaml:7:9: YAML_SYNTAX", 'Missing closing "quote']],
  "yaml-indentation": ["pack.yaml:7:4: YAML_SYNTAX"],
  "duplicate-key": [
    ["pack.yaml:13:5: DUPLICATE_KEY", '"patientAdd" is already defined at line 11'],
  ],
  "unknown-key-top": [["pack.yaml:9:1: UNKNOWN_KEY", "did you mean enabled?"]],
  "unknown-key-nested": [
    [
      "pack.yaml:11:5: UNKNOWN_KEY",
      '"patientAd" is not a key of enabled.inbound (did you mean patientAdd?)',
    ],
    ["pack.yaml:13:5: UNKNOWN_KEY", '"charge" is not a key of enabled.outbound'],
  ],
  // §4 Codes are always strings
  "code-not-string": [
    [
      "pack.yaml:6:14: CODE_NOT_STRING",
      'practice.contextId is the number 430 (written 00430); codes are text, so quote it: "00430"',
    ],
    ["pack.yaml:8:16: CODE_NOT_STRING", '"1.10"'],
  ],
  "wrong-type": [
    ["pack.yaml:5:13: INVALID_VALUE", "pack.abstract must be true or false, not a string"],
    ["pack.yaml:11:3: INVALID_VALUE", "fields must be a list, not a map"],
  ],
  "null-value": [["pack.yaml:7:3: INVALID_VALUE", "practice.name is empty (null)"]],
  "enum-map": [["pack.yaml:12:10: INVALID_ENUM", 'fields[0].map "gender": expected sex, race']],
  "enum-severity": [
    ["pack.yaml:11:15: INVALID_ENUM", 'required[0].severity "fatal": expected error, warning'],
    ["pack.yaml:13:18: INVALID_ENUM", 'required[1].on[1] "delete": expected create, update'],
  ],
  // §6 practice
  "missing-key": [["pack.yaml:5:1: MISSING_KEY", "practice.timeZone is required"]],
  "missing-practice": [["pack.yaml:2:1: MISSING_KEY", "practice is required"]],
  "invalid-time-zone": [
    ["pack.yaml:8:13: INVALID_VALUE", "'America/Bostn' is not an IANA time zone"],
  ],
  // §3 files and extends
  "extends-cycle": [
    [
      "other.yaml:5:12: EXTENDS_CYCLE",
      `${BROKEN}/extends-cycle/pack.yaml -> ${BROKEN}/extends-cycle/other.yaml -> ${BROKEN}/extends-cycle/pack.yaml`,
    ],
  ],
  "extends-not-found": [["pack.yaml:4:12: EXTENDS_NOT_FOUND", "../../bse.yaml"]],
  "extends-absolute": [["pack.yaml:4:12: EXTENDS_NOT_FOUND", "absolute path"]],
  // What extends names is reported at the extends that names it, not in the file named.
  "extends-folder": [
    [
      "pack.yaml:4:12: EXTENDS_NOT_A_PACK",
      "is a folder; name the pack file in it (parent/pack.yaml)",
    ],
  ],
  "extends-not-a-pack": [["pack.yaml:4:12: EXTENDS_NOT_A_PACK", "sex.yaml is not a pack"]],
  "extends-not-yaml": [["pack.yaml:4:12: EXTENDS_NOT_A_PACK", "notes.txt is not a YAML pack file"]],
  // An alias bomb is a located problem of the file, not an exception out of the loader.
  "yaml-alias-limit": [["pack.yaml:14:30: YAML_ALIAS_LIMIT", "expand to too many nodes"]],
  "pack-id-mismatch": [["pack.yaml:3:7: PACK_ID_MISMATCH", '"pack-id-mismatch"']],
  // §7 enablement
  "outbound-event-list": [
    ["pack.yaml:11:29: INVALID_VALUE", 'enabled.inbound.patientAdd[1] "ADTA28"'],
    ["pack.yaml:13:17: INVALID_VALUE", "not a list"],
  ],
  // §8 fields and §9 required
  "unknown-field": [["pack.yaml:10:12: UNKNOWN_FIELD", "did you mean patient.dob?"]],
  "field-without-source": [
    ["pack.yaml:10:5: MISSING_KEY", "fields[0] needs from: or expr:"],
    ["pack.yaml:13:5: MISSING_KEY", "required[0] needs field: or ref:"],
  ],
  "required-ref-without-record": [
    ["pack.yaml:10:5: OPTION_DEPENDENCY", "required[0].record is required"],
    ["pack.yaml:13:5: OPTION_DEPENDENCY", "required[1].ref is not allowed here"],
  ],
  "claim-derivation-owned": [
    ["pack.yaml:11:11: OPTION_DEPENDENCY", "not appointment.departmentId"],
    ["pack.yaml:14:20: OPTION_DEPENDENCY", "not supervisorOf"],
  ],
  "duplicate-rule": [
    ["pack.yaml:15:5: DUPLICATE_RULE", 'rule "patient.ssn" is already defined at line 10'],
    ["pack.yaml:20:5: DUPLICATE_RULE", 'rule "PID.3.1" is already defined at line 18'],
  ],
  "duplicate-unconditional": [
    ["pack.yaml:10:5: DUPLICATE_RULE", "'patient.lastName' (test/fixtures/packs/base.yaml:19)"],
  ],
  // §5.1 field references
  "bad-reference": [
    ["pack.yaml:11:27: INVALID_FIELD_REFERENCE", "unexpected end of reference"],
    "pack.yaml:12:51: INVALID_FIELD_REFERENCE",
    ["pack.yaml:14:21: INVALID_FIELD_REFERENCE", 'unknown source "pid"'],
  ],
  "component-zero": [["pack.yaml:11:17: INVALID_FIELD_REFERENCE", "the spec's PID.5.0 is PID.5.1"]],
  "segment-not-in-message": [["pack.yaml:11:19: SEGMENT_NOT_IN_MESSAGE", "FT1"]],
  "derived-not-available": [
    ["pack.yaml:11:19: INVALID_FIELD_REFERENCE", "appointment.providerId: a patient message"],
  ],
  // §5.2 JSONata
  "jsonata-syntax-block": [["pack.yaml:13:41: JSONATA_SYNTAX", "S0211"]],
  "jsonata-syntax-end": [["pack.yaml:11:27: JSONATA_SYNTAX", "S0207"]],
  "jsonata-regex": ["pack.yaml:12:28: JSONATA_REGEX_FORBIDDEN"],
  "jsonata-eval": [["pack.yaml:11:11: JSONATA_FORBIDDEN_FUNCTION", "$eval"]],
  "jsonata-eval-bypass": [["pack.yaml:14:25: JSONATA_FORBIDDEN_FUNCTION", "$eval"]],
  "jsonata-forbidden-functions": [
    ["pack.yaml:11:19: JSONATA_FORBIDDEN_FUNCTION", "$random"],
    ["pack.yaml:13:11: JSONATA_FORBIDDEN_FUNCTION", "$initial"],
  ],
  // A condition that can never be true (§8): a constant other than true or false.
  "when-constant": [
    ["pack.yaml:13:11: INVALID_VALUE", "when: 'yes' is a constant that is never true"],
    ["pack.yaml:16:11: INVALID_VALUE", "when: 1 is a constant"],
    ["pack.yaml:21:13: INVALID_VALUE", "when: null is a constant"],
  ],
  "field-non-literal": [
    ["pack.yaml:11:12: INVALID_FIELD_REFERENCE", "string literal"],
    ["pack.yaml:13:34: INVALID_FIELD_REFERENCE", "in $field('PID.19.0')"],
  ],
  // §10 mappings and mapping files
  "mapping-required-missing": [
    ["pack.yaml:10:28: MAPPING_TABLE_NOT_FOUND", "mapping table 'race'"],
    ["pack.yaml:13:12: MAPPING_TABLE_NOT_FOUND", "mapping table 'orthochartApptTypes'"],
  ],
  "inbound-reads-outbound": [
    ["pack.yaml:10:41: INVALID_VALUE", "mapping table 'raceOut' is direction: outbound"],
  ],
  "mapcode-unknown-table": [
    ["pack.yaml:11:21: MAPPING_TABLE_NOT_FOUND", "mapping table 'nosuch'"],
    ["pack.yaml:13:11: MAPPING_TABLE_NOT_FOUND", "string literal"],
  ],
  "mapping-duplicate-row": [
    [
      "mappings/mapping-duplicate-row/sex.yaml:9:5: DUPLICATE_ROW",
      "'1' already has a row in this table (line 5)",
    ],
    ["mappings/mapping-duplicate-row/sex.yaml:12:5: DUPLICATE_ROW", "(line 11)"],
  ],
  "mapping-table-mismatch": [
    ["mappings/mapping-table-mismatch/department.yaml:2:8: INVALID_VALUE", "department.yaml"],
  ],
  "mapping-code-number": [
    ["mappings/standard/race.yaml:6:14: CODE_NOT_STRING", "rows[1].foreign is the number 1"],
    ["mappings/standard/race.yaml:9:15: CODE_NOT_STRING", 'quote it: "02"'],
  ],
  // §11 limits
  "limits-above-cap": [
    ["pack.yaml:11:16: INVALID_VALUE", "timeoutMs is 600000; it must be <= 60000"],
    ["pack.yaml:12:15: INVALID_VALUE", "maxDepth is 0; it must be >= 1"],
    ["pack.yaml:13:18: INVALID_VALUE", "maxSequence is 1000001"],
  ],
};

/** Warnings, for the cases that have them; every other case has none. */
const WARNINGS: Readonly<Record<string, readonly string[]>> = {
  "modeline-missing": ["pack.yaml:1:1: MODELINE_MISSING"],
};

const prefix = (e: PackError) =>
  formatPackError(e).slice(0, formatPackError(e).indexOf(e.code) + e.code.length);
const inCase = (name: string, line: string) => `${BROKEN}/${name}/${line}`;

function problems(file: string): { errors: readonly PackError[]; warnings: readonly PackError[] } {
  const load = loadPack(file);
  return { errors: load.ok ? [] : load.errors, warnings: load.warnings };
}

describe("docs/pack-language.md §21: errors the loader reports (test/fixtures/packs/broken)", () => {
  it("has a table entry for every broken pack, and a broken pack for every entry", () => {
    const folders = readdirSync(BROKEN).sort();
    expect(folders).toEqual(Object.keys({ ...CASES, ...WARNINGS }).sort());
    expect(folders.length).toBeGreaterThanOrEqual(24);
  });

  for (const [name, expected] of Object.entries(CASES)) {
    it(`${name}: ${expected.map((e) => (typeof e === "string" ? e : e[0]).split(": ")[1]).join(", ")}`, () => {
      const { errors, warnings } = problems(inCase(name, "pack.yaml"));
      expect(errors.map(prefix)).toEqual(
        expected.map((e) => inCase(name, typeof e === "string" ? e : e[0])),
      );
      expected.forEach((e, i) => {
        if (typeof e !== "string") expect(errors[i]?.message).toContain(e[1]);
      });
      expect(errors.every((e) => e.severity === "error")).toBe(true);
      expect(warnings.map(prefix)).toEqual([]);
    });
  }

  it("modeline-missing: MODELINE_MISSING is a warning; the pack is still valid", () => {
    const load = loadPack(inCase("modeline-missing", "pack.yaml"));
    expect(load.ok).toBe(true);
    expect(load.warnings.map(prefix)).toEqual(
      (WARNINGS["modeline-missing"] ?? []).map((w) => inCase("modeline-missing", w)),
    );
    expect(load.warnings[0]?.severity).toBe("warning");
  });

  it("FILE_NOT_FOUND: the pack named does not exist", () => {
    expect(problems(`${BROKEN}/no-such-case/pack.yaml`).errors.map(prefix)).toEqual([
      `${BROKEN}/no-such-case/pack.yaml:1:1: FILE_NOT_FOUND`,
    ]);
  });

  it("the valid fixture pack loads with no problems", () => {
    const load = loadPack("test/fixtures/packs/valid/pack.yaml");
    expect(load.ok ? [] : load.errors.map(formatPackError)).toEqual([]);
    expect(load.warnings).toEqual([]);
  });
});

/** A CliIo that keeps what a command prints. */
function fakeIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) },
    stdout: () => out.join(""),
    stderr: () => err.join(""),
  };
}

describe("rulepack validate (docs/pack-language.md §21)", () => {
  const broken = inCase("bad-reference", "pack.yaml");
  const valid = "test/fixtures/packs/valid/pack.yaml";

  it("a broken pack: exit 1, one FILE:LINE:COL: CODE message line per problem on stderr", () => {
    const run = fakeIo();
    const result = validateCommand({ packs: [broken], format: "text", effective: false }, run.io);
    expect(result.exitCode).toBe(1);
    const lines = run.stderr().trimEnd().split("\n");
    expect(lines.map((l) => l.slice(0, l.indexOf(" ", l.indexOf(": ") + 2)))).toEqual(
      (CASES["bad-reference"] ?? []).map((e) =>
        inCase("bad-reference", typeof e === "string" ? e : e[0]),
      ),
    );
    const load = loadPack(broken);
    expect(lines).toEqual(load.ok ? [] : load.errors.map(formatPackError));
    expect(run.stdout()).toBe("");
  });

  it("--format json: {valid, packs: [{file, valid, errors: [{file, line, col, code, severity, message, path}]}]}", () => {
    const run = fakeIo();
    const result = validateCommand(
      { packs: [broken, valid], format: "json", effective: false },
      run.io,
    );
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(run.stdout()) as {
      valid: boolean;
      packs: {
        file: string;
        valid: boolean;
        errors: Record<string, unknown>[];
        warnings: unknown[];
      }[];
    };
    expect(report.valid).toBe(false);
    expect(report.packs.map((p) => [p.file, p.valid, p.errors.length, p.warnings.length])).toEqual([
      [broken, false, 3, 0],
      [valid, true, 0, 0],
    ]);
    expect(report.packs[0]?.errors[0]).toEqual({
      file: broken,
      line: 11,
      col: 27,
      code: "INVALID_FIELD_REFERENCE",
      severity: "error",
      message: "'PID.5.3 | PID.5.': unexpected end of reference; expected a number",
      path: "fields.8.from",
    });
    expect(run.stderr()).toBe("");
  });

  it("a pack the YAML library refuses to expand (alias bomb): exit 1, a located line, no internal error", () => {
    const run = fakeIo();
    const bomb = inCase("yaml-alias-limit", "pack.yaml");
    const result = validateCommand({ packs: [bomb], format: "text", effective: false }, run.io);
    expect(result.exitCode).toBe(1);
    expect(run.stderr()).toMatch(
      new RegExp(
        `^${bomb}:14:30: YAML_ALIAS_LIMIT the aliases \\(\\*name\\) of this file expand to too many nodes`,
      ),
    );
    expect(run.stderr()).not.toContain("internal error");
    expect(run.stderr().trimEnd().split("\n")).toHaveLength(1);
  });

  it("a valid pack: exit 0, `FILE: valid`", () => {
    const run = fakeIo();
    const result = validateCommand({ packs: [valid], format: "text", effective: false }, run.io);
    expect(result.exitCode).toBe(0);
    expect(run.stdout()).toBe(`${valid}: valid\n`);
    expect(run.stderr()).toBe("");
  });

  it("--effective prints the merged pack: the child's overrides and the base's inherited rules", () => {
    const run = fakeIo();
    const result = validateCommand({ packs: [valid], format: "text", effective: true }, run.io);
    expect(result.exitCode).toBe(0);
    const [header, ...body] = run.stdout().split("\n");
    expect(header).toBe(`# effective pack: ${valid}`);
    const merged = parse(body.join("\n")) as {
      pack: Record<string, unknown>;
      enabled: { inbound: Record<string, unknown>; outbound: Record<string, unknown> };
      fields: { name: string; field: string; from?: string; map?: string }[];
      required: { name: string }[];
      limits: { expressions: Record<string, number> };
    };
    // `pack` is the child's own; the base's abstract/description are not inherited.
    expect(merged.pack).toEqual({
      id: "valid",
      description: "A realistic valid practice pack for loader tests and the bench",
      extends: "../base.yaml",
    });
    // The child's override of an outbound event, next to the base's inherited events.
    expect(merged.enabled.outbound).toEqual({
      patientAdd: "ADT^A04",
      appointmentSchedule: "SIU^S12",
    });
    expect(merged.enabled.inbound.charge).toBe(true);
    // The base's rules stay in place; the child's patient.sex override replaces the base's in its position.
    expect(merged.fields.map((f) => f.name).slice(0, 8)).toEqual([
      "patient.lastName",
      "patient.firstName",
      "patient.dob",
      "patient.sex",
      "patient.primaryDepartmentId",
      "appointment.providerId",
      "claim.departmentId",
      "charge.diagnoses",
    ]);
    expect(merged.fields[0]).toEqual({
      name: "patient.lastName",
      field: "patient.lastName",
      from: "PID.5.1",
    });
    expect(merged.fields[3]).toEqual({
      name: "patient.sex",
      field: "patient.sex",
      from: "ZPI.4 | PID.8",
      map: "sex",
    });
    expect(merged.required.map((r) => r.name)).not.toContain("IN1.5");
    expect(merged.limits.expressions).toEqual({ timeoutMs: 100, maxDepth: 100 });
  });
});
