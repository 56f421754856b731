import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { runCommand } from "../../engine/cli/run-command.js";
import { streamIo } from "../../engine/io/cli-io.js";

/**
 * `rulepack run ... | head`: the reader goes away, the next write to stdout
 * fails with EPIPE. The command ends quietly (exit as usual, nothing on
 * stderr) and every message is still processed into the store.
 */

const PACK = "rules/practices/harbor-ortho/pack.yaml";
const FILES = ["ADT_A04__mirth__1", "SIU_S12__mirth__1", "DFT_P03__mieweb__1"].map(
  (n) => `../shared/corpus/hl7/${n}.hl7`,
);
const root = mkdtempSync(join(tmpdir(), "rulepack-epipe-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A stdout whose reader has gone: every write fails with EPIPE. */
function closedPipe(): Writable & { writes: number } {
  const stream = new Writable({
    write(_chunk, _encoding, callback) {
      stream.writes += 1;
      callback(Object.assign(new Error("write EPIPE"), { code: "EPIPE", errno: -32 }));
    },
  }) as Writable & { writes: number };
  stream.writes = 0;
  return stream;
}

describe("stdout closed by its reader (EPIPE)", () => {
  it("a command writing to a closed pipe finishes, writes once, and throws nothing", async () => {
    const stdout = closedPipe();
    const stderr: string[] = [];
    const err = new Writable({
      write(chunk, _encoding, callback) {
        stderr.push(String(chunk));
        callback();
      },
    });
    const result = await runCommand(
      {
        pack: PACK,
        db: join(root, "in-process.sqlite"),
        now: new Date("2026-01-01T12:00:00Z"),
        format: "text",
        explain: false,
        showData: false,
        files: FILES,
        progress: false,
      },
      streamIo(stdout, err),
    );
    // Let the failed write's 'error' event fire before asserting.
    await new Promise((r) => setImmediate(r));
    expect(result.exitCode).toBe(0);
    expect(stdout.writes).toBe(1);
    expect(stderr.join("")).toBe("");
  });

  it("`rulepack run` with its stdout pipe closed exits 0 with nothing on stderr", async () => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "engine/cli.ts",
        "run",
        "--pack",
        PACK,
        "--db",
        join(root, "spawned.sqlite"),
        ...FILES,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    // Closed before the child writes its first line: every write of it meets EPIPE.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += String(d);
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  }, 30_000);
});
