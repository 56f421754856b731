import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rulepack } from "../support/cli.js";

/**
 * The fix-an-ERROR handoff (issue 20): `mapping add` prints a reprocess line
 * that works when pasted, `reprocess` says what the store holds when nothing
 * waits on the code, and `mapping add` on an element the pack does not map
 * names the setting that turns it on. Each test works on a copy of Harbor's
 * (or Lakeside's) pack and mapping files in a temp dir.
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-handoff-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let copies = 0;

function practiceCopy(practice: string) {
  const dir = join(root, `copy-${++copies}`);
  cpSync("rules/base.yaml", join(dir, "rules/base.yaml"));
  for (const file of ["pack.yaml", "master-data.yaml"])
    cpSync(`rules/practices/${practice}/${file}`, join(dir, `rules/practices/${practice}/${file}`));
  cpSync("mappings", join(dir, "mappings"), { recursive: true });
  cpSync("schemas", join(dir, "schemas"), { recursive: true });
  return {
    dir,
    pack: join(dir, `rules/practices/${practice}/pack.yaml`),
    table: (name: string) => join(dir, "mappings", practice, `${name}.yaml`),
  };
}

/** The words bash makes of a pasted command line. */
function shellWords(line: string): string[] {
  const r = spawnSync("bash", ["-c", `set -- ${line}; printf '%s\\0' "$@"`], { encoding: "utf8" });
  expect(r.status).toBe(0);
  return r.stdout.split("\0").slice(0, -1);
}

const NOW = "2026-01-15T18:00:00Z";
const MEDICAID = "MEDICAID+MEDICAID+800 N PEARL ST";
const MIRTH_A04 = "../shared/corpus/hl7/ADT_A04__mirth__1.hl7";

/** Harbor without its Medicaid row: the Mirth A04 waits in ERROR on UNMAPPED_INSURANCE. */
async function heldOnMedicaid() {
  const copy = practiceCopy("harbor-ortho");
  const table = copy.table("insurancePlan");
  const row = `  - foreign: "${MEDICAID}"\n    practice: "1002"\n    description: New York Medicaid (corpus ADT_A04 mirth 1)\n`;
  const original = readFileSync(table, "utf8");
  expect(original).toContain(row);
  writeFileSync(table, original.replace(row, ""));
  const db = join(copy.dir, "queue with space.sqlite");
  const run = await rulepack(["run", "--pack", copy.pack, "--db", db, "--now", NOW, MIRTH_A04]);
  expect(run.stdout).toContain(" ERROR ");
  return { ...copy, db };
}

describe("mapping add --db: the printed reprocess line", () => {
  it("names the pack and the store it was given, and works when pasted", async () => {
    const h = await heldOnMedicaid();
    const added = await rulepack([
      "mapping",
      "add",
      "insurancePlan",
      MEDICAID,
      "1002",
      "--pack",
      h.pack,
      "--db",
      h.db,
    ]);
    expect(added.status).toBe(0);
    const printed = added.stdout.split("\n")[1] as string;
    expect(printed).toBe(
      `reprocess waiting messages with: rulepack reprocess --blocked-on '${`UNMAPPED_INSURANCE:${MEDICAID}`}' --pack ${h.pack} --db '${h.db}'`,
    );
    const words = shellWords(printed.slice(printed.indexOf("rulepack ") + "rulepack ".length));
    expect(words).toEqual([
      "reprocess",
      "--blocked-on",
      `UNMAPPED_INSURANCE:${MEDICAID}`,
      "--pack",
      h.pack,
      "--db",
      h.db,
    ]);
    const pasted = await rulepack([...words, "--now", NOW]);
    expect(pasted.status).toBe(0);
    expect(pasted.stdout).toBe(
      "q-000001 603266 ADT^A04 ERROR -> PROCESSED codes=-\n1 attempt: 1 PROCESSED\n",
    );
    const list = await rulepack(["queue", "list", "--db", h.db]);
    expect(list.stdout).toContain(" PROCESSED ADT^A04 603266 ");
  });
});

describe("reprocess --blocked-on with nothing waiting on it", () => {
  it("says what the store holds: the messages waiting and that none has that code", async () => {
    const h = await heldOnMedicaid();
    const r = await rulepack([
      "reprocess",
      "--blocked-on",
      "UNMAPPED_CODE",
      "--pack",
      h.pack,
      "--db",
      h.db,
    ]);
    expect(r).toEqual({
      status: 1,
      stdout: "",
      stderr: `rulepack: no message waits on UNMAPPED_CODE in ${h.db} (1 message in ERROR, none with that code)\n`,
    });
  });

  it("a value that differs: the values the code does wait on", async () => {
    const h = await heldOnMedicaid();
    const r = await rulepack([
      ...[
        "reprocess",
        "--blocked-on",
        "UNMAPPED_INSURANCE:MEDICAID",
        "--pack",
        h.pack,
        "--db",
        h.db,
      ],
    ]);
    expect(r).toEqual({
      status: 1,
      stdout: "",
      stderr: `rulepack: no message waits on UNMAPPED_INSURANCE:MEDICAID in ${h.db} (1 message in ERROR; 1 wait on UNMAPPED_INSURANCE with another value: '${MEDICAID}')\n`,
    });
  });

  it("an empty queue is not an all-clear either", async () => {
    const copy = practiceCopy("harbor-ortho");
    const db = join(copy.dir, "empty.sqlite");
    await rulepack([
      "run",
      "--pack",
      copy.pack,
      "--db",
      db,
      "--now",
      NOW,
      "../shared/corpus/hl7/ADT_A04__mirth__1.hl7",
    ]);
    const r = await rulepack([
      "reprocess",
      "--blocked-on",
      "UNMAPPED_INSURANCE",
      "--pack",
      copy.pack,
      "--db",
      db,
    ]);
    expect(r.stderr).toBe(
      `rulepack: no message waits on UNMAPPED_INSURANCE in ${db} (no message is in ERROR, CBOERROR, ATHENAERROR)\n`,
    );
    expect(r.status).toBe(1);
  });
});

describe("mapping add on an element the pack does not map", () => {
  it("following the named setting turns the mapping on, and the row is added", async () => {
    const copy = practiceCopy("lakeside-family");
    const refused = await rulepack([
      "mapping",
      "add",
      "department",
      "ABCD",
      "10",
      "--pack",
      copy.pack,
    ]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("set mappings.department.mappingRequired: true in");
    const table = copy.table("department");
    expect(refused.stderr).toContain("mappings/lakeside-family/department.yaml (rows: [])");
    writeFileSync(
      copy.pack,
      readFileSync(copy.pack, "utf8").replace(
        "\nmappings:\n",
        "\nmappings:\n  department: { mappingRequired: true }\n",
      ),
    );
    mkdirSync(join(table, ".."), { recursive: true });
    writeFileSync(table, "table: department\nrows: []\n");
    const master = readFileSync(copy.pack.replace("pack.yaml", "master-data.yaml"), "utf8");
    const department = /departments:\n\s+- id: "([^"]+)"/.exec(master)?.[1] as string;
    const added = await rulepack([
      "mapping",
      "add",
      "department",
      "ABCD",
      department,
      "--pack",
      copy.pack,
    ]);
    expect(added.stderr).toBe("");
    expect(added.status).toBe(0);
  });
});
