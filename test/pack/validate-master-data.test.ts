import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rulepack } from "../support/cli.js";

/**
 * `rulepack validate PACK` checks what `run` will need beyond the pack
 * (issue 20): the master-data.yaml beside it, as `store load` checks it,
 * and every name and code the pack takes from it, each at FILE:LINE:COL.
 * Each test scaffolds a practice with `rulepack init` in a temp copy of the
 * rules and writes into it.
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-validate-md-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let copies = 0;

const MASTER = `providers:
  - { id: "101", npi: "1482736505", name: Susan Nguyen }
departments:
  - { id: "1", name: Eco Derm Main }
  - { id: "2", name: Eco Derm North }
insurancePackages:
  - { id: "9001", name: Blue Shield PPO }
`;

interface Practice {
  readonly pack: string;
  readonly master: string;
  readonly plans: string;
}

async function practice(): Promise<Practice> {
  const dir = join(root, `copy-${++copies}`);
  cpSync("rules/base.yaml", join(dir, "rules/base.yaml"));
  cpSync("mappings/standard", join(dir, "mappings/standard"), { recursive: true });
  cpSync("schemas", join(dir, "schemas"), { recursive: true });
  const r = await rulepack(["init", "eco-derm", "--dir", join(dir, "rules")]);
  expect(r.status).toBe(0);
  const folder = join(dir, "rules/practices/eco-derm");
  const p = {
    pack: join(folder, "pack.yaml"),
    master: join(folder, "master-data.yaml"),
    plans: join(dir, "mappings/eco-derm/insurancePlan.yaml"),
  };
  writeFileSync(p.master, MASTER);
  return p;
}

/** `FILE:LINE:COL` of the first `needle` in `file` (at `offset` within it), as validate shows it. */
function at(file: string, needle: string, offset = 0): string {
  const lines = readFileSync(file, "utf8").split("\n");
  const line = lines.findIndex((l) => l.includes(needle));
  expect(line, needle).toBeGreaterThanOrEqual(0);
  const col = (lines[line] as string).indexOf(needle) + offset + 1;
  return `${relative(process.cwd(), file)}:${line + 1}:${col}`;
}

describe("rulepack validate: the master data beside the pack", () => {
  it("a clean practice with master data validates", async () => {
    const p = await practice();
    expect(await rulepack(["validate", p.pack])).toEqual({
      status: 0,
      stdout: `${p.pack}: valid\n`,
      stderr: "",
    });
  });

  it("an NPI whose check digit fails is exit 1 at its line, as store load and run say", async () => {
    const p = await practice();
    writeFileSync(p.master, MASTER.replace("1482736505", "1482736506"));
    const r = await rulepack(["validate", p.pack]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `${at(p.master, '"1482736506"')}: INVALID_VALUE providers[0].npi '1482736506' fails the NPI check digit (Luhn over 80840 and the first nine digits)\n`,
    );
    expect(r.stdout).toBe("");
  });

  it("--format json carries the master data's error in the pack's report", async () => {
    const p = await practice();
    writeFileSync(p.master, MASTER.replace("1482736505", "1482736506"));
    const r = await rulepack(["validate", "--format", "json", p.pack]);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.valid).toBe(false);
    expect(report.packs[0].errors.map((e: { code: string }) => e.code)).toEqual(["INVALID_VALUE"]);
  });
});

describe("rulepack validate: references from the pack into the master data", () => {
  it("an outbound filter name no department has (a typo would filter every appointment)", async () => {
    const p = await practice();
    appendFileSync(
      p.pack,
      "\noutbound:\n  filters:\n    appointments: { by: department, names: [Eco Derm Main, Eco Derm Mian] }\n",
    );
    const r = await rulepack(["validate", p.pack]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `${at(p.pack, "Eco Derm Mian")}: UNKNOWN_MASTER_CODE outbound.filters.appointments.names[1] 'Eco Derm Mian' is not a department of ${relative(process.cwd(), p.master)} (departments: Eco Derm Main, 1, Eco Derm North, 2); did you mean 'Eco Derm Main'?: every appointment of it would be FILTERED\n`,
    );
  });

  it("filter names match master-data names or IDs ignoring case", async () => {
    const p = await practice();
    appendFileSync(
      p.pack,
      '\noutbound:\n  filters:\n    patients: { by: provider, names: [susan nguyen, "101"] }\n',
    );
    expect((await rulepack(["validate", p.pack])).status).toBe(0);
  });

  it("a department code in a field rule's default and a package compared in a when:", async () => {
    const p = await practice();
    appendFileSync(
      p.pack,
      '\nfields:\n  - field: claim.departmentId\n    from: FT1.16\n    default: "7"\n  - field: patient.primaryProviderId\n    from: PD1.4\n    when: record.packageId = "9002"\n',
    );
    const r = await rulepack(["validate", p.pack]);
    expect(r.status).toBe(1);
    const masterFile = relative(process.cwd(), p.master);
    expect(r.stderr).toBe(
      [
        `${at(p.pack, '"7"')}: UNKNOWN_MASTER_CODE claim.departmentId default: '7' is not a department of ${masterFile} (departments: 1, 2)`,
        `${at(p.pack, "9002")}: UNKNOWN_MASTER_CODE patient.primaryProviderId when: compares packageId with '9002' is not an insurance package of ${masterFile} (insurancePackages: 9001); did you mean '9001'?`,
        "",
      ].join("\n"),
    );
  });

  it("a mapping row whose practice code is no insurance package", async () => {
    const p = await practice();
    writeFileSync(
      p.plans,
      readFileSync(p.plans, "utf8").replace(
        "rows: []",
        'rows:\n  - { foreign: "BCBS+PPO", practice: "9001" }\n  - { foreign: "AETNA+HMO", practice: "9100" }',
      ),
    );
    const r = await rulepack(["validate", p.pack]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `${at(p.plans, '"9100"')}: UNKNOWN_MASTER_CODE insurancePlan: 'AETNA+HMO' maps to practice code '9100' is not an insurance package of ${relative(process.cwd(), p.master)} (insurancePackages: 9001)\n`,
    );
  });
});
