import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { formatPackError } from "../../engine/documents/errors.js";
import { readYaml, type YamlRead, type YamlSource } from "../../engine/documents/source.js";
import { loadPack } from "../../engine/pack/load.js";
import { pruneYamlCache, readYamlCached, yamlCacheDir } from "../../engine/pack/yaml-cache.js";
import { ABSENT, TEST_YAML } from "../../engine/testing/absent.js";

const scratch = mkdtempSync(join(tmpdir(), "rp-yaml-cache-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
});

let dirs = 0;
/** A cache folder of its own for one test. */
const freshCache = (): string => join(scratch, `cache-${++dirs}`);
const entries = (dir: string): string[] => {
  try {
    return readdirSync(dir).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
};

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Every path of `data`, and paths a caller may ask for that lead nowhere or are spelled otherwise. */
function pathsOf(data: unknown, path: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [path, [...path, "nowhere"], [...path, 0]];
  if (Array.isArray(data)) {
    data.forEach((item, i) => {
      out.push([...path, String(i)], ...pathsOf(item, [...path, i]));
    });
  } else if (data !== null && typeof data === "object") {
    for (const [key, value] of Object.entries(data)) out.push(...pathsOf(value, [...path, key]));
  }
  return out;
}

/** What a read says, without its functions (each read has its own `locate`). */
const said = (read: YamlRead) =>
  read.ok ? { ok: true, data: read.source.data, text: read.source.text } : read;

function expectSameSource(kept: YamlSource, parsed: YamlSource): void {
  expect(kept.data).toEqual(parsed.data);
  expect(kept.text).toBe(parsed.text);
  for (const path of [...pathsOf(parsed.data), ["undefined"], []]) {
    expect(kept.locate(path), path.join(".")).toEqual(parsed.locate(path));
    expect(kept.locate(path, "key"), `${path.join(".")} (key)`).toEqual(parsed.locate(path, "key"));
  }
}

describe("readYamlCached: a successful parse kept on disk under the hash of its text", () => {
  it("reads every YAML file of the repository back from its entry exactly as the parse reads it", () => {
    const dir = freshCache();
    const files = [
      ...yamlFiles("rules"),
      ...yamlFiles("mappings"),
      ...yamlFiles("test/fixtures/packs"),
    ];
    let kept = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const parsed = readYaml(file, text);
      const first = readYamlCached(file, text, dir);
      expect(said(first)).toEqual(said(parsed));
      const second = readYamlCached(file, text, dir);
      if (!parsed.ok) {
        expect(said(second)).toEqual(said(parsed));
        continue;
      }
      if (!second.ok) throw new Error(`${file} did not read back`);
      expectSameSource(second.source, parsed.source);
      // The Document and locateWithin come from a parse made when first asked for.
      expect(second.source.doc?.toJS()).toEqual(parsed.source.doc?.toJS());
      kept++;
    }
    expect(kept).toBeGreaterThan(100);
    expect(entries(dir).length).toBeGreaterThan(100);
  });

  it("locates keys of every scalar kind, flow collections and empty values as the parse does", () => {
    const dir = freshCache();
    const text = [
      "1: one",
      '"2": two',
      "true: yes",
      "null: nothing",
      "1.5: x",
      '"": empty',
      "undefined: u",
      "empty:",
      "list:",
      "  - a",
      "  - {b: 1, c: [1, 2], d: }",
      "  -",
      "folded: >",
      "  two",
      "  lines",
      "anchored: &x {k: v}",
      "aliased: *x",
      "",
    ].join("\r\n");
    const parsed = readYaml("kinds.yaml", text);
    readYamlCached("kinds.yaml", text, dir);
    const kept = readYamlCached("kinds.yaml", text, dir);
    if (!parsed.ok || !kept.ok) throw new Error("kinds.yaml did not parse");
    expect(entries(dir)).toHaveLength(1);
    expectSameSource(kept.source, parsed.source);
    for (const path of [
      [1],
      ["1"],
      [2],
      ["2"],
      ["1.5"],
      [1.5],
      [""],
      ["list", "1"],
      ["list", " 1"],
      ["list", 1, "c", "1"],
      ["aliased", "k"],
    ])
      expect(kept.source.locate(path), path.join(".")).toEqual(parsed.source.locate(path));
  });

  it("keeps a tag's one value (a rule test's !absent) and gives it back as that value", () => {
    const dir = freshCache();
    const text = "expect:\n  - patient:\n      middleName: !absent\n      lastName: Doe\n";
    readYamlCached("case.test.yaml", text, dir, TEST_YAML);
    const kept = readYamlCached("case.test.yaml", text, dir, TEST_YAML);
    if (!kept.ok) throw new Error("did not read");
    expect(entries(dir)).toHaveLength(1);
    const patient = (kept.source.data as { expect: { patient: Record<string, unknown> }[] })
      .expect[0]?.patient;
    expect(patient?.middleName).toBe(ABSENT);
    expect(patient?.lastName).toBe("Doe");
    const parsed = readYaml("case.test.yaml", text, { customTags: TEST_YAML.customTags });
    if (!parsed.ok) throw new Error("did not parse");
    expectSameSource(kept.source, parsed.source);
  });

  it("keeps no entry for a map that has the key tag values are kept under", () => {
    const dir = freshCache();
    readYamlCached("a.yaml", 'a: {"\\0tag": "!absent"}\n', dir, TEST_YAML);
    expect(entries(dir)).toEqual([]);
  });

  it("answers from the entry, not from a parse, once the text was kept", () => {
    const dir = freshCache();
    const text = "pack:\n  id: kept\n";
    readYamlCached("a.yaml", text, dir);
    const [entry] = entries(dir);
    if (!entry) throw new Error("no entry written");
    const json = readFileSync(join(dir, entry), "utf8");
    writeFileSync(join(dir, entry), json.replace('"kept"', '"from-the-entry"'));
    const read = readYamlCached("a.yaml", text, dir);
    expect(read.ok && read.source.data).toEqual({ pack: { id: "from-the-entry" } });
  });

  it("parses a changed text again: the key is the text, not the file", () => {
    const dir = freshCache();
    readYamlCached("a.yaml", "pack:\n  id: before\n", dir);
    const read = readYamlCached("a.yaml", "pack:\n  id: after\n", dir);
    expect(read.ok && read.source.data).toEqual({ pack: { id: "after" } });
    expect(entries(dir)).toHaveLength(2);
  });

  it("locates with the name the file is shown by now, not the one it was kept under", () => {
    const dir = freshCache();
    const text = "pack:\n  id: x\n";
    readYamlCached("first/name.yaml", text, dir);
    const read = readYamlCached("other/name.yaml", text, dir);
    expect(read.ok && read.source.locate(["pack", "id"])).toEqual({
      file: "other/name.yaml",
      line: 2,
      col: 7,
    });
  });

  it("never keeps a file that does not parse: its problems are located by the parse every time", () => {
    const dir = freshCache();
    const text = 'pack:\n  id: "open\n';
    const first = readYamlCached("broken.yaml", text, dir);
    expect(first).toEqual(readYaml("broken.yaml", text));
    expect(first.ok).toBe(false);
    expect(entries(dir)).toEqual([]);
    expect(readYamlCached("broken.yaml", text, dir)).toEqual(first);
  });

  it("ignores a torn entry and parses", () => {
    const dir = freshCache();
    const text = "a: 1\n";
    readYamlCached("a.yaml", text, dir);
    const [entry] = entries(dir);
    if (!entry) throw new Error("no entry written");
    writeFileSync(join(dir, entry), '{"v":1,"da');
    const read = readYamlCached("a.yaml", text, dir);
    expect(read.ok && read.source.data).toEqual({ a: 1 });
  });

  it.each([
    ["a number JSON cannot carry", "a: .inf\n"],
    ["a complex key", "? [a, b]\n: 1\n"],
    ["a key JSON cannot carry", ".nan: 1\n"],
  ])("keeps no entry for %s: such a file is parsed every time", (_what, text) => {
    const dir = freshCache();
    const first = readYamlCached("a.yaml", text, dir);
    expect(said(first)).toEqual(said(readYaml("a.yaml", text)));
    expect(entries(dir)).toEqual([]);
  });

  it("parses and writes nothing when there is no cache folder", () => {
    const text = "a: 1\n";
    expect(said(readYamlCached("a.yaml", text, undefined))).toEqual(said(readYaml("a.yaml", text)));
  });
});

