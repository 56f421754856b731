import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { testCommand } from "../../engine/cli/test-command.js";
import type { CoverageReport, PackCoverage } from "../../engine/testing/coverage.js";
import { lcovReport } from "../../engine/testing/coverage-files.js";
import { captureIo, run } from "./helpers.js";

/**
 * Coverage of the practice's pack: every option and rule its own file sets
 * (and its own mapping rows), covered when a case's trace names it.
 */

const FIXTURE = "test/testing/fixtures/coverage";
const FIXTURE_PACK = `${FIXTURE}/pack.yaml`;
const HARBOR = "rules/practices/harbor-ortho/pack.yaml";
const LAKESIDE = "rules/practices/lakeside-family/pack.yaml";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rulepack-coverage-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const packOf = (report: CoverageReport | undefined, pack: string): PackCoverage => {
  const found = report?.packs.find((p) => p.pack === pack);
  if (!found) throw new Error(`no coverage of ${pack}`);
  return found;
};

/** The options and rules a pack file sets, walked here independently of the engine. */
function setByFile(file: string): string[] {
  const out: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (path === "pack" || /^practice\.(?!timeZone$)/.test(path)) return;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const entries = Object.entries(value);
      if (entries.length === 0) out.push(path);
      for (const [k, v] of entries) walk(v, path ? `${path}.${k}` : k);
    } else if (Array.isArray(value) && value.some((v) => typeof v === "object" && v !== null)) {
      value.forEach((v, i) => {
        if (!(v as { remove?: boolean }).remove) out.push(`${path}[${i}]`);
      });
    } else out.push(path);
  };
  walk(parse(readFileSync(file, "utf8")), "");
  return out.sort();
}

