import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { serve, states } from "./helpers.js";

/**
 * A third-party sender: Debian python3-hl7's `mllp_send`, used as it works
 * (`--loose -f FILE`, one connection per file, exit code 0 whatever the
 * reply; a file starting with a BOM sends one extra bogus message first).
 * Every ACK it prints is parsed with python-hl7 (test/support/parse-acks.py).
 * The listener runs in-process on loopback, port 0. .ci/run installs
 * python3-hl7; without it this test fails rather than skips.
 */

const run = promisify(execFile);
const CORPUS = "../shared/corpus/hl7";
const PYTHON = "/usr/bin/python3";
const root = mkdtempSync(join(tmpdir(), "rulepack-mllp-send-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface ParsedAck {
  readonly msa1: string;
  readonly msa2: string;
  readonly msh9: string;
  readonly msh12: string;
  readonly err: string[];
}

async function send(port: number, name: string): Promise<ParsedAck[]> {
  const { stdout } = await run(
    "timeout",
    ["10", "mllp_send", "--loose", "-f", `${CORPUS}/${name}.hl7`, "-p", String(port), "127.0.0.1"],
    { encoding: "buffer", timeout: 15_000 },
  );
  const parse = run(PYTHON, ["test/support/parse-acks.py"], { timeout: 15_000 });
  parse.child.stdin?.end(stdout);
  return JSON.parse((await parse).stdout) as ParsedAck[];
}

describe("mllp_send (python3-hl7) against rulepack serve", () => {
  it("gets one parseable ACK per message, AA when stored and processed, AR for the BOM's bogus message", async () => {
    const server = await serve(join(root, "queue.sqlite"));
    const replies: [string, ParsedAck[]][] = [];
    for (const name of [
      "ADT_A04__mirth__1",
      "ADT_A04__msfhir__2",
      "SIU_S12__mirth__1",
      "DFT_P03__mieweb__1",
    ]) {
      replies.push([name, await send(server.port, name)]);
    }
    expect(await server.stop()).toBe(0);

    const summary = replies.map(([name, acks]) => [
      name,
      acks.map((a) => [a.msa1, a.msa2, a.msh9, a.msh12, a.err.join(",")]),
    ]);
    expect(summary).toEqual([
      ["ADT_A04__mirth__1", [["AA", "603266", "ACK^A04^ACK", "2.3.1", ""]]],
      [
        "ADT_A04__msfhir__2",
        [
          ["AR", "", "ACK^^ACK", "2.5.1", "100"],
          // 103 the unmapped department; 102 a phone repetition no rule read (DATA_NOT_READ,
          // a warning); 101 the IN1s' missing IN1.4, found in the same pass.
          ["AA", "Q123456789T123456789X123456", "ACK^A04^ACK", "2.3", "103,102,101"],
        ],
      ],
      ["SIU_S12__mirth__1", [["AA", "24916560", "ACK^S12^ACK", "2.3", "204"]]],
      ["DFT_P03__mieweb__1", [["AA", "DSD1184185250", "ACK^P03^ACK", "2.5", "204"]]],
    ]);
    expect((await states(server.db)).map((m) => [m.controlId, m.state])).toEqual([
      ["603266", "PROCESSED"],
      ["", "ERROR"],
      ["Q123456789T123456789X123456", "ERROR"],
      ["24916560", "ERROR"],
      ["DSD1184185250", "ERROR"],
    ]);
  });
});
