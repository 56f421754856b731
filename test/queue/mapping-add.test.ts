import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mappingAddCommand, mappingCommand } from "../../engine/cli/mapping-command.js";
import { queueCommand } from "../../engine/cli/queue-command.js";
import { reprocessCommand } from "../../engine/cli/reprocess-command.js";
import { runCommand } from "../../engine/cli/run-command.js";
import { loadPack } from "../../engine/pack/load.js";
import { lookupRow } from "../../engine/pack/mapping-tables.js";
import { appendRow, newTableFile, writeChecked } from "../../engine/queue/mapping-write.js";
import { captureIo } from "../testing/helpers.js";

/**
 * `rulepack mapping add TABLE FOREIGN PRACTICE --pack PACK`: the spec's
 * insurance-mapping workflow ("map the foreign ID once, then the message
 * goes through"). Each test edits a copy of the repository's pack and
 * mapping files in a fresh temp dir.
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-mapping-add-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let copies = 0;

/** A copy of base.yaml, one practice pack, every mapping file and the schemas. */
function practiceCopy(practice = "harbor-ortho") {
  const dir = join(root, `copy-${++copies}`);
  cpSync("rules/base.yaml", join(dir, "rules/base.yaml"));
  cpSync(
    `rules/practices/${practice}/pack.yaml`,
    join(dir, `rules/practices/${practice}/pack.yaml`),
  );
  cpSync("mappings", join(dir, "mappings"), { recursive: true });
  cpSync("schemas", join(dir, "schemas"), { recursive: true });
  const mappings = join(dir, "mappings", practice);
  return {
    pack: join(dir, `rules/practices/${practice}/pack.yaml`),
    file: (table: string) => join(mappings, `${table}.yaml`),
    standard: (table: string) => join(dir, "mappings/standard", `${table}.yaml`),
  };
}

const shown = (file: string) => relative(process.cwd(), file);
const lineCount = (text: string) => text.split("\n").length - 1;

function add(pack: string, table: string, foreign: string, practice: string, description?: string) {
  const io = captureIo();
  const result = mappingAddCommand(
    { pack, table, row: { foreign, practice, ...(description !== undefined && { description }) } },
    io,
  );
  return { exitCode: result.exitCode, stdout: io.out(), stderr: io.err() };
}

function mapped(pack: string, table: string, foreign: string): string | undefined {
  const load = loadPack(pack);
  if (!load.ok) throw new Error("the pack does not load");
  const rows = load.pack.tables.get(table);
  return rows ? lookupRow(rows, foreign)?.practice : undefined;
}

const AETNA = "31572+aetna (60054 0131)+PO Box 14080";

