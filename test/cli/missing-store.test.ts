import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rulepack } from "../support/cli.js";

/**
 * The commands that read an existing queue (`status`, `queue`) never
 * create one (issue 20): a mistyped --db, or RULEPACK_DB naming a file that
 * is not there, is exit 1 with the reason, as `reprocess`, `prune` and the
 * worklists answer (README's exit-code table: no store is a finding), and
 * no file appears. A store named only by RULEPACK_DB is read.
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-missing-store-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const NOW = "2026-01-15T18:00:00Z";
const PACK = "rules/practices/harbor-ortho/pack.yaml";
const A04 = "../shared/corpus/hl7/ADT_A04__mirth__1.hl7";
const noStore = (db: string) =>
  `rulepack: no store at ${db} (rulepack run or serve --db FILE creates one)\n`;

describe.each([
  ["status", []],
  ["queue", ["list"]],
] as const)("rulepack %s", (command, verb) => {
  it("--db naming no store: exit 1, the reason, and no store created", async () => {
    const db = join(root, `${command}-missing.sqlite`);
    expect(await rulepack([command, ...verb, "--db", db])).toEqual({
      status: 1,
      stdout: "",
      stderr: noStore(db),
    });
    expect(existsSync(db)).toBe(false);
  });

  it("RULEPACK_DB naming no store: the same, and no rulepack.sqlite either", async () => {
    const db = join(root, `${command}-env-missing.sqlite`);
    const r = await rulepack([command, ...verb], { RULEPACK_DB: db });
    expect(r).toEqual({ status: 1, stdout: "", stderr: noStore(db) });
    expect(existsSync(db)).toBe(false);
  });

  it("RULEPACK_DB naming a store: read, exit 0", async () => {
    const db = join(root, `${command}-env.sqlite`);
    expect((await rulepack(["run", "--pack", PACK, "--db", db, "--now", NOW, A04])).status).toBe(0);
    const r = await rulepack([command, ...verb], { RULEPACK_DB: db });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toContain(
      command === "status" ? "messages: 1\n" : " PROCESSED ADT^A04 603266 ",
    );
  });
});
