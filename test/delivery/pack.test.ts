import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadPack } from "../../engine/pack/load.js";
import { writeReceiverPack } from "./harness.js";

/** `outbound.delivery` compiled (engine/pack/sections/delivery.ts). */

const root = mkdtempSync(join(tmpdir(), "rulepack-delivery-pack-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const packWith = (extra: readonly string[]) =>
  writeReceiverPack(join(root, String(++n)), 2575, extra);

describe("outbound.delivery", () => {
  it("without a receiver (the base, the example practices) nothing is sent, the defaults stand", () => {
    const load = loadPack("rules/practices/harbor-ortho/pack.yaml");
    expect(load.ok && load.pack.delivery).toEqual({
      connectTimeoutMs: 10_000,
      ackTimeoutMs: 30_000,
      retry: { initialMs: 5000, factor: 2, maxMs: 300_000 },
      maxAttempts: 10,
      ackMode: "original",
      ordering: "queue",
      connections: 1,
      timeZone: "America/New_York",
      unreachableAlertMinutes: 30,
    });
  });

  it("the receiver is named host:port; patient ordering takes its connections", () => {
    const load = loadPack(packWith(["ordering: patient", "connections: 3"]));
    expect(load.ok && load.pack.delivery?.receiver).toEqual({
      host: "127.0.0.1",
      port: 2575,
      name: "127.0.0.1:2575",
    });
    expect(load.ok && load.pack.delivery?.connections).toBe(3);
  });

  it("queue ordering is one connection whatever connections says", () => {
    const load = loadPack(packWith(["connections: 2"]));
    expect(load.ok && load.pack.delivery?.connections).toBe(1);
  });

  it("TLS files are resolved against the pack file that names them", () => {
    const pack = writeReceiverPack(
      join(root, String(++n)),
      2575,
      [],
      "{ host: pm.example, port: 2575, tls: { ca: certs/ca.pem, cert: certs/me.pem, key: certs/me.key } }",
    );
    const load = loadPack(pack);
    const at = (file: string) => join(dirname(pack), "certs", file);
    expect(load.ok && load.pack.delivery?.receiver?.tls).toEqual({
      ca: at("ca.pem"),
      cert: at("me.pem"),
      key: at("me.key"),
    });
  });

  it("a window that closes before it opens is refused at its `to`", () => {
    const load = loadPack(packWith(["windows: [{ from: '18:00', to: '08:00' }]"]));
    expect(load.ok).toBe(false);
    expect(!load.ok && load.errors.map((e) => [e.code, e.message])).toEqual([
      [
        "INVALID_VALUE",
        "the window closes (08:00) before it opens (18:00); a window that spans midnight is two windows",
      ],
    ]);
  });
});
