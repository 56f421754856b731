import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { layerOf } from "../../engine/documents/merge.js";
import { readYaml } from "../../engine/documents/source.js";
import { compileExpression, DEFAULT_BUDGET } from "../../engine/expressions/runtime.js";
import { readChain } from "../../engine/pack/chain.js";
import { cachedExpression, cachedReference } from "../../engine/pack/compile-cache.js";
import { loadPack } from "../../engine/pack/load.js";
import { loadMappingTable } from "../../engine/pack/mapping-tables.js";

/** A copy of the loader's fixtures (base.yaml, valid/, mappings/) that a test may edit. */
const dir = mkdtempSync(join(tmpdir(), "rp-reload-sharing-"));
cpSync("test/fixtures/packs/base.yaml", join(dir, "base.yaml"));
cpSync("test/fixtures/packs/valid", join(dir, "valid"), { recursive: true });
cpSync("test/fixtures/packs/mappings", join(dir, "mappings"), { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pack = join(dir, "valid", "pack.yaml");

/** Replace `from` by `to` in a file of the copy. */
function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, "utf8");
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
}

const mergedData = (overrides?: Parameters<typeof readChain>[1]) => {
  const read = readChain(pack, overrides);
  if (!read.ok) throw new Error(JSON.stringify(read.errors));
  return read.chain.merged.data as { practice: { name: string }; pack: { description: string } };
};

describe("reloading a pack shares what did not change (decision 0036)", () => {
  it("an unchanged chain merges once: a reload reads the same frozen merged data", () => {
    const first = mergedData();
    expect(mergedData()).toBe(first);
    expect(Object.isFrozen(first.practice)).toBe(true);
  });

  it("a file whose text changed is read and merged again", () => {
    const before = mergedData();
    edit(pack, "name: Harbor Orthopedics", "name: Harbor Orthopedics East");
    const after = mergedData();
    expect(after).not.toBe(before);
    expect(after.practice.name).toBe("Harbor Orthopedics East");
  });

  it("an overrides layer merges on top of the kept merge and leaves it as it was", () => {
    const testFile = join(dir, "case.yaml");
    writeFileSync(testFile, "overrides:\n  practice:\n    name: Overridden\n");
    const read = readYaml(testFile);
    if (!read.ok) throw new Error("case.yaml does not read");
    const plain = mergedData();
    const overridden = mergedData(layerOf(read.source, ["overrides"]));
    expect(overridden.practice.name).toBe("Overridden");
    expect(mergedData()).toBe(plain);
    expect(plain.practice.name).not.toBe("Overridden");
  });

  it("a mapping table is built once while its files read the same, and again when one changed", () => {
    const mappings = join(dir, "mappings");
    const first = loadMappingTable(mappings, "valid", "department");
    const again = loadMappingTable(mappings, "valid", "department");
    expect(again).toBe(first);
    edit(join(mappings, "valid", "department.yaml"), 'practice: "22"', 'practice: "23"');
    const changed = loadMappingTable(mappings, "valid", "department");
    expect(changed).not.toBe(first);
    expect(changed.ok && changed.table.rows.get("EAST")?.practice).toBe("23");
  });

  it("a reload after an edit reports the pack as a fresh process would", () => {
    edit(pack, "timeZone: America/New_York", "timeZone: America/Nowhere");
    const load = loadPack(pack);
    expect(load.ok).toBe(false);
    expect(!load.ok && load.errors.map((e) => e.code)).toEqual(["INVALID_VALUE"]);
    edit(pack, "timeZone: America/Nowhere", "timeZone: America/New_York");
    expect(loadPack(pack).ok).toBe(true);
  });
});

describe("references and expressions compiled once per text", () => {
  it("the same reference text gives the same compiled reference", () => {
    expect(cachedReference("PID.5.1")).toBe(cachedReference("PID.5.1"));
    expect(cachedReference("PID.5.1").ok).toBe(true);
  });

  it("the same expression and budget give the same compiled expression; another budget compiles its own", () => {
    const text = "$uppercase($field('PID.5.1'))";
    const first = cachedExpression(text, DEFAULT_BUDGET);
    expect(cachedExpression(text, { ...DEFAULT_BUDGET })).toBe(first);
    expect(cachedExpression(text, { ...DEFAULT_BUDGET, maxSteps: 7 })).not.toBe(first);
  });

  it("a text that does not compile reports what compileExpression reports", () => {
    expect(cachedExpression("$uppercase(", DEFAULT_BUDGET)).toEqual(
      compileExpression("$uppercase(", DEFAULT_BUDGET),
    );
  });
});