describe("rulepack mapping add", () => {
  it("appends an insurance row to the practice's file, every other byte kept, and says how to reprocess", () => {
    const copy = practiceCopy();
    const file = copy.file("insurancePlan");
    const before = readFileSync(file, "utf8");
    expect(mapped(copy.pack, "insurancePlan", AETNA)).toBeUndefined();

    const r = add(copy.pack, "insurancePlan", AETNA, "4471");

    expect(r).toEqual({
      exitCode: 0,
      stdout:
        `${shown(file)}:${lineCount(before) + 1}: insurancePlan '${AETNA}' -> '4471'\n` +
        `reprocess waiting messages with: rulepack reprocess --blocked-on 'UNMAPPED_INSURANCE:${AETNA}' --pack ${copy.pack}\n`,
      stderr: "",
    });
    expect(readFileSync(file, "utf8")).toBe(
      `${before}  - foreign: "${AETNA}"\n    practice: "4471"\n`,
    );
    expect(mapped(copy.pack, "insurancePlan", AETNA)).toBe("4471");
  });

  it("writes --description under the row", () => {
    const copy = practiceCopy();
    const file = copy.file("insurancePlan");
    const before = readFileSync(file, "utf8");
    expect(
      add(copy.pack, "insurancePlan", AETNA, "4471", "Aetna HMO: billed as Harbor Mutual").exitCode,
    ).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(
      `${before}  - foreign: "${AETNA}"\n    practice: "4471"\n    description: "Aetna HMO: billed as Harbor Mutual"\n`,
    );
  });

  it("refuses a foreign key already mapped to another practice code, naming the line", () => {
    const copy = practiceCopy();
    const file = copy.file("insurancePlan");
    const before = readFileSync(file, "utf8");
    const key = "HMP-100+Harbor Mutual PPO+100 Main St";
    const line = before.split("\n").findIndex((l) => l.includes(`"${key}"`)) + 1;

    expect(add(copy.pack, "insurancePlan", key, "9999")).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: `rulepack: insurancePlan: foreign code '${key}' is already mapped to '4471' at ${shown(file)}:${line}; change that line by hand if it is wrong\n`,
    });
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("refuses a practice code the master data beside the pack does not list, writing nothing", () => {
    const copy = practiceCopy();
    cpSync(
      "rules/practices/harbor-ortho/master-data.yaml",
      join(copy.pack, "..", "master-data.yaml"),
    );
    const before = readFileSync(copy.file("insurancePlan"), "utf8");
    const result = add(copy.pack, "insurancePlan", "ACME-9+Acme Health+1 Acme Way", "1234");
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^rulepack: insurancePlan: '1234' is not an insurance package in the practice's master data \(master-data\.yaml lists \d+: .*\); nothing written\n$/,
    );
    expect(readFileSync(copy.file("insurancePlan"), "utf8")).toBe(before);
    expect(add(copy.pack, "insurancePlan", "ACME-9+Acme Health+1 Acme Way", "00312").exitCode).toBe(
      0,
    );
  });

  it("is a no-op, exit 0, for a row the table already has", () => {
    const copy = practiceCopy();
    const file = copy.file("insurancePlan");
    const before = readFileSync(file, "utf8");
    const key = "HMP-100+Harbor Mutual PPO+100 Main St";
    const line = before.split("\n").findIndex((l) => l.includes(`"${key}"`)) + 1;

    expect(add(copy.pack, "insurancePlan", key, "4471")).toEqual({
      exitCode: 0,
      stdout:
        `${shown(file)}:${line}: insurancePlan already maps '${key}' -> '4471'; nothing written\n` +
        `reprocess waiting messages with: rulepack reprocess --blocked-on 'UNMAPPED_INSURANCE:${key}' --pack ${copy.pack}\n`,
      stderr: "",
    });
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("reads a case-insensitive table's keys in any case, and names a standard row as such", () => {
    const copy = practiceCopy();
    const standard = copy.standard("language");
    const line =
      readFileSync(standard, "utf8")
        .split("\n")
        .findIndex((l) => l.includes('"ell"')) + 1;
    expect(add(copy.pack, "language", "ELL", "gre").exitCode).toBe(0);
    expect(add(copy.pack, "language", "ELL", "eng")).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: `rulepack: language: foreign code 'ELL' is already mapped to 'gre' at ${shown(standard)}:${line}; that is the standard table: override it in the practice's file by hand\n`,
    });
  });

  it("creates the practice's file for a table only the standard file has, headed like it", () => {
    const copy = practiceCopy();
    const file = copy.file("sex");
    expect(existsSync(file)).toBe(false);
    const modeline = readFileSync(copy.standard("sex"), "utf8").split("\n")[0];

    expect(add(copy.pack, "sex", "2", "F")).toEqual({
      exitCode: 0,
      stdout:
        `${shown(file)}:4: sex '2' -> 'F'\n` +
        `reprocess waiting messages with: rulepack reprocess --blocked-on UNMAPPED_CODE:2 --pack ${copy.pack}\n`,
      stderr: "",
    });
    expect(readFileSync(file, "utf8")).toBe(
      `${modeline}\ntable: sex\nrows:\n  - foreign: "2"\n    practice: "F"\n`,
    );
    expect(mapped(copy.pack, "sex", "2")).toBe("F");
  });

  it("keys an outbound table (direction: outbound) by the practice code, without a reprocess line", () => {
    const copy = practiceCopy();
    const file = copy.file("orthochartRaceOut");
    const before = readFileSync(file, "utf8");
    expect(add(copy.pack, "orthochartRaceOut", "O", "2500-7")).toEqual({
      exitCode: 0,
      stdout: `${shown(file)}:${lineCount(before) + 1}: orthochartRaceOut 'O' -> '2500-7'\n`,
      stderr: "",
    });
    expect(readFileSync(file, "utf8")).toBe(`${before}  - { practice: "2500-7", foreign: "O" }\n`);
    const line = before.split("\n").findIndex((l) => l.includes('"2106-3"')) + 1;
    expect(add(copy.pack, "orthochartRaceOut", "B", "2106-3")).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: `rulepack: orthochartRaceOut: practice code '2106-3' is already mapped to 'W' at ${shown(file)}:${line}; change that line by hand if it is wrong\n`,
    });
  });

  it("refuses a table the pack does not read, listing those it reads", () => {
    const copy = practiceCopy("lakeside-family");
    expect(add(copy.pack, "departments", "ABCD", "10")).toEqual({
      exitCode: 1,
      stdout: "",
      stderr:
        "rulepack: pack lakeside-family reads no mapping table 'departments' (it reads: insurancePlan, relationshipInverse, relationshipToInsured)\n",
    });
  });

  it("names the setting that turns on an element's mapping the pack leaves off (department)", () => {
    const copy = practiceCopy("lakeside-family");
    const base = copy.pack.replace("practices/lakeside-family/pack.yaml", "base.yaml");
    const line =
      readFileSync(base, "utf8")
        .split("\n")
        .findIndex((l) => l.startsWith("  department: { mappingRequired: false }")) + 1;
    expect(add(copy.pack, "department", "ABCD", "10")).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: `rulepack: pack lakeside-family does not map department codes: mappings.department.mappingRequired is false (${shown(base)}:${line}), so received codes are used as they are. To map them, set mappings.department.mappingRequired: true in ${copy.pack} (docs/pack-language.md §10) with a table mappings/lakeside-family/department.yaml (rows: []), then add rows with this command\n`,
    });
  });

  it("exits 2 on a pack that does not load, writing nothing", () => {
    const copy = practiceCopy();
    const before = readFileSync(copy.file("insurancePlan"), "utf8");
    writeFileSync(copy.pack, "pack: [\n");
    const r = add(copy.pack, "insurancePlan", AETNA, "4471");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^.*pack\.yaml:\d+:\d+: /);
    expect(readFileSync(copy.file("insurancePlan"), "utf8")).toBe(before);
  });
});

