import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { storeLoadCommand } from "../../engine/cli/store-command.js";
import type { CliIo } from "../../engine/io/cli-io.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";

const root = mkdtempSync(join(tmpdir(), "rulepack-store-cmd-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function capture(): CliIo & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stdout: (text: string) => {
      io.out += text;
    },
    stderr: (text: string) => {
      io.err += text;
    },
  };
  return io;
}

function file(name: string, text: string): string {
  const path = join(root, name);
  writeFileSync(path, text);
  return path;
}

describe("rulepack store load", () => {
  it("loads master data into a new store file", async () => {
    const masterData = file(
      "good.yaml",
      'providers:\n  - id: "101"\n    npi: "1482736505"\ndepartments:\n  - id: "1"\n',
    );
    const db = join(root, "new", "store.db");
    const io = capture();
    expect(await storeLoadCommand({ db, masterData }, io)).toEqual({ exitCode: 0 });
    expect(io.err).toBe("");
    expect(io.out).toMatch(/1 providers, 1 departments, 0 insurance packages/);
    const store = openSqliteStore(db);
    try {
      expect(store.masterData.providers).toEqual([{ id: "101", npi: "1482736505" }]);
      expect(store.masterData.departments).toEqual([{ id: "1" }]);
    } finally {
      await store.close();
    }
  });

  it("prints located errors, exits 1 and writes nothing", async () => {
    const db = join(root, "kept.db");
    const io = capture();
    const good = file("first.yaml", 'departments:\n  - id: "1"\n');
    expect((await storeLoadCommand({ db, masterData: good }, capture())).exitCode).toBe(0);
    const bad = file("bad.yaml", 'departments:\n  - id: "2"\n  - id: 7\n');
    expect(await storeLoadCommand({ db, masterData: bad }, io)).toEqual({ exitCode: 1 });
    const lines = io.err.split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    const prefix = `${bad}:3:9: CODE_NOT_STRING `;
    expect(lines[0]?.slice(0, prefix.length)).toBe(prefix);
    expect(io.out).toBe("");
    const store = openSqliteStore(db);
    try {
      expect(store.masterData.departments).toEqual([{ id: "1" }]);
    } finally {
      await store.close();
    }
  });

  it("a store that cannot be opened exits 1 with a message", async () => {
    const dir = join(root, "a-directory.db");
    mkdirSync(dir);
    const io = capture();
    const masterData = file("ok.yaml", "procedures: []\n");
    expect(await storeLoadCommand({ db: dir, masterData }, io)).toEqual({ exitCode: 1 });
    expect(io.err).toMatch(/^rulepack: cannot open the store .*a-directory\.db: /);
  });
});
