import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseHl7 } from "../../engine/hl7/parse.js";
import { loadPractice } from "../../engine/pack/practice-load.js";
import { headerOf } from "../../engine/queue/header.js";
import { crashHook } from "../../engine/server/crash-points.js";
import { startMllpServer } from "../../engine/server/mllp-server.js";
import { recoverNewMessages } from "../../engine/server/recovery.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { Store, StoredMessage } from "../../engine/store/types.js";
import { framed, mllpExchange, SERVE_PACK } from "./helpers.js";
import { patientMessages } from "./patients.js";

/**
 * Poison messages: an attempt is marked in the store before a message is
 * processed; a NEW message two attempts of which never completed (the
 * process died in them) is set aside at crash recovery as ATHENAERROR
 * POISON_MESSAGE with the last step reached, and the listener goes on.
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-poison-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dbs = 0;
const newDb = () => join(root, `poison-${++dbs}.sqlite`);

function practice() {
  const load = loadPractice(SERVE_PACK);
  if (!load.ok) throw new Error(load.errors.join("\n"));
  return load;
}

async function receiveNew(store: Store, text: string): Promise<string> {
  const raw = Buffer.from(text, "latin1");
  const message = parseHl7(raw).messages[0];
  if (!message) throw new Error("not HL7");
  return await store.receive({
    ...headerOf(message, true),
    raw,
    receivedAt: "2026-01-01T12:00:00.000Z",
    sender: "mllp:127.0.0.1",
    direction: "inbound",
  });
}

describe("the attempt mark", () => {
  it("is committed before the message is processed: the process dying there leaves it counted", async () => {
    const { pack, masterData } = practice();
    const store = openSqliteStore(newDb());
    if (masterData) await store.loadMasterData(masterData);
    let seen: StoredMessage | undefined;
    const server = await startMllpServer({
      pack,
      store,
      port: 0,
      // Where RULEPACK_CRASH_AT=processing would kill the process: look at the store instead.
      crash: crashHook({ point: "processing", at: 1 }, async () => {
        seen = (await store.messages())[0];
      }),
    });
    await mllpExchange(server.port, [framed(patientMessages(1).a04)], 1);
    await server.close();
    expect(seen?.state).toBe("NEW");
    expect(seen?.unfinished).toMatchObject({ count: 1, step: "decide" });
    // Completed, the mark is gone.
    expect((await store.messages())[0]?.state).toBe("PROCESSED");
    expect((await store.messages())[0]?.unfinished).toBeUndefined();
    await store.close();
  });
});

describe("crash recovery of a message the process died on", () => {
  it("twice: set aside as ATHENAERROR POISON_MESSAGE with the last step, its ACK stored; the next message is processed", async () => {
    const { pack, masterData } = practice();
    const store = openSqliteStore(newDb());
    if (masterData) await store.loadMasterData(masterData);
    const poison = await receiveNew(store, patientMessages(1).a04);
    // Two starts died in it: one while deciding, the next while completing.
    await store.beginAttempt(poison, "2026-01-01T12:00:01.000Z");
    await store.beginAttempt(poison, "2026-01-01T12:05:00.000Z");
    await store.reachStep(poison, "complete");
    const next = await receiveNew(store, patientMessages(2).a04);
    const logs: string[] = [];
    const report = await recoverNewMessages(
      pack,
      store,
      () => new Date("2026-01-01T12:10:00.000Z"),
      (l) => logs.push(l),
    );
    expect(report).toEqual({
      recovered: 2,
      failed: 0,
      poisoned: 1,
      states: { ATHENAERROR: 1, PROCESSED: 1 },
    });
    const setAside = await store.message(poison);
    expect(setAside?.state).toBe("ATHENAERROR");
    expect(setAside?.outcome?.actions).toEqual([]);
    expect(setAside?.outcome?.errors).toEqual([
      {
        code: "POISON_MESSAGE",
        severity: "error",
        value: "complete",
        message:
          "the engine stopped 2 times while processing this message (the last attempt began 2026-01-01T12:05:00.000Z and reached step 'complete'): set aside, not processed; reprocess it once the cause is fixed",
      },
    ]);
    expect(setAside?.ack).toMatch(/\rMSA\|AA\|P00001A04(\||\r|$)/);
    expect(setAside?.unfinished).toBeUndefined();
    expect((await store.message(next))?.state).toBe("PROCESSED");
    expect(logs[0]).toMatch(
      /^recovered messageId=q-000001 controlId=P00001A04 type=\S+ state=ATHENAERROR errors=POISON_MESSAGE step=complete$/,
    );
    await store.close();
  });

  it("once: processed again (recovery is its second attempt)", async () => {
    const { pack, masterData } = practice();
    const store = openSqliteStore(newDb());
    if (masterData) await store.loadMasterData(masterData);
    const once = await receiveNew(store, patientMessages(1).a04);
    await store.beginAttempt(once, "2026-01-01T12:00:01.000Z");
    const report = await recoverNewMessages(
      pack,
      store,
      () => new Date(),
      () => {},
    );
    expect(report.poisoned).toBe(0);
    expect((await store.message(once))?.state).toBe("PROCESSED");
    await store.close();
  });
});

describe("rulepack serve dying on one message (RULEPACK_CRASH_AT=processing)", () => {
  const CLI = ["--import", "tsx", "engine/cli.ts"];

  function start(db: string, crashAt?: string) {
    const env = { ...process.env };
    delete env.RULEPACK_CRASH_AT;
    if (crashAt) env.RULEPACK_CRASH_AT = crashAt;
    const child: ChildProcess = spawn(
      process.execPath,
      [...CLI, "serve", "--pack", SERVE_PACK, "--mllp", "0", "--db", db],
      { stdio: ["ignore", "pipe", "pipe"], env },
    );
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => {
      stdout += String(d);
    });
    child.stderr?.on("data", (d) => {
      stderr += String(d);
    });
    const exit = new Promise<NodeJS.Signals | number | null>((r) =>
      child.on("exit", (code, signal) => r(signal ?? code)),
    );
    const ready = new Promise<number>((resolve, reject) => {
      child.stdout?.on("data", () => {
        const port = /ready port=(\d+)/.exec(stdout)?.[1];
        if (port) resolve(Number(port));
      });
      void exit.then(() => reject(new Error(`exited before ready:\n${stderr}`)));
    });
    // A start that dies in recovery never gets ready: awaited only when expected.
    ready.catch(() => {});
    return { child, exit, ready, stderr: () => stderr };
  }

  it("dies in it live, dies in it at recovery, then sets it aside and listens", async () => {
    const db = newDb();
    const frame = framed(patientMessages(1).a04);
    const first = start(db, "processing");
    const port = await first.ready;
    void mllpExchange(port, [frame], 1, { timeoutMs: 20_000 }).catch(() => {});
    expect(await first.exit).toBe("SIGKILL");
    const second = start(db, "processing");
    expect(await second.exit).toBe("SIGKILL");
    const third = start(db);
    const again = await third.ready;
    expect(third.stderr()).toContain("state=ATHENAERROR errors=POISON_MESSAGE step=decide");
    expect(third.stderr()).toContain(
      "recovery recovered=1 failed=0 states=ATHENAERROR:1 poisoned=1",
    );
    // The sender's resend is answered from the store, not processed.
    const resend = await mllpExchange(again, [frame], 1);
    expect(resend.acks[0]).toMatch(/\rMSA\|AA\|P00001A04(\||\r|$)/);
    third.child.kill("SIGTERM");
    expect(await third.exit).toBe(0);
    const store = openSqliteStore(db);
    const rows = await store.messages();
    expect(rows.map((m) => [m.state, m.outcome?.errors.map((e) => e.code)])).toEqual([
      ["ATHENAERROR", ["POISON_MESSAGE"]],
      ["PROCESSED", ["DUPLICATE"]],
    ]);
    await store.close();
  }, 60_000);
});
