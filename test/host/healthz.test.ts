import { describe, expect, it } from "vitest";
import { answersWithin, startHealthz } from "../../engine/host/healthz.js";
import { HARBOR, hostFile, LAKESIDE, startTestHost } from "./helpers.js";

/** A host's GET /healthz (listen.healthPort): what deploy/'s timer and HEALTHCHECK ask. */

describe("GET /healthz on a host", () => {
  it("is 200 with each practice's store and listener while the host runs", async () => {
    const file = hostFile(`stores:
  sqlite: stores
listen:
  healthPort: 0
practices:
  - name: harbor
    pack: ${HARBOR}
    inbound: { port: 0 }
  - name: lakeside
    pack: ${LAKESIDE}
    inbound: { port: 0 }
`);
    const host = await startTestHost(file);
    try {
      const response = await fetch(`http://127.0.0.1:${host.ports.get("healthz")}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        ok: true,
        practices: {
          harbor: { store: true, listener: true },
          lakeside: { store: true, listener: true },
        },
      });
      const other = await fetch(`http://127.0.0.1:${host.ports.get("healthz")}/metrics`);
      expect(other.status).toBe(404);
    } finally {
      expect(await host.stop()).toBe(0);
    }
  });

  it("is 503 naming the practice whose store does not answer", async () => {
    const healthz = await startHealthz({
      port: 0,
      host: "127.0.0.1",
      check: async () => ({
        harbor: { store: true, listener: true },
        lakeside: { store: false, listener: true },
      }),
    });
    try {
      const response = await fetch(`http://127.0.0.1:${healthz.port}/healthz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({
        ok: false,
        practices: { lakeside: { store: false } },
      });
    } finally {
      await healthz.close();
    }
  });

  it("counts a store that never answers, or fails, as down", async () => {
    expect(await answersWithin(() => new Promise(() => {}), 20)).toBe(false);
    expect(await answersWithin(() => Promise.reject(new Error("gone")), 1000)).toBe(false);
    expect(await answersWithin(() => Promise.resolve(1), 1000)).toBe(true);
  });
});