describe("pruneYamlCache: a cache folder does not grow without end", () => {
  it("past the limit, removes the oldest written entries until half the limit remain", () => {
    const dir = freshCache();
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 7; i++) {
      const file = join(dir, `entry-${i}.json`);
      writeFileSync(file, "{}");
      utimesSync(file, 1_000 + i, 1_000 + i);
    }
    pruneYamlCache(dir, 6);
    expect(entries(dir).sort()).toEqual(["entry-4.json", "entry-5.json", "entry-6.json"]);
  });

  it("leaves a folder within the limit as it is", () => {
    const dir = freshCache();
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(join(dir, `entry-${i}.json`), "{}");
    pruneYamlCache(dir, 3);
    expect(entries(dir)).toHaveLength(3);
  });
});

describe("yamlCacheDir: where parses are kept", () => {
  it("is RULEPACK_CACHE_DIR/yaml when set", () => {
    expect(yamlCacheDir({ RULEPACK_CACHE_DIR: "/var/cache/rp" })).toBe("/var/cache/rp/yaml");
  });

  it.each(["", "off"])("is none (no cache) when RULEPACK_CACHE_DIR is %j", (value) => {
    expect(yamlCacheDir({ RULEPACK_CACHE_DIR: value })).toBeUndefined();
  });

  it("is $XDG_CACHE_HOME/rulepack/yaml, else ~/.cache/rulepack/yaml", () => {
    expect(yamlCacheDir({ XDG_CACHE_HOME: "/x" })).toBe("/x/rulepack/yaml");
    expect(yamlCacheDir({ HOME: "/home/someone" })).toMatch(/\/\.cache\/rulepack\/yaml$/);
  });
});

