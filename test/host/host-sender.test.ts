import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { practiceUp } from "../../engine/host/healthz.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import { allFinished, startReceiver, until, writeReceiverPack } from "../delivery/harness.js";
import { rulepack } from "../support/cli.js";
import { LAKESIDE, startTestHost } from "./helpers.js";

/**
 * The outbound sender in host mode (decision 0038): each practice whose
 * pack names `outbound.delivery` gets its sender, as `serve --pack` runs it;
 * /healthz reports it per practice beside the store and the listener.
 * Receiver: python-hl7's MLLP server (test/support/hl7-receiver.py).
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-host-sender-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("a host whose practice names a receiver", () => {
  it("sends that practice's queued outbound messages, logged under its name, and /healthz reports its sender", async () => {
    const receiver = await startReceiver([]);
    try {
      writeReceiverPack(root, receiver.port);
      const file = join(root, "host.yaml");
      writeFileSync(
        file,
        `stores:
  sqlite: stores
listen:
  healthPort: 0
practices:
  - name: harbor-ortho
    pack: harbor-ortho/pack.yaml
    inbound: { port: 0 }
  - name: lakeside
    pack: ${LAKESIDE}
    inbound: { port: 0 }
`,
      );
      const queued = await rulepack([
        "outbound",
        "--practice",
        "harbor-ortho",
        "--host-config",
        file,
        "test/fixtures/events/patient-add.json",
        "test/fixtures/events/patient-update.json",
      ]);
      expect(queued.status).toBe(0);
      const host = await startTestHost(file);
      const store = openSqliteStore(join(root, "stores", "harbor-ortho.sqlite"));
      try {
        await until(() => allFinished(store, ["q-000001", "q-000002"]), "both messages delivered");
        expect((await store.message("q-000001"))?.state).toBe("PROCESSED");
        expect((await store.message("q-000002"))?.state).toBe("PROCESSED");
        const response = await fetch(`http://127.0.0.1:${host.ports.get("healthz")}/healthz`);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({
          ok: true,
          practices: {
            "harbor-ortho": { store: true, listener: true, sender: true },
            lakeside: { store: true, listener: true },
          },
        });
      } finally {
        await store.close();
        expect(await host.stop()).toBe(0);
      }
      const log = host.stderr.join("");
      expect(log).toContain(
        `practice=harbor-ortho delivering outbound messages to 127.0.0.1:${receiver.port}`,
      );
      expect(log).toMatch(
        /practice=harbor-ortho deliver: q-000001 HOR00000000000000001 ADT\^A28 send 1: acknowledged \(MSA-1 AA\)/,
      );
      expect(log).not.toContain("practice=lakeside delivering");
      expect(log).not.toContain("O'Brien");
      expect(receiver.received.map((r) => r.controlId)).toEqual([
        "HOR00000000000000001",
        "HOR00000000000000002",
      ]);
    } finally {
      await receiver.stop();
    }
  }, 120_000);
});

describe("a practice's health", () => {
  it("is down when its sender stopped, as when its store or listener is", () => {
    expect(practiceUp({ store: true, listener: true })).toBe(true);
    expect(practiceUp({ store: true, listener: true, sender: true })).toBe(true);
    expect(practiceUp({ store: true, listener: true, sender: false })).toBe(false);
    expect(practiceUp({ store: false, listener: true, sender: true })).toBe(false);
    expect(practiceUp({ store: true, listener: false })).toBe(false);
  });
});
