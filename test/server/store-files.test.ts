import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serveCommand } from "../../engine/cli/serve-command.js";
import { type AccessCheck, unwritableStoreFiles } from "../../engine/store/sqlite-files.js";
import { framed, mllpExchange, SERVE_PACK, serve } from "./helpers.js";
import { patientMessages } from "./patients.js";

/**
 * The store's files must be writable before SQLite maps them: an
 * unwritable `-shm` would kill the listener with SIGBUS, silently. Tests
 * run as root, so the access check is injected, not file permissions.
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-store-files-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** fs.accessSync as it answers for a file this user cannot write. */
function refusing(match: (path: string) => boolean): AccessCheck & { enabled: boolean } {
  const check = ((path: string) => {
    if (check.enabled && match(path)) {
      throw Object.assign(new Error(`EACCES: permission denied, access '${path}'`), {
        code: "EACCES",
      });
    }
  }) as unknown as AccessCheck & { enabled: boolean };
  check.enabled = true;
  return check;
}

describe("unwritableStoreFiles", () => {
  it("names each of the database, -wal and -shm this process cannot write", async () => {
    const db = join(root, "q.sqlite");
    expect(
      unwritableStoreFiles(
        db,
        refusing((p) => p.endsWith("-shm")),
      ),
    ).toEqual([`${db}-shm (EACCES)`]);
    expect(
      unwritableStoreFiles(
        db,
        refusing(() => true),
      ),
    ).toEqual([`${db} (EACCES)`, `${db}-wal (EACCES)`, `${db}-shm (EACCES)`]);
  });

  it("a file not there yet needs its folder writable; an in-memory store none", async () => {
    const db = join(root, "new", "q.sqlite");
    const missing = (e: string) => (path: string) => {
      if (path.startsWith(db)) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
      if (e) throw Object.assign(new Error(e), { code: e });
    };
    expect(unwritableStoreFiles(db, missing(""))).toEqual([]);
    expect(unwritableStoreFiles(db, missing("EACCES"))).toEqual([
      `${join(root, "new")} (EACCES): the store's files cannot be created there`,
    ]);
    expect(
      unwritableStoreFiles(
        ":memory:",
        refusing(() => true),
      ),
    ).toEqual([]);
  });
});

describe("rulepack serve with a store file it cannot write", () => {
  it("refuses to start with a line naming the file, exit 1, before opening the store", async () => {
    const db = join(root, "refused.sqlite");
    const stdout: string[] = [];
    const stderr: string[] = [];
    const result = await serveCommand(
      {
        pack: SERVE_PACK,
        db,
        port: 0,
        host: "127.0.0.1",
        stop: Promise.resolve(),
        access: refusing((p) => p.endsWith("-shm")),
      },
      { stdout: (t) => stdout.push(t), stderr: (t) => stderr.push(t) },
    );
    expect(result.exitCode).toBe(1);
    expect(stdout.join("")).toBe("");
    expect(stderr.join("")).toContain(
      `rulepack: the store cannot be written: ${db}-shm (EACCES)\n`,
    );
    expect(stderr.join("")).toContain("rulepack: refusing to start");
    expect(existsSync(db)).toBe(false);
  });

  it("on SIGHUP: says so and keeps serving from the open store", async () => {
    const db = join(root, "reload.sqlite");
    const access = refusing((p) => p.endsWith("-wal"));
    access.enabled = false;
    let reload: () => Promise<void> = async () => {};
    const server = await serve(db, undefined, {
      access,
      onReload: (r) => {
        reload = r;
        return () => {};
      },
    });
    access.enabled = true;
    await reload();
    const reply = await mllpExchange(server.port, [framed(patientMessages(1).a04)], 1);
    expect(await server.stop()).toBe(0);
    expect(reply.acks[0]).toMatch(/\rMSA\|AA\|/);
    expect(server.stderr.join("")).toContain(
      `rulepack serve: reload: the store cannot be written: ${db}-wal (EACCES); keeping the open store (a restart would refuse to start)\n`,
    );
  });
});