describe("loadPack over kept parses", () => {
  /** A copy of the fixture packs in a folder of its own: new to this process, not to the cache. */
  const copyOfFixtures = (): string => {
    const to = join(scratch, `packs-${++dirs}`);
    cpSync("test/fixtures/packs", to, { recursive: true });
    return to;
  };
  const shownInCopy = (file: string) => file.replace(/^.*packs-\d+\//, "PACKS/");

  it("reports a schema error at the same FILE:LINE:COL when the files come from the cache", () => {
    vi.stubEnv("RULEPACK_CACHE_DIR", freshCache());
    const errorsOf = (packs: string) => {
      const load = loadPack(join(packs, "broken/enum-severity/pack.yaml"));
      if (load.ok) throw new Error("the broken pack loaded");
      return load.errors.map((e) => formatPackError({ ...e, file: shownInCopy(e.file) }));
    };
    const parsed = errorsOf(copyOfFixtures());
    const kept = errorsOf(copyOfFixtures());
    expect(parsed.length).toBeGreaterThan(0);
    expect(kept).toEqual(parsed);
  });

  it("loads a valid pack from kept parses to the same effective pack and positions", () => {
    vi.stubEnv("RULEPACK_CACHE_DIR", freshCache());
    const loadOf = (packs: string) => {
      const load = loadPack(join(packs, "valid/pack.yaml"));
      if (!load.ok) throw new Error(load.errors.map(formatPackError).join("\n"));
      return load;
    };
    const first = loadOf(copyOfFixtures());
    const second = loadOf(copyOfFixtures());
    expect(second.pack.effective).toEqual(first.pack.effective);
    for (const path of [
      ["fields", 0],
      ["practice", "timeZone"],
      ["pack", "id"],
    ]) {
      const a = first.locate(path);
      const b = second.locate(path);
      expect(b && { ...b, file: shownInCopy(b.file) }).toEqual(
        a && { ...a, file: shownInCopy(a.file) },
      );
    }
  });
});
