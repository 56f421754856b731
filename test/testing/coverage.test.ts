import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Coverage } from "../../engine/testing/coverage.js";
import { FIXTURES, run } from "./helpers.js";

const PACK = `${FIXTURES}/runner-pack/pack.yaml`;

async function coverageOf(paths: string[]) {
  const r = await run(paths, { coverage: true });
  const coverage = new Coverage();
  for (const f of r.report.files) for (const c of f.results) coverage.add(c);
  const entries = coverage.entries();
  const find = (label: string, at?: string) =>
    entries.filter((e) => e.item.label === label && (at === undefined || e.item.at === at));
  return { r, entries, find };
}

describe("coverage of the pack (from trace[])", async () => {
  const { r, find, entries } = await coverageOf(["test/rules"]);

  it("lists the items no case touched, each with its pack file:line", () => {
    expect(r.out).toMatch(
      /coverage of test\/fixtures\/rule-tests\/runner-pack\/pack.yaml: \d+\/\d+ items/,
    );
    expect(r.out).toMatch(
      /test\/fixtures\/rule-tests\/mappings\/runner-pack\/insurancePlan.yaml:6 +mapping insurancePlan: WC-1\+State Fund\+PO Box 1 -> 7788/,
    );
    expect(r.out).toMatch(/rules\/base.yaml:\d+ +field patient.race from PID.10/);
    expect(r.out).toMatch(/- +state CBOERROR reached/);
  });

  it("field rules are covered when they supply a value; mapping rows when used", () => {
    expect(find("field patient.lastName from PID.5.1")[0]?.covered).toBe(true);
    expect(find("field patient.race from PID.10")[0]?.covered).toBe(false);
    expect(
      find("mapping insurancePlan: HMP-100+Harbor Mutual PPO+100 Main St -> 4471")[0]?.covered,
    ).toBe(true);
  });

  it("required rules have two sides", () => {
    const dob = entries.filter((e) => e.item.label.startsWith("required patient.dob (create)"));
    expect(dob.map((e) => [e.item.label.split(": ")[1], e.covered])).toEqual([
      ["satisfied", true],
      ["violated", true],
    ]);
    expect(find("required patient.lastName (create): violated")[0]?.covered).toBe(false);
  });

  it("matching tiers and states reached", () => {
    expect(find("matching tier externalId: a patient matched by it")[0]?.covered).toBe(true);
    expect(find("matching tier patientId: a patient matched by it")[0]?.covered).toBe(false);
    expect(find("matching: no patient matched (patientAdd)")[0]?.covered).toBe(true);
    expect(find("state PROCESSED reached")[0]?.covered).toBe(true);
    expect(find("state ERROR reached")[0]?.covered).toBe(true);
  });

  it("an option a case overrides is its own item at the test file's line", () => {
    const lines = readFileSync("test/rules/runner-basics.test.yaml", "utf8").split("\n");
    const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;
    expect(find("option privacy.autoCheck: false")).toEqual([
      {
        item: expect.objectContaining({
          pack: PACK,
          at: `test/rules/runner-basics.test.yaml:${lineOf("privacy: { autoCheck: false }")}`,
        }),
        covered: true,
      },
    ]);
    expect(find("option privacy.autoCheck: true")[0]?.item.at).toMatch(/^rules\/base.yaml:\d+$/);
    expect(find("option insurance.mode: whenPresent")[0]).toMatchObject({
      item: {
        at: `test/rules/runner-basics.test.yaml:${lineOf("insurance: { mode: whenPresent }")}`,
      },
      covered: true,
    });
    expect(find("option insurance.mode: always")[0]?.covered).toBe(true);
  });

  it("external IDs and their leading-zeros policy", () => {
    expect(find("externalIds.patient mrn leadingZeros: strip")[0]).toMatchObject({
      item: { at: `${PACK}:23` },
      covered: true,
    });
  });
});

describe("--coverage-threshold", () => {
  it("exit 1 below the threshold, with the reason", async () => {
    const r = await run(["test/rules"], { coverageThreshold: 99 });
    expect(r.exitCode).toBe(1);
    expect(r.out).toMatch(/rulepack test: coverage [\d.]+% is below the threshold 99%/);
  });

  it("exit 0 at or above it", async () => {
    expect((await run(["test/rules"], { coverageThreshold: 5 })).exitCode).toBe(0);
  });

  it("json carries the coverage report", async () => {
    const r = await run(["test/rules"], { coverage: true, reporter: "json" });
    const doc = JSON.parse(r.out);
    expect(doc.coverage.packs[0].pack).toBe(PACK);
    expect(doc.coverage.packs[0].uncovered.length).toBeGreaterThan(0);
  });
});
