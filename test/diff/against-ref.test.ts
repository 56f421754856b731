import { execFileSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rulepack } from "../support/cli.js";
import { corpusFiles, NOW } from "./corpus.js";

/**
 * --against-ref: the old pack chain (extends, mapping tables, master data)
 * as a git revision has it. The test makes a repository holding rules/ and
 * mappings/, commits, then adds one mapping row in the working tree: the
 * diff against HEAD is exactly the messages that row maps.
 */

const ROOT = resolve(import.meta.dirname, "../..");
let repo: string;
const git = (...args: string[]) =>
  execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", ...args], {
    stdio: "pipe",
  });

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "rulepack-diff-repo-"));
  cpSync(join(ROOT, "rules"), join(repo, "rules"), { recursive: true });
  cpSync(join(ROOT, "mappings"), join(repo, "mappings"), { recursive: true });
  cpSync(join(ROOT, "schemas"), join(repo, "schemas"), { recursive: true });
  git("init", "-q");
  git("add", ".");
  git("commit", "-q", "-m", "Harbor as released");
  appendFileSync(
    join(repo, "mappings/harbor-ortho/department.yaml"),
    '  - foreign: "ABCD"\n    practice: "1"\n    description: the placeholder is Harbor Main after all\n',
  );
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

const pack = () => join(repo, "rules/practices/harbor-ortho/pack.yaml");

describe("--against-ref GIT_REF (a mapping row added since HEAD)", () => {
  it("changes exactly the message whose code the row maps (its IN1's faults were reported with it already)", async () => {
    const run = await rulepack([
      "diff",
      "--pack",
      pack(),
      "--against-ref",
      "HEAD",
      "--now",
      NOW.toISOString(),
      "--format",
      "json",
      ...corpusFiles(),
    ]);
    expect(run.stderr).toBe(
      "94 messages; 0 changed state; 1 changed actions or errors only; 93 unchanged\n",
    );
    const diff = JSON.parse(run.stdout);
    expect(
      diff.changes.map((c: { source: string; controlId: string }) => [
        c.source.split("/").pop(),
        c.controlId,
      ]),
    ).toEqual([["ADT_A04__msfhir__2.hl7", "Q123456789T123456789X123456"]]);
    expect(diff.changes[0].errors).toEqual([
      {
        change: "removed",
        error: expect.objectContaining({
          code: "UNMAPPED_CODE",
          table: "department",
          value: "ABCD",
        }),
      },
    ]);
    expect(run.status).toBe(0);
  });

  it("gives zero changes when the working tree is the revision", async () => {
    git("commit", "-q", "-am", "map ABCD");
    const run = await rulepack([
      "diff",
      "--pack",
      pack(),
      "--against-ref",
      "HEAD",
      "--now",
      NOW.toISOString(),
      "--fail-on-change",
      ...corpusFiles(),
    ]);
    expect(run.stdout.split("\n")[0]).toBe(
      "94 messages; 0 changed state; 0 changed actions or errors only; 94 unchanged",
    );
    expect(run.status).toBe(0);
  });

  it("refuses a revision that does not exist, with its code", async () => {
    const run = await rulepack([
      "diff",
      "--pack",
      pack(),
      "--against-ref",
      "no-such-ref",
      corpusFiles()[0] as string,
    ]);
    expect(run.stderr).toBe(
      "rulepack: GIT_REF_UNREADABLE: --against-ref no-such-ref: no such commit\n",
    );
    expect(run.status).toBe(1);
  });
});
