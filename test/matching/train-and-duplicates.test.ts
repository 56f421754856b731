import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { scorePair } from "../../engine/matching/scorer.js";
import { trainedFileFrom } from "../../engine/matching/trained-file.js";
import type { PatientCreate } from "../../engine/model/actions.js";
import { loadPack } from "../../engine/pack/load.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import { apply, createPatient } from "../store/contract.js";
import { rulepack } from "../support/cli.js";

/**
 * `rulepack match train` (weights from the practice's stored patients, the
 * file a pack names in matching.demographics.trained) and `rulepack
 * worklist duplicates` (likely duplicate pairs already in the store).
 */

const PACK = "rules/practices/harbor-ortho/pack.yaml";
const root = mkdtempSync(join(tmpdir(), "rulepack-train-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const FIRST = ["Anna", "Boris", "Clara", "David", "Erin", "Farid", "Greta", "Hugo", "Ines", "Jon"];
const LAST = ["Kowalski", "Nguyen", "Okafor", "Petrov", "Quinn", "Rossi", "Sato", "Tanaka"];

/** 80 people, every fourth registered twice: a letter added to the surname, another phone. */
function people(): PatientCreate["patient"][] {
  const out: PatientCreate["patient"][] = [];
  for (let i = 0; i < 80; i++) {
    const person = {
      firstName: FIRST[i % FIRST.length] as string,
      lastName: `${LAST[i % LAST.length]}${i}`,
      dob: `19${String(40 + (i % 50)).padStart(2, "0")}-0${1 + (i % 9)}-1${i % 10}`,
      ssn: String(100_000_000 + i * 7919),
      phones: { home: String(5_550_000_000 + i * 13) },
      address: { line1: `${i} Main St`, zip: String(10_000 + i) },
    };
    out.push({ ...person, id: String(1001 + out.length) });
    if (i % 4 === 0) {
      out.push({
        ...person,
        id: String(1001 + out.length),
        lastName: `${person.lastName}x`,
        phones: { home: String(5_551_234_000 + i * 31) },
      });
    }
  }
  return out;
}

async function storeOf(name: string, patients: readonly PatientCreate["patient"][]) {
  const file = join(root, `${name}.sqlite`);
  const store = openSqliteStore(file);
  await apply(store, patients.map(createPatient));
  await store.close();
  return file;
}

/** A practice pack extending the example practice with `extra` YAML (the folder is named after the id). */
function packWith(name: string, extra: string): string {
  const dir = join(root, name, "harbor-ortho");
  mkdirSync(dir, { recursive: true });
  const rel = (path: string) => relative(dir, resolve(path));
  const file = join(dir, "pack.yaml");
  writeFileSync(
    file,
    `# yaml-language-server: $schema=${rel("schemas/rulepack.schema.json")}\npack:\n  id: harbor-ortho\n  extends: ${rel(PACK)}\n${extra}`,
  );
  return file;
}

describe("rulepack match train", () => {
  it("writes per-level weights estimated on the stored patients, agreement weighing more than disagreement", async () => {
    const db = await storeOf("train", people());
    const out = join(root, "trained.yaml");
    const run = await rulepack(["match", "train", "--pack", PACK, "--db", db, "--out", out]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^trained on 100 patients, \d+ blocked pairs/);
    const file = trainedFileFrom(readFileSync(out, "utf8"));
    expect(file.trainedOn.patients).toBe(100);
    for (const field of ["ssn", "dob", "firstName", "lastName"] as const) {
      const w = file.fields[field];
      expect(w, field).toBeDefined();
      expect(w?.agree, field).toBeGreaterThan(0);
      expect(w?.disagree, field).toBeLessThanOrEqual(0);
    }
  });

  it("a pack naming the file scores with its weights; the fields it does not list keep theirs", async () => {
    const dir = join(root, "named", "harbor-ortho");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "weights.yaml"),
      "fields:\n  ssn: { agree: 3, partial: 1, disagree: -1 }\n",
    );
    const file = packWith("named", "matching:\n  demographics:\n    trained: weights.yaml\n");
    const loaded = loadPack(file);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const anna = { firstName: "Anna", lastName: "Kowalski", ssn: "123456789" };
    const score = scorePair(loaded.pack.matching.demographics, anna, { ...anna, id: "p" });
    expect(score.fields.ssn).toEqual({ level: "agree", weight: 3 });
    expect(score.fields.lastName?.weight).toBeCloseTo(Math.log2(0.95 / 0.01), 10);
  });

  it("a pack naming a file that is not there does not load (FILE_NOT_FOUND at the key)", async () => {
    const file = packWith("missing", "matching:\n  demographics:\n    trained: nowhere.yaml\n");
    const loaded = loadPack(file);
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.errors.map((e) => e.code)).toEqual(["FILE_NOT_FOUND"]);
  });

  it("refuses a store that is not there (exit 1) and a missing --pack (exit 2)", async () => {
    const absent = join(root, "absent.sqlite");
    expect((await rulepack(["match", "train", "--pack", PACK, "--db", absent])).status).toBe(1);
    expect(existsSync(absent)).toBe(false);
    expect((await rulepack(["match", "train", "--db", absent])).status).toBe(2);
  });
});

describe("rulepack worklist duplicates", () => {
  it("lists the stored pairs that are likely one person, best first, with the fields that agree and disagree (exit 1)", async () => {
    const db = await storeOf("duplicates", people());
    const run = await rulepack(["worklist", "duplicates", "--db", db, "--pack", PACK]);
    expect(run.status).toBe(1);
    const lines = run.stdout.trim().split("\n");
    // The 20 registered twice are links; look-alikes of the synthetic names may follow for review.
    expect(lines.filter((l) => / band=match /.test(l))).toHaveLength(20);
    expect(lines.slice(0, 20).every((l) => / band=match /.test(l))).toBe(true);
    expect(lines.at(-1)).toBe(`${lines.length - 1} likely duplicate pairs`);
    // Person 0 was stored as 1001 and again as 1002, surname Kowalski0 / Kowalski0x.
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^1001 1002 total=\d+\.\d band=match agree=ssn,dob,lastName,firstName,address partial=- disagree=phone$/,
      ),
    );
    // No names, dates or numbers of the patients: IDs and field names only.
    expect(run.stdout).not.toMatch(/Kowalski|1940|Main/);
  });

  it("--format json: one pair per line, the count on stderr", async () => {
    const db = await storeOf("duplicates-json", people().slice(0, 3));
    const run = await rulepack(["worklist", "duplicates", "--db", db, "--format", "json"]);
    expect(
      run.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([
      expect.objectContaining({ patientIds: ["1001", "1002"], band: "match", disagree: ["phone"] }),
    ]);
    expect(run.stderr).toBe("1 likely duplicate pair\n");
  });

  it("no likely duplicates: exit 0", async () => {
    const db = await storeOf(
      "no-duplicates",
      people().filter((p) => !/x$/.test(p.lastName ?? "")),
    );
    const run = await rulepack(["worklist", "duplicates", "--db", db]);
    expect(run).toEqual({ status: 0, stdout: "0 likely duplicate pairs\n", stderr: "" });
  });
});
