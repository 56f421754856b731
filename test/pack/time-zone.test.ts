import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadPack } from "../../engine/pack/load.js";

const dir = mkdtempSync(join(tmpdir(), "rp-time-zone-"));
cpSync("test/fixtures/packs/base.yaml", join(dir, "base.yaml"));
cpSync("test/fixtures/packs/valid", join(dir, "valid"), { recursive: true });
cpSync("test/fixtures/packs/mappings", join(dir, "mappings"), { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pack = join(dir, "valid", "pack.yaml");
const original = readFileSync(pack, "utf8");

/** The codes loadPack reports with `practice.timeZone` set to `zone`. */
function codesWith(zone: string): string[] {
  writeFileSync(pack, original.replace("timeZone: America/New_York", `timeZone: "${zone}"`));
  const load = loadPack(pack);
  return load.ok ? [] : load.errors.map((e) => e.code);
}

describe("practice.timeZone", () => {
  it.each(["America/Chicago", "Europe/Zurich"])("accepts the canonical IANA name %s", (zone) => {
    expect(codesWith(zone)).toEqual([]);
  });

  it.each(["UTC", "US/Eastern", "america/chicago"])(
    "accepts %s, which a formatter accepts though it is not a canonical name",
    (zone) => {
      expect(codesWith(zone)).toEqual([]);
    },
  );

  it.each(["America/Nowhere", "Mars/Olympus"])("refuses %s as INVALID_VALUE", (zone) => {
    expect(codesWith(zone)).toEqual(["INVALID_VALUE"]);
  });
});
