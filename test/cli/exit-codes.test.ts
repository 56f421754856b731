import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rulepack } from "../support/cli.js";

/**
 * One exit-code table for every command (README "Exit codes"): 0 ok, 1 a
 * finding, 2 usage or unreadable input, 3 internal. An unreadable file is 2
 * everywhere; an invalid pack is 1 in validate (its finding) and 2 where it
 * is input to something else.
 */

const dir = mkdtempSync(join(tmpdir(), "rulepack-exit-codes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PACK = "rules/practices/lakeside-family/pack.yaml";
const NOW = "2026-01-15T18:00:00Z";

/** Lakeside requires PID-19 (SSN): this A04 without one ends in ERROR. */
const NO_SSN = join(dir, "no-ssn.hl7");
writeFileSync(
  NO_SSN,
  "MSH|^~\\&|PRAIRIE|LAKESIDE|PS|PS|20260115120000||ADT^A04|L1|P|2.5.1\rEVN|A04|20260115120000\rPID|1||P-88^^^PRAIRIE^PI||Kim^Grace^S||19791102|F\rPV1|1|O\r",
);
const INVALID_PACK = join(dir, "invalid.yaml");
writeFileSync(INVALID_PACK, "pack:\n  id: broken\nnonsense: 1\n");

let dbs = 0;
const freshDb = () => join(dir, `store-${++dbs}.sqlite`);

describe("run --fail-on", () => {
  it("without it, a message in ERROR still exits 0", async () => {
    const r = await rulepack(["run", "--pack", PACK, "--db", freshDb(), "--now", NOW, NO_SSN]);
    expect(r.stdout).toContain(" ERROR ");
    expect(r.status).toBe(0);
  });

  it("exits 1 when a message ends in a listed state, and says how many", async () => {
    const r = await rulepack([
      "run",
      ...["--pack", PACK, "--db", freshDb(), "--now", NOW],
      ...["--fail-on", "ERROR,CBOERROR", NO_SSN],
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("rulepack: --fail-on: 1 ERROR\n");
  });

  it("exits 0 when no message ends in a listed state", async () => {
    const r = await rulepack([
      "run",
      ...["--pack", PACK, "--db", freshDb(), "--now", NOW],
      ...["--fail-on", "CBOERROR,ATHENAERROR", NO_SSN],
    ]);
    expect(r.status).toBe(0);
  });

  it("an unknown state is a usage error before anything runs", async () => {
    const db = freshDb();
    const r = await rulepack(["run", "--pack", PACK, "--db", db, "--fail-on", "EROR", NO_SSN]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--fail-on takes states from PROCESSED,");
    expect(r.stderr).toContain("not 'EROR'");
    expect(existsSync(db)).toBe(false);
  });
});

describe("an unreadable input file", () => {
  it("run: exit 2, and no store is created", async () => {
    const db = freshDb();
    const missing = join(dir, "no-such.hl7");
    const r = await rulepack(["run", "--pack", PACK, "--db", db, "--now", NOW, NO_SSN, missing]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`rulepack: cannot read ${missing} (ENOENT)\n`);
    expect(r.stdout).toBe("");
    expect(existsSync(db)).toBe(false);
  });

  it("explain: exit 2", async () => {
    const missing = join(dir, "no-such.hl7");
    const r = await rulepack(["explain", "--pack", PACK, "--now", NOW, missing]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`cannot read ${missing} (ENOENT)\n`);
  });

  it("store load: exit 2, and no store is created", async () => {
    const db = freshDb();
    const r = await rulepack(["store", "load", "--db", db, join(dir, "no-such-master-data.yaml")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("FILE_NOT_FOUND");
    expect(existsSync(db)).toBe(false);
  });

  it("validate: a pack that cannot be read is 2, not a finding", async () => {
    const r = await rulepack(["validate", join(dir, "no-such-pack.yaml")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("FILE_NOT_FOUND");
  });
});

describe("an invalid pack", () => {
  it("is validate's finding: exit 1", async () => {
    const r = await rulepack(["validate", INVALID_PACK]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/invalid\.yaml:\d+:\d+: [A-Z_]+ /);
  });

  it("is unusable input to run: exit 2, no store", async () => {
    const db = freshDb();
    const r = await rulepack(["run", "--pack", INVALID_PACK, "--db", db, NO_SSN]);
    expect(r.status).toBe(2);
    expect(existsSync(db)).toBe(false);
  });

  it("is unusable input to serve: exit 2 before listening", async () => {
    const r = await rulepack(["serve", "--pack", INVALID_PACK, "--mllp", "0", "--db", freshDb()]);
    expect(r.status).toBe(2);
    expect(r.stdout).not.toContain("ready");
  });

  it("is unusable input to test: exit 2", async () => {
    const suite = join(dir, "suite.test.yaml");
    writeFileSync(
      suite,
      `pack: invalid.yaml\ncases:\n  - name: any\n    messages: ["MSH|^~\\\\&|A|B|C|D|20260101||ADT^A04|1|P|2.5.1"]\n    expect: { state: PROCESSED }\n`,
    );
    const r = await rulepack(["test", suite]);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain("invalid");
  });
});