describe("rulepack mapping add, then reprocess --blocked-on (the spec's insurance-mapping workflow)", () => {
  it("the message waiting on an unmapped plan goes through once its row is added", async () => {
    // The copy's table lacks the Medicaid plan that the corpus A04 from Mirth carries.
    const copy = practiceCopy();
    const plan = "MEDICAID+MEDICAID+800 N PEARL ST";
    const table = copy.file("insurancePlan");
    const row = `  - foreign: "${plan}"\n    practice: "1002"\n    description: New York Medicaid (corpus ADT_A04 mirth 1)\n`;
    const original = readFileSync(table, "utf8");
    expect(original).toContain(row);
    writeFileSync(table, original.replace(row, ""));

    const db = join(root, `workflow-${copies}.sqlite`);
    const now = new Date("2026-01-15T18:00:00Z");
    const options = {
      pack: copy.pack,
      db,
      now,
      format: "text",
      explain: false,
      showData: false,
    } as const;
    const files = ["../shared/corpus/hl7/ADT_A04__mirth__1.hl7"];
    expect((await runCommand({ ...options, files, progress: false }, captureIo())).exitCode).toBe(
      0,
    );
    const list = async (args: string[]) => {
      const io = captureIo();
      await queueCommand(["list", "--db", db, ...args], io);
      return io.out();
    };
    expect(await list([])).toBe(
      "q-000001 2026-01-15T18:00:00.000Z ERROR ADT^A04 603266 errors=UNMAPPED_INSURANCE(IN1.2+IN1.4+IN1.5)\n1 message\n",
    );

    const added = add(copy.pack, "insurancePlan", plan, "1002", "New York Medicaid");
    expect(added.stdout.split("\n")[1]).toBe(
      `reprocess waiting messages with: rulepack reprocess --blocked-on '${`UNMAPPED_INSURANCE:${plan}`}' --pack ${copy.pack}`,
    );
    const io = captureIo();
    const args = ["--blocked-on", `UNMAPPED_INSURANCE:${plan}`, "--pack", copy.pack, "--db", db];
    const reprocess = await reprocessCommand(
      [...args, "--now", now.toISOString(), "--actor", "alice"],
      io,
    );
    expect([reprocess.exitCode, io.err()]).toEqual([0, ""]);
    expect(await list([])).toBe(
      "q-000001 2026-01-15T18:00:00.000Z PROCESSED ADT^A04 603266 errors=-\n1 message\n",
    );
  });
});

