import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { adt, HARBOR_PACK } from "../queue/harbor-queue.js";
import { rulepack } from "../support/cli.js";

/**
 * Where every command finds its store: `--db` when given (even the default
 * name, spelled out), else RULEPACK_DB, else rulepack.sqlite; and a
 * PostgreSQL location that cannot be opened is refused before the command
 * runs (exit 2), not at its first read.
 */

const dir = () => mkdtempSync(join(tmpdir(), "rulepack-location-"));
const messageFile = (): string => {
  const file = join(dir(), "a04.hl7");
  writeFileSync(file, adt({ control: "A1" }));
  return file;
};

describe("RULEPACK_DB", () => {
  it("every command that takes --db reads the same store from it when --db is not given", async () => {
    const db = join(dir(), "env.sqlite");
    const env = { RULEPACK_DB: db };
    const run = await rulepack(["run", "--pack", HARBOR_PACK, messageFile()], env);
    expect(run.status).toBe(0);
    expect(existsSync(db)).toBe(true);
    const list = await rulepack(["queue", "list"], env);
    expect(list.stdout).toContain("q-000001");
    const status = await rulepack(["status"], env);
    expect(status.status).toBe(0);
    expect(status.stdout).toContain(db);
    const prune = await rulepack(["prune", "--pack", HARBOR_PACK, "--dry-run"], env);
    expect(prune.status).toBe(0);
  });

  it("an explicit --db wins, the default name spelled out included", async () => {
    const env = { RULEPACK_DB: "postgres://nobody@127.0.0.1:1/unused" };
    const status = await rulepack(["status", "--db", "rulepack.sqlite"], env);
    expect(`${status.stdout}${status.stderr}`).not.toContain("postgres://");
    expect(`${status.stdout}${status.stderr}`).toContain("rulepack.sqlite");
    const other = join(dir(), "other.sqlite");
    const list = await rulepack(["queue", "list", "--db", other], env);
    expect(list.stderr).toBe(
      `rulepack: no store at ${other} (rulepack run or serve --db FILE creates one)\n`,
    );
    expect(list.status).toBe(1);
  });
});

describe("a PostgreSQL --db that cannot be opened", () => {
  it("a server that refuses the connection is exit 2 with the reason, before anything runs", async () => {
    const status = await rulepack(["status", "--db", "postgres://nobody@127.0.0.1:1/practice"]);
    expect(status.status).toBe(2);
    expect(status.stderr).toMatch(
      /^rulepack: cannot open the PostgreSQL store postgres:\/\/nobody@127\.0\.0\.1:1\/practice: .*ECONNREFUSED/,
    );
    const run = await rulepack(["run", "--pack", HARBOR_PACK, messageFile()], {
      RULEPACK_DB: "postgres://nobody@127.0.0.1:1/practice",
    });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
  });

  it("a URL that does not parse is exit 2 naming it without its password", async () => {
    const list = await rulepack(["queue", "list", "--db", "postgres://me:s3cret@[nohost/x"]);
    expect(list.status).toBe(2);
    expect(list.stderr).toContain("is not a valid PostgreSQL URL");
    expect(list.stderr).not.toContain("s3cret");
  });
});
