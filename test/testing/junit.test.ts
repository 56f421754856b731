import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "junit2json";
import { afterAll, describe, expect, it } from "vitest";
import { xmlText } from "../../engine/testing/reporters/junit.js";
import { FIXTURES, run } from "./helpers.js";

/**
 * The JUnit report is checked by two outside tools: xmllint (libxml2-utils,
 * installed by .ci/run) for well-formedness, and junit2json (an independent
 * JUnit parser from npm) to read it back.
 */
const dir = mkdtempSync(join(tmpdir(), "rulepack-junit-"));
afterAll(() => rmSync(dir, { recursive: true }));

async function junitOf(paths: string[]): Promise<string> {
  const r = await run(paths, { reporter: "junit" });
  return r.out;
}

function xmllint(xml: string): { status: number | null; stderr: string } {
  const file = join(dir, `report-${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(file, xml);
  const r = spawnSync("xmllint", ["--noout", file], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

describe("JUnit output", () => {
  it("xmllint is installed (libxml2-utils)", () => {
    expect(spawnSync("xmllint", ["--version"]).status).toBe(0);
  });

  it("is well-formed, MLLP bytes and other control characters included", async () => {
    const xml = await junitOf([`${FIXTURES}/failing`, `${FIXTURES}/broken`, "test/rules"]);
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
    expect(xml).toContain("an MLLP frame \\x0b and \\x1c in a name");
    expect(xmllint(xml)).toEqual({ status: 0, stderr: "" });
  });

  it("reads back with junit2json: one testsuite per file with its file, one testcase per case", async () => {
    const xml = await junitOf([`${FIXTURES}/failing`, `${FIXTURES}/broken/events.test.yaml`]);
    const parsed = await parse(xml);
    if (!parsed || !("testsuite" in parsed)) throw new Error("no <testsuites>");
    const suites = parsed.testsuite ?? [];
    expect(suites.map((s) => s.name)).toEqual([
      `${FIXTURES}/broken/events.test.yaml`,
      `${FIXTURES}/failing/broken-expectation.test.yaml`,
    ]);
    expect(xml).toContain(
      `<testsuite name="${FIXTURES}/failing/broken-expectation.test.yaml" file="${FIXTURES}/failing/broken-expectation.test.yaml"`,
    );
    const [invalid, failing] = suites;
    expect(invalid?.testcase?.map((c) => c.name)).toEqual(["(invalid test file)"]);
    expect(invalid?.testcase?.[0]?.error?.[0]?.message).toMatch(
      /events\.test\.yaml:6:9: MISSING_KEY/,
    );
    expect(failing).toMatchObject({ tests: 3, failures: 2, errors: 0, skipped: 0 });
    const cases = failing?.testcase ?? [];
    expect(cases.map((c) => c.name)).toEqual([
      "passes",
      "expects the wrong sex",
      "an MLLP frame \\x0b and \\x1c in a name, and a failed assert",
    ]);
    expect(cases[0]?.failure).toBeUndefined();
    expect(cases[1]?.failure?.[0]?.message).toBe(
      `${FIXTURES}/failing/broken-expectation.test.yaml:22: outcome 1: expected actions item 1 (patient.create {patient: {lastName: "Roe", sex: "F"}}) not found`,
    );
    expect(cases[1]?.failure?.[0]?.inner).toContain('+ actions[0].patient.sex: "M"');
    expect(parsed).toMatchObject({ tests: 4, failures: 2, errors: 1 });
  });

  it("skipped cases are <skipped> with the reason", async () => {
    const xml = await junitOf([`${FIXTURES}/skip`]);
    const parsed = await parse(xml);
    const cases = parsed && "testsuite" in parsed ? (parsed.testsuite?.[0]?.testcase ?? []) : [];
    const skipped = cases.filter((c) => c.skipped);
    expect(skipped.map((c) => c.skipped?.[0]?.message)).toEqual([
      "shows how a skipped case is reported",
    ]);
  });

  it("escapes what XML cannot hold", () => {
    expect(xmlText("a\x0bb\x1cc\x00 <&> \ud800")).toBe("a\\x0bb\\x1cc\\x00 &lt;&amp;&gt; \\xd800");
    expect(xmllint(`<a>${xmlText("\x0bMSH|^~\\&|\x1c\r")}</a>`)).toEqual({ status: 0, stderr: "" });
  });
});
