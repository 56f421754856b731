import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serveCommand } from "../../engine/cli/serve-command.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import { rulepack } from "../support/cli.js";
import { allFinished, startReceiver, until, writeReceiverPack } from "./harness.js";

/** `rulepack serve` runs the sender beside the listener when the pack names a receiver. */

const root = mkdtempSync(join(tmpdir(), "rulepack-serve-deliver-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("rulepack serve with outbound.delivery", () => {
  it("sends the queued outbound messages while it listens, each send logged without patient data", async () => {
    const receiver = await startReceiver([]);
    try {
      const pack = writeReceiverPack(root, receiver.port);
      const db = join(root, "queue.sqlite");
      const built = await rulepack([
        "outbound",
        "--pack",
        pack,
        "--db",
        db,
        "test/fixtures/events/patient-add.json",
        "test/fixtures/events/patient-update.json",
      ]);
      expect(built.status).toBe(0);
      let stop: () => void = () => {};
      let stderr = "";
      const serving = serveCommand(
        {
          pack,
          db,
          port: 0,
          host: "127.0.0.1",
          stop: new Promise<void>((resolve) => {
            stop = resolve;
          }),
          onReload: () => () => {},
        },
        { stdout: () => {}, stderr: (t) => (stderr += t) },
      );
      const store = openSqliteStore(db);
      try {
        await until(() => allFinished(store, ["q-000001", "q-000002"]), "both messages delivered");
        expect((await store.message("q-000002"))?.state).toBe("PROCESSED");
      } finally {
        await store.close();
        stop();
        expect((await serving).exitCode).toBe(0);
      }
      expect(stderr).toContain(`delivering outbound messages to 127.0.0.1:${receiver.port}`);
      expect(stderr).toMatch(
        /deliver: q-000001 HOR00000000000000001 ADT\^A28 send 1: acknowledged \(MSA-1 AA\)/,
      );
      expect(stderr).not.toContain("O'Brien");
    } finally {
      await receiver.stop();
    }
  }, 60_000);
});
