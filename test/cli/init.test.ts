import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rulepack } from "../support/cli.js";

/**
 * `rulepack init PRACTICE` (issue 20): a new practice starts from a working
 * state. Each test scaffolds into a copy of the rules folder in a temp dir
 * (`--dir`), so the repository's rules/ is never written.
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-init-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let copies = 0;

/** base.yaml, the standard mapping tables and the schemas, as the repository lays them out. */
function rulesCopy(): string {
  const dir = join(root, `copy-${++copies}`);
  cpSync("rules/base.yaml", join(dir, "rules/base.yaml"));
  cpSync("mappings/standard", join(dir, "mappings/standard"), { recursive: true });
  cpSync("schemas", join(dir, "schemas"), { recursive: true });
  return join(dir, "rules");
}

describe("rulepack init PRACTICE --dir RULES_DIR", () => {
  it("writes the pack, master data, a test with a sample message, and the insurance table", async () => {
    const rules = rulesCopy();
    const r = await rulepack(["init", "bay-clinic", "--dir", rules]);
    expect(r.status).toBe(0);
    const practice = join(rules, "practices/bay-clinic");
    for (const file of [
      "pack.yaml",
      "master-data.yaml",
      "tests/patients.test.yaml",
      "tests/messages/adt-a04.hl7",
    ]) {
      expect(existsSync(join(practice, file)), file).toBe(true);
      expect(r.stdout).toContain(`created ${join(rules, "practices/bay-clinic", file)}\n`);
    }
    expect(existsSync(join(rules, "../mappings/bay-clinic/insurancePlan.yaml"))).toBe(true);
  });

  it("the pack extends the base and carries the schema modeline; so does the master data", async () => {
    const rules = rulesCopy();
    await rulepack(["init", "bay-clinic", "--dir", rules]);
    const practice = join(rules, "practices/bay-clinic");
    const pack = readFileSync(join(practice, "pack.yaml"), "utf8");
    expect(pack.split("\n")[0]).toMatch(
      /^# yaml-language-server: \$schema=\S+\/schemas\/rulepack\.schema\.json$/,
    );
    expect(pack).toContain("  extends: ../../base.yaml\n");
    expect(readFileSync(join(practice, "master-data.yaml"), "utf8").split("\n")[0]).toMatch(
      /^# yaml-language-server: \$schema=\S+\/schemas\/master-data\.schema\.json$/,
    );
  });

  it("matches patients on the sender's MR identifier from PID-3 (pack-language §12)", async () => {
    const rules = rulesCopy();
    await rulepack(["init", "bay-clinic", "--dir", rules]);
    const pack = readFileSync(join(rules, "practices/bay-clinic/pack.yaml"), "utf8");
    expect(pack).toContain("      from: PID.3[5=MR].1\n      useForMatching: true\n");
  });

  it("untouched, the new practice validates, runs its sample to PROCESSED and passes its own test", async () => {
    const rules = rulesCopy();
    await rulepack(["init", "bay-clinic", "--dir", rules]);
    const practice = join(rules, "practices/bay-clinic");
    const validate = await rulepack(["validate", join(practice, "pack.yaml")]);
    expect(validate).toEqual({
      status: 0,
      stdout: `${join(practice, "pack.yaml")}: valid\n`,
      stderr: "",
    });
    const run = await rulepack([
      "run",
      ...["--pack", join(practice, "pack.yaml"), "--db", ":memory:"],
      ...["--fail-on", "ERROR,CBOERROR,ATHENAERROR", join(practice, "tests/messages/adt-a04.hl7")],
    ]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(" ADT^A04 PROCESSED actions=patient.create,");
    const test = await rulepack(["test", join(practice, "tests")]);
    expect(test.status).toBe(0);
    expect(test.stdout).toMatch(/1 passed, 0 failed\n$/);
  });

  it("refuses a practice folder that exists, writing nothing", async () => {
    const rules = rulesCopy();
    await rulepack(["init", "bay-clinic", "--dir", rules]);
    const again = await rulepack(["init", "bay-clinic", "--dir", rules]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain("exists already; nothing written");
  });

  it("needs base.yaml in the rules folder", async () => {
    const r = await rulepack(["init", "bay-clinic", "--dir", join(root, "empty")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `rulepack: no base.yaml in ${join(root, "empty")} (give the rules folder with --dir)\n`,
    );
  });

  it("a PRACTICE that cannot be a pack id is a usage error", async () => {
    const r = await rulepack(["init", "Bay Clinic", "--dir", rulesCopy()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("must be lower-case letters, digits and '-'");
  });
});