describe("rulepack mapping (arguments)", () => {
  const usage =
    "usage: rulepack mapping add TABLE FOREIGN PRACTICE --pack PACK [--db FILE] [--description TEXT]\n";
  it.each([
    [["list"], "unknown mapping command 'list' (add)"],
    [["add", "insurancePlan", "X", "1"], "--pack is required"],
    [
      ["add", "insurancePlan", "X", "--pack", "p.yaml"],
      "give TABLE, FOREIGN and PRACTICE (quote a key that holds spaces)",
    ],
    [["add", "insurancePlan", "X", " ", "--pack", "p.yaml"], "PRACTICE must not be empty"],
  ])("%j exits 2: %s", (args, message) => {
    const io = captureIo();
    expect(mappingCommand(args, io).exitCode).toBe(2);
    expect(io.err()).toBe(`rulepack: ${message}\n${usage}`);
  });
});

describe("appendRow", () => {
  it("keeps a trailing comment on the last row's line and follows a flow row's style", () => {
    const text = 'table: t\nrows:\n  - { foreign: "a", practice: "1" } # the first\n# the end\n';
    expect(appendRow(text, { foreign: "b", practice: "2", description: "B: two" })).toEqual({
      ok: true,
      line: 4,
      text: 'table: t\nrows:\n  - { foreign: "a", practice: "1" } # the first\n  - { foreign: "b", practice: "2", description: "B: two" }\n# the end\n',
    });
  });

  it("adds to a file without a final newline, and before keys that follow the rows", () => {
    expect(
      appendRow('table: t\nrows:\n    - foreign: "a"\n      practice: "1"', {
        foreign: "b",
        practice: "2",
      }),
    ).toEqual({
      ok: true,
      line: 5,
      text: 'table: t\nrows:\n    - foreign: "a"\n      practice: "1"\n    - foreign: "b"\n      practice: "2"\n',
    });
    expect(
      appendRow('table: t\nrows:\n  - foreign: "a"\n    practice: "1"\ncaseInsensitive: true\n', {
        foreign: "b",
        practice: "2",
      }),
    ).toMatchObject({
      ok: true,
      text: 'table: t\nrows:\n  - foreign: "a"\n    practice: "1"\n  - foreign: "b"\n    practice: "2"\ncaseInsensitive: true\n',
    });
  });

  it("turns an empty rows: [] into a list holding the row", () => {
    expect(appendRow("table: t\nrows: []\n", { foreign: "a", practice: "007" })).toEqual({
      ok: true,
      line: 3,
      text: 'table: t\nrows:\n  - foreign: "a"\n    practice: "007"\n',
    });
  });

  it("refuses what it cannot extend safely", () => {
    expect(
      appendRow("table: t\nrows: [{ foreign: a, practice: b }]\n", { foreign: "x", practice: "y" }),
    ).toEqual({
      ok: false,
      message: "the rows are a flow list ([...]): add the row by hand",
    });
    expect(appendRow("table: t\n", { foreign: "x", practice: "y" })).toEqual({
      ok: false,
      message: "the file has no `rows:` list to add to",
    });
    expect(appendRow("rows: [\n", { foreign: "x", practice: "y" })).toMatchObject({ ok: false });
  });

  it("newTableFile writes the modeline, the table and the row", () => {
    expect(newTableFile("sex", { foreign: "2", practice: "F" })).toEqual({
      ok: true,
      line: 4,
      text: '# yaml-language-server: $schema=../../schemas/mapping-table.schema.json\ntable: sex\nrows:\n  - foreign: "2"\n    practice: "F"\n',
    });
  });
});

describe("writeChecked", () => {
  it("puts back the file as it was when the check fails", () => {
    const file = join(root, "checked", "kept.yaml");
    cpSync("mappings/harbor-ortho/insurancePlan.yaml", file);
    const before = readFileSync(file, "utf8");
    expect(writeChecked(file, "broken", () => readFileSync(file, "utf8") === "never")).toBe(false);
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(writeChecked(file, "changed", () => true)).toBe(true);
    expect(readFileSync(file, "utf8")).toBe("changed");
  });

  it("removes a file, and the folder, it created when the check fails", () => {
    const folder = join(root, "checked-new", "practice");
    expect(writeChecked(join(folder, "t.yaml"), "rows: []\n", () => false)).toBe(false);
    expect(existsSync(folder)).toBe(false);
    expect(existsSync(join(root, "checked-new"))).toBe(true);
  });
});
