import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serveCommand } from "../../engine/cli/serve-command.js";
import { HARBOR_PACK } from "../queue/harbor-queue.js";
import { framed, mllpExchange } from "../server/helpers.js";
import { patientMessages } from "../server/patients.js";
import { captureIo } from "../testing/helpers.js";

/**
 * `rulepack serve --mllp PORT --http PORT`: /metrics' processing-time
 * histogram observes each message the MLLP listener committed (kind
 * "mllp"), not only what came in over HTTP; with `--workers N` too, timed
 * to the workers' completion.
 */

const dir = mkdtempSync(join(tmpdir(), "rulepack-metrics-mllp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The ports the `ready port=N` and `ready http=N` lines name, once both are printed. */
async function readyPorts(io: ReturnType<typeof captureIo>) {
  for (let i = 0; i < 600; i++) {
    const mllp = /ready port=(\d+)/.exec(io.out());
    const http = /ready http=(\d+)/.exec(io.out());
    if (mllp && http) return { mllp: Number(mllp[1]), http: Number(http[1]) };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never ready: ${io.out()} ${io.err()}`);
}

/** The histogram's count for kind="mllp" (0 before its first observation). */
async function mllpCount(httpPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const m = /^rulepack_processing_seconds_count\{kind="mllp"\} (\d+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

async function twoFramesCounted(db: string, workers?: number) {
  const io = captureIo();
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const running = serveCommand(
    {
      pack: HARBOR_PACK,
      db: join(dir, db),
      port: 0,
      host: "127.0.0.1",
      http: { port: 0, host: "127.0.0.1", users: join(dir, "users.yaml") },
      stop: stopped,
      onReload: () => () => {},
      ...(workers !== undefined && { workers }),
    },
    io,
  );
  try {
    const ports = await readyPorts(io);
    const before = await mllpCount(ports.http);
    const { acks } = await mllpExchange(
      ports.mllp,
      [framed(patientMessages(1).a04, patientMessages(2).a04)],
      2,
      { timeoutMs: 60_000 },
    );
    expect(acks.map((a) => /\rMSA\|(\w+)\|/.exec(a)?.[1])).toEqual(["AA", "AA"]);
    // Observed when committed, before the frame's ACK is written.
    return { before, after: await mllpCount(ports.http) };
  } finally {
    stop();
    expect((await running).exitCode).toBe(0);
  }
}

describe("serve --mllp --http: /metrics' processing time", () => {
  it('observes each message the listener committed, under kind="mllp"', async () => {
    const { before, after } = await twoFramesCounted("lane.sqlite");
    expect(after - before).toBe(2);
  });

  it("with --workers: observes the messages the workers decided", async () => {
    const { before, after } = await twoFramesCounted("workers.sqlite", 1);
    expect(after - before).toBe(2);
  });
});
