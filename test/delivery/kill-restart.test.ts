import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import { seeded } from "../support/seeded.js";
import {
  allFinished,
  checkDelivery,
  queueMessages,
  startReceiver,
  until,
  writeReceiverPack,
} from "./harness.js";

/**
 * Crash safety: `rulepack deliver` runs as its own process against the
 * python receiver and is killed with SIGKILL at seeded random moments, then
 * started again, until every message is delivered. PENDING messages a kill
 * left are sent again once their lease has passed, with the same bytes:
 * none is lost, none is PROCESSED without its ACK, each patient's messages
 * reach the receiver in queue order. RULEPACK_DELIVERY_KILLS (the soak
 * run) sets how many kills; 2 by default (each restart pays the CLI's start-up).
 */

const KILLS = Number(process.env.RULEPACK_DELIVERY_KILLS ?? 2);
const root = mkdtempSync(join(tmpdir(), "rulepack-deliver-kill-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What the deliver processes said (no patient data), shown when the test fails. */
let stderr = "";

/**
 * `rulepack deliver` as its own process: the deliver command alone through
 * tsx (deliver-child.ts), which starts in half the time of the whole CLI.
 */
const CLI = ["--import", "tsx", "test/delivery/deliver-child.ts"];

function startDeliver(pack: string, db: string): { child: ChildProcess; exit: Promise<unknown> } {
  const child = spawn(process.execPath, [...CLI, "--pack", pack, "--db", db], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.on("data", (d) => {
    stderr += String(d);
  });
  child.once("error", (e) => {
    stderr += `[${CLI.join(" ")}: ${e.message}]`;
  });
  return {
    child,
    exit: new Promise((r) =>
      child.once("exit", (code, signal) => {
        stderr += `[${CLI.join(" ")} exit ${code ?? signal}]`;
        r(code);
      }),
    ),
  };
}

describe("rulepack deliver killed with SIGKILL and started again", () => {
  it(`loses nothing over ${KILLS} kills at seeded moments`, async () => {
    const receiver = await startReceiver(["--close-every", "7"]);
    try {
      const pack = writeReceiverPack(root, receiver.port, ["maxAttempts: 50"]);
      const db = join(root, "queue.sqlite");
      const store = openSqliteStore(db);
      const ids = await queueMessages(store, 4, 5);
      const random = seeded(16);
      try {
        for (let kill = 0; kill < KILLS && !(await allFinished(store, ids)); kill++) {
          const run = startDeliver(pack, db);
          const before = (await store.messages({ direction: "outbound", state: "PROCESSED" }))
            .length;
          // Killed once it has delivered something, at a random moment after.
          await until(
            async () =>
              (await store.messages({ direction: "outbound", state: "PROCESSED" })).length >
                before || (await allFinished(store, ids)),
            "a delivery before the kill",
          ).catch((e: Error) => {
            throw new Error(`${e.message} (the sender said: ${stderr.slice(-2000)})`);
          });
          await delay(Math.floor(random() * 400));
          run.child.kill("SIGKILL");
          await run.exit;
        }
        const last = startDeliver(pack, db);
        await until(
          () => allFinished(store, ids),
          "every message delivered after the kills",
          90_000,
        );
        last.child.kill("SIGTERM");
        await last.exit;
        const tally = await checkDelivery("kill -9", store, ids, receiver.received);
        expect(tally.processed).toBe(ids.length);
      } finally {
        await store.close();
      }
    } finally {
      await receiver.stop();
    }
  }, 180_000);
});
