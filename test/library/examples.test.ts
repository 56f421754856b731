import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import * as api from "../../engine/index.js";

/**
 * The library matches the CLI (issue 20): `loadPractice` opens a practice
 * as `rulepack run` does, its errors print as `FILE:LINE:COL`, and the
 * typed example under examples/ compiles and runs.
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-library-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const EXAMPLE = "examples/embed-a-practice.ts";
const runExample = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", EXAMPLE, ...args], {
    encoding: "utf8",
    env: { ...process.env, TSX_TSCONFIG_PATH: "examples/tsconfig.json" },
  });

describe("examples/ (type-checked by npm test's typecheck step, then run)", () => {
  it("is part of the project tsc --noEmit checks, with rulepack mapped to the source", () => {
    // Compiling examples/ here again would type-check the whole engine a
    // second time (~45 s on a loaded machine); npm test's typecheck already does.
    const configFile = ts.readConfigFile("tsconfig.json", ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, process.cwd());
    expect(parsed.errors).toEqual([]);
    expect(parsed.fileNames.map((f) => relative(process.cwd(), f))).toContain(EXAMPLE);
    expect(parsed.options.paths?.rulepack).toEqual(["./engine/index.ts"]);
  });

  it("embed-a-practice.ts processes the corpus A04 through Harbor to PROCESSED", () => {
    const r = runExample(
      "rules/practices/harbor-ortho/pack.yaml",
      "../shared/corpus/hl7/ADT_A04__mirth__1.hl7",
    );
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toBe("q-000001 603266 ADT^A04 PROCESSED -\n");
  }, 60_000);

  it("refuses the abstract base with its located error, exit 2", () => {
    const r = runExample("rules/base.yaml", "../shared/corpus/hl7/ADT_A04__mirth__1.hl7");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^rules\/base\.yaml:\d+:\d+: PACK_ABSTRACT rules\/base\.yaml is abstract \(pack\.abstract\): name a practice pack that extends it\n$/,
    );
  }, 60_000);
});

describe("loadPractice", () => {
  it("opens the pack with its mapping tables and the master data beside it", () => {
    const practice = api.loadPractice("rules/practices/harbor-ortho/pack.yaml");
    if (!practice.ok) throw new Error(api.formatPackErrors(practice.errors));
    expect(practice.pack.id).toBe("harbor-ortho");
    expect(practice.pack.tables.has("insurancePlan")).toBe(true);
    expect(practice.masterData?.providers.length).toBeGreaterThan(0);
  });

  it("refuses an abstract pack (loadPack accepts it)", () => {
    expect(api.loadPack("rules/base.yaml").ok).toBe(true);
    const practice = api.loadPractice("rules/base.yaml");
    expect(practice.ok).toBe(false);
    if (practice.ok) return;
    expect(practice.abstract).toBe(true);
    expect(practice.errors.map((e) => [e.file, e.code, e.path])).toEqual([
      ["rules/base.yaml", "PACK_ABSTRACT", "pack.abstract"],
    ]);
  });

  it("reports the pack's and the master data's problems at once, formatted with FILE:LINE:COL", () => {
    const dir = join(root, "both-broken");
    cpSync(
      "rules/practices/harbor-ortho/pack.yaml",
      join(dir, "rules/practices/harbor-ortho/pack.yaml"),
    );
    cpSync("rules/base.yaml", join(dir, "rules/base.yaml"));
    cpSync("mappings", join(dir, "mappings"), { recursive: true });
    cpSync("schemas", join(dir, "schemas"), { recursive: true });
    const pack = join(dir, "rules/practices/harbor-ortho/pack.yaml");
    writeFileSync(
      pack,
      `${"pack:\n  id: harbor-ortho\n  extends: ../../base.yaml\n"}nonsense: 1\n`,
    );
    const master = join(dir, "rules/practices/harbor-ortho/master-data.yaml");
    writeFileSync(master, 'providers:\n  - { id: "1", npi: "1482736506" }\n');
    const practice = api.loadPractice(pack);
    expect(practice.ok).toBe(false);
    if (practice.ok) return;
    const shownPack = relative(process.cwd(), pack);
    expect(api.formatPackErrors(practice.errors).split("\n")).toEqual([
      `${shownPack}:1:1: MISSING_KEY practice is required (a pack that can be run (not pack.abstract) needs the practice section (Table 1))`,
      `${shownPack}:4:1: UNKNOWN_KEY "nonsense" is not a top-level key; expected one of: pack, practice, enabled, fields, required, mappings, limits, externalIds, matching, insurance, acks, queue, privacy, guarantor, appointments, charges, outbound`,
      `${relative(process.cwd(), master)}:2:21: INVALID_VALUE providers[0].npi '1482736506' fails the NPI check digit (Luhn over 80840 and the first nine digits)`,
    ]);
  });
});