describe("the example packs: every option their own pack.yaml sets, covered or not", async () => {
  const r = await run(["rules/practices"], { coverage: true });
  for (const pack of [HARBOR, LAKESIDE]) {
    it(`${pack}: each option and rule is one item, at its line, covered or not`, () => {
      const coverage = packOf(r.report.coverage, pack);
      const own = coverage.items.filter((i) => i.file === pack);
      expect(own.map((i) => i.path).sort()).toEqual(setByFile(pack));
      const lines = readFileSync(pack, "utf8").split("\n");
      for (const item of own) {
        expect(typeof item.covered).toBe("boolean");
        const key = item.path.split(/[.[]/).at(-1)?.replace("]", "") ?? "";
        const written = lines[item.line - 1] ?? "";
        if (item.kind === "option") expect(written).toContain(`${key}:`);
        else expect(written.trimStart().startsWith("- ")).toBe(true);
      }
    });

    it(`${pack}: nothing inherited from base.yaml or the standard tables is listed`, () => {
      const files = new Set(packOf(r.report.coverage, pack).items.map((i) => i.file));
      expect([...files].filter((f) => f === "rules/base.yaml" || f.includes("/standard/"))).toEqual(
        [],
      );
    });
  }

  it("the text report names each option with covered or not covered under its file", () => {
    expect(r.out).toMatch(
      /coverage of rules\/practices\/harbor-ortho\/pack.yaml: \d+\/\d+ items \([\d.]+%\)/,
    );
    expect(r.out).toMatch(/\n {4}\d+ {2}covered {6}insurance.mode: whenPresent\n/);
    expect(r.out).toMatch(
      /\n {4}\d+ {2}(covered {4}|not covered) {2}charges.unmatched: freeStandingClaim\n/,
    );
    expect(r.out).toMatch(/mappings\/harbor-ortho\/insurancePlan.yaml: \d+\/\d+ rows used/);
  });

  it("options decided by Harbor's cases are covered: its insurance mode, its check-out switch, its MRN", () => {
    const labels = (pack: string) =>
      packOf(r.report.coverage, pack)
        .items.filter((i) => i.covered)
        .map((i) => i.label);
    expect(labels(HARBOR)).toEqual(
      expect.arrayContaining([
        "insurance.mode: whenPresent",
        "enabled.outbound.appointmentCheckOut: false",
        "externalIds.patient: orthochartMrn",
        "outbound.fields: orthochart-sex",
      ]),
    );
    expect(labels(LAKESIDE)).toEqual(
      expect.arrayContaining([
        "insurance.relationshipDirection: insuredToPatient",
        "mappings.relationshipToInsured.mappingRequired: true",
        "outbound.msh.version: 2.3.1",
      ]),
    );
  });
});

describe("a case marks exactly the option it exercised", () => {
  it("an A04 without IN1 covers insurance.mode and none of the practice's other choices", async () => {
    const r = await run([`${FIXTURE}/tests/one-option.test.yaml`], { coverage: true });
    expect(r.exitCode).toBe(0);
    const coverage = packOf(r.report.coverage, FIXTURE_PACK);
    expect(coverage.items.map((i) => [i.label, i.covered])).toEqual([
      ["mapping insurancePlan: HMP-100+Harbor Mutual PPO+100 Main St -> 4471", false],
      ["practice.timeZone: America/Chicago", false],
      ["insurance.mode: whenPresent", true],
      ["appointments.reschedule: cancelAndCreate", false],
      ["charges.unmatched: freeStandingClaim", false],
      ["outbound.msh.controlIdPrefix: COV", false],
    ]);
  });

  it("a case whose overrides: replaces the option ran with its own value: the pack's is not covered", async () => {
    const r = await run([`${FIXTURE}/tests/overridden.test.yaml`], { coverage: true });
    expect(r.exitCode).toBe(0);
    expect(packOf(r.report.coverage, FIXTURE_PACK).items.filter((i) => i.covered)).toEqual([]);
  });

  it("--coverage-scope all adds what the pack inherits and has not replaced", async () => {
    const r = await run([`${FIXTURE}/tests/one-option.test.yaml`], { coverageScope: "all" });
    const labels = packOf(r.report.coverage, FIXTURE_PACK).items.map((i) => `${i.file} ${i.label}`);
    expect(labels).toContain("rules/base.yaml insurance.receive: true");
    expect(labels).toContain(`${FIXTURE_PACK} insurance.mode: whenPresent`);
    expect(labels).not.toContain("rules/base.yaml insurance.mode: always");
  });
});

describe("--coverage-format text|lcov|cobertura with --coverage-output FILE", () => {
  it("lcov: one record per file, DA per line the pack sets something on, hit when covered", async () => {
    const file = join(dir, "lcov.info");
    const r = await run([`${FIXTURE}/tests/one-option.test.yaml`], {
      coverageOutput: file,
      coverageFormat: "lcov",
    });
    expect(r.exitCode).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(
      [
        "TN:",
        `SF:${FIXTURE}/mappings/coverage/insurancePlan.yaml`,
        "DA:4,0",
        "LF:1",
        "LH:0",
        "end_of_record",
        "TN:",
        `SF:${FIXTURE_PACK}`,
        "DA:12,0",
        "DA:14,1",
        "DA:16,0",
        "DA:18,0",
        "DA:20,0",
        "LF:5",
        "LH:1",
        "end_of_record",
        "",
      ].join("\n"),
    );
  });

  it("lcov: a line that sets several options (a flow map) is a branch per option", () => {
    const item = (line: number, covered: boolean) => ({
      pack: "p.yaml",
      kind: "option" as const,
      path: `a${line}`,
      label: `a${line}`,
      file: "p.yaml",
      line,
      covered,
    });
    const items = [item(3, true), item(3, false), item(5, true)];
    const report: CoverageReport = {
      packs: [
        {
          pack: "p.yaml",
          total: 3,
          covered: 2,
          percent: 66.6,
          byKind: { option: { covered: 2, total: 3 } },
          items,
          uncovered: [],
        },
      ],
      total: 3,
      covered: 2,
      percent: 66.6,
    };
    expect(lcovReport(report)).toBe(
      "TN:\nSF:p.yaml\nBRDA:3,0,0,1\nBRDA:3,0,1,0\nBRF:2\nBRH:1\nDA:3,1\nDA:5,1\nLF:2\nLH:2\nend_of_record\n",
    );
  });

  it("cobertura: valid against coverage-04.dtd (xmllint), a class per file with its lines", async () => {
    const file = join(dir, "cobertura.xml");
    const r = await run([`${FIXTURE}/tests/one-option.test.yaml`], {
      coverageOutput: file,
      coverageFormat: "cobertura",
    });
    expect(r.exitCode).toBe(0);
    execFileSync(
      "xmllint",
      ["--noout", "--nonet", "--dtdvalid", `${FIXTURE}/coverage-04.dtd`, file],
      { stdio: "pipe" },
    );
    const xml = readFileSync(file, "utf8");
    expect(xml).toContain(
      `<class name="pack.yaml" filename="${FIXTURE_PACK}" line-rate="0.2" branch-rate="1" complexity="0">`,
    );
    expect(xml).toContain('<line number="14" hits="1" branch="false"/>');
    expect(xml).toContain('<line number="16" hits="0" branch="false"/>');
    expect(xml).toMatch(/<coverage line-rate="[\d.]+" .* lines-covered="1" lines-valid="6" /);
  });

  it("text: the report a person reads, written to the file", async () => {
    const file = join(dir, "coverage.txt");
    await run([`${FIXTURE}/tests/one-option.test.yaml`], { coverageOutput: file });
    expect(readFileSync(file, "utf8")).toContain("14  covered      insurance.mode: whenPresent");
  });

  it("refused (exit 2): an unknown format, lcov or cobertura without a file, an unknown scope", async () => {
    const base = {
      paths: [`${FIXTURE}/tests/one-option.test.yaml`],
      tags: [],
      reporter: "pretty",
      outputs: [],
      update: false,
      coverage: true,
      bail: false,
      watch: false,
      explain: false,
      ci: undefined,
    };
    const cases = [
      [{ coverageFormat: "html" }, "unknown --coverage-format 'html' (text, lcov, cobertura)"],
      [{ coverageFormat: "lcov" }, "--coverage-format lcov needs --coverage-output FILE"],
      [{ coverageScope: "base" }, "unknown --coverage-scope 'base' (practice, all)"],
    ] as const;
    for (const [flags, message] of cases) {
      const io = captureIo();
      const result = await testCommand({ ...base, ...flags }, io);
      expect(result.exitCode).toBe(2);
      expect(io.err()).toBe(`rulepack test: ${message}\n`);
    }
  });
});

describe("--coverage-threshold", () => {
  it("exit 1 below the threshold, with the reason", async () => {
    const r = await run([`${FIXTURE}/tests/one-option.test.yaml`], { coverageThreshold: 20 });
    expect(r.exitCode).toBe(1);
    expect(r.out).toContain("rulepack test: coverage 16.6% is below the threshold 20%");
  });

  it("exit 0 at or above it", async () => {
    const r = await run([`${FIXTURE}/tests/one-option.test.yaml`], { coverageThreshold: 16.6 });
    expect(r.exitCode).toBe(0);
  });

  it("json carries the coverage report, every item with covered", async () => {
    const r = await run([`${FIXTURE}/tests/one-option.test.yaml`], {
      coverage: true,
      reporter: "json",
    });
    const doc = JSON.parse(r.out);
    expect(doc.coverage.packs[0].pack).toBe(FIXTURE_PACK);
    expect(doc.coverage.packs[0].items).toContainEqual(
      expect.objectContaining({ label: "insurance.mode: whenPresent", line: 14, covered: true }),
    );
    expect(doc.coverage.packs[0].uncovered).toHaveLength(5);
  });
});
