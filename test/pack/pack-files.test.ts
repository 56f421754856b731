import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadPack } from "../../engine/pack/load.js";
import { DISK_FILES, filesOfOneRun } from "../../engine/pack/pack-files.js";

const dir = mkdtempSync(join(tmpdir(), "rp-pack-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("DISK_FILES: every load reads the disk", () => {
  it("reads what the file says now, and undefined for a file that cannot be read", () => {
    const file = join(dir, "disk.yaml");
    writeFileSync(file, "a: 1\n");
    expect(DISK_FILES.read(file)).toBe("a: 1\n");
    writeFileSync(file, "a: 2\n");
    expect(DISK_FILES.read(file)).toBe("a: 2\n");
    expect(DISK_FILES.read(join(dir, "missing.yaml"))).toBeUndefined();
    expect(DISK_FILES.exists(join(dir, "missing.yaml"))).toBe(false);
  });
});

describe("filesOfOneRun: files as one run first read them", () => {
  it("answers a second read of a file, and whether it exists, as the first did", () => {
    const files = filesOfOneRun();
    const file = join(dir, "run.yaml");
    writeFileSync(file, "a: 1\n");
    const absent = join(dir, "later.yaml");
    expect(files.read(file)).toBe("a: 1\n");
    expect(files.exists(absent)).toBe(false);
    writeFileSync(file, "a: 2\n");
    writeFileSync(absent, "b: 1\n");
    expect(files.read(file)).toBe("a: 1\n");
    expect(files.exists(absent)).toBe(false);
    // The next run sees the disk as it is.
    expect(filesOfOneRun().read(file)).toBe("a: 2\n");
    expect(filesOfOneRun().exists(absent)).toBe(true);
  });

  it("loads a pack as from the disk, and keeps its files for the run's later loads", () => {
    const packs = join(dir, "packs");
    cpSync("test/fixtures/packs", packs, { recursive: true });
    const pack = join(packs, "valid/pack.yaml");
    const files = filesOfOneRun();
    const fromDisk = loadPack(pack);
    const first = loadPack(pack, { files });
    if (!fromDisk.ok || !first.ok) throw new Error("the valid fixture did not load");
    expect(first.pack.effective).toEqual(fromDisk.pack.effective);
    expect(first.pack.practice?.name).toBe("Harbor Orthopedics");
    writeFileSync(pack, readFileSync(pack, "utf8").replace("Harbor Orthopedics", "Edited"));
    const second = loadPack(pack, { files });
    expect(second.ok && second.pack.practice?.name).toBe("Harbor Orthopedics");
    const disk = loadPack(pack);
    expect(disk.ok && disk.pack.practice?.name).toBe("Edited");
  });
});
