import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startCliChild } from "../support/child-exit.js";
import { rulepack } from "../support/cli.js";
import { framed, mllpExchange, SERVE_PACK, states } from "./helpers.js";

/**
 * `rulepack serve` as its own process (node directly, so that signals reach
 * it): `ready port=N` on `--mllp 0`, and a graceful drain on SIGTERM that
 * leaves the store closed and the message stored. Its usage errors are
 * refused before anything listens: the CLI's main, in this process.
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-serve-process-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
describe("rulepack serve (process)", () => {
  it("refuses a missing or malformed --mllp and a missing --pack with exit 2", async () => {
    for (const args of [
      ["serve", "--pack", SERVE_PACK],
      ["serve", "--pack", SERVE_PACK, "--mllp", "abc"],
      ["serve", "--pack", SERVE_PACK, "--mllp", "70000"],
      ["serve", "--mllp", "0"],
    ]) {
      const r = await rulepack(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("usage: rulepack serve");
    }
  });

  it("prints ready port=N, ACKs, reloads on SIGHUP, and drains on SIGTERM with exit 0", async () => {
    const db = join(root, "queue.sqlite");
    const { child, exit, port, stderr } = await startCliChild(
      ["serve", "--pack", SERVE_PACK, "--mllp", "0", "--db", db],
      { what: "the listener", ms: 30_000, ready: /ready port=(\d+)/ },
    );
    const reply = await mllpExchange(
      port,
      [framed(readFileSync("../shared/corpus/hl7/ADT_A04__mirth__1.hl7"))],
      1,
    );
    expect(reply.acks[0]).toContain("MSA|AA|603266");
    child.kill("SIGHUP");
    for (let i = 0; i < 300 && !stderr().includes("reloaded pack="); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(stderr()).toContain("rulepack serve: reloaded pack=harbor-ortho");
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
    expect(stderr()).toContain("drained");
    expect((await states(db)).map((m) => [m.controlId, m.state])).toEqual([
      ["603266", "PROCESSED"],
    ]);
  });
});
