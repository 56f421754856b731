import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readYaml } from "../../engine/documents/source.js";
import { readPackYaml } from "../../engine/pack/source-cache.js";

const dir = mkdtempSync(join(tmpdir(), "rp-source-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readPackYaml: a pack file parsed once per text", () => {
  it("returns the same parse while the file's text is unchanged", () => {
    const file = join(dir, "same.yaml");
    writeFileSync(file, "pack:\n  id: same\n");
    const first = readPackYaml(file);
    expect(readPackYaml(file)).toBe(first);
  });

  it("parses again when the text changed, and reads what it now says", () => {
    const file = join(dir, "changed.yaml");
    writeFileSync(file, "pack:\n  id: before\n");
    const before = readPackYaml(file);
    writeFileSync(file, "pack:\n  id: after\n");
    const after = readPackYaml(file);
    expect(after).not.toBe(before);
    expect(after.ok && after.source.data).toEqual({ pack: { id: "after" } });
  });

  it("keeps the data frozen, so no load can change what the next one reads", () => {
    const file = join(dir, "frozen.yaml");
    writeFileSync(file, "fields:\n  - field: a\n");
    const read = readPackYaml(file);
    const data = read.ok ? (read.source.data as { fields: { field: string }[] }) : undefined;
    expect(Object.isFrozen(data)).toBe(true);
    expect(Object.isFrozen(data?.fields[0])).toBe(true);
  });

  it("reports what readYaml reports for an unreadable or broken file", () => {
    const missing = join(dir, "missing.yaml");
    expect(readPackYaml(missing)).toEqual(readYaml(missing));
    const broken = join(dir, "broken.yaml");
    writeFileSync(broken, "a: 1\na: 2\n");
    expect(readPackYaml(broken)).toEqual(readYaml(broken));
  });

  it("keys by the name the file is shown by, since positions carry it", () => {
    const file = join(dir, "shown.yaml");
    writeFileSync(file, "a: 1\n");
    const absolute = readPackYaml(file);
    const relative = readPackYaml(join(dir, ".", "shown.yaml"));
    expect(absolute.ok && absolute.source.locate(["a"]).file).toBe(file);
    expect(relative.ok && relative.source.locate(["a"]).file).toBe(join(dir, ".", "shown.yaml"));
  });
});
