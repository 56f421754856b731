import { describe, expect, it } from "vitest";
import { hostChanges } from "../../engine/host/host-changes.js";
import type { HostConfig, HostPractice } from "../../engine/host/host-file.js";

/**
 * What a reload of the host file changes (decision 0038): practices added,
 * removed, restarted (store, pack, workers, lease, port, TLS, address) or
 * only routed anew, and the shared and /healthz ports.
 */

const practice = (name: string, more: Partial<HostPractice> = {}): HostPractice => ({
  name,
  pack: `rules/${name}/pack.yaml`,
  store: `stores/${name}.sqlite`,
  inbound: { port: 2600 },
  ...more,
});

const host = (practices: HostPractice[], more: Partial<HostConfig> = {}): HostConfig => ({
  file: "host.yaml",
  host: "127.0.0.1",
  unroutedStore: "stores/_unrouted.sqlite",
  unroutedRetainDays: 90,
  practices,
  ...more,
});

const byPath = (tls: { files: { cert: string } } | undefined) => tls?.files.cert ?? "";
const names = (list: readonly HostPractice[]) => list.map((p) => p.name);

describe("a reload of the host file", () => {
  it("changes nothing when the file says the same", () => {
    const config = host([practice("a"), practice("b")], { sharedPort: 2575, healthPort: 8080 });
    expect(hostChanges(config, { ...config }, byPath)).toEqual({
      added: [],
      removed: [],
      restarted: [],
      rerouted: [],
      sharedPort: "same",
      healthPort: "same",
    });
  });

  it("adds and removes practices by name", () => {
    const changes = hostChanges(
      host([practice("a"), practice("b")]),
      host([practice("b"), practice("c")]),
      byPath,
    );
    expect(names(changes.added)).toEqual(["c"]);
    expect(changes.removed).toEqual(["a"]);
    expect(changes.restarted).toEqual([]);
  });

  it("restarts a practice whose store, pack file, workers, lease, port or TLS changed", () => {
    const before = host([
      practice("store"),
      practice("pack"),
      practice("workers"),
      practice("lease", { workers: 2 }),
      practice("port"),
      practice("tls"),
      practice("same"),
    ]);
    const after = host([
      practice("store", { store: "postgres://db/x?schema=store" }),
      practice("pack", { pack: "elsewhere/pack.yaml" }),
      practice("workers", { workers: 2 }),
      practice("lease", { workers: 2, leaseMs: 5000 }),
      practice("port", { inbound: { port: 2601 } }),
      practice("tls", {
        inbound: {
          port: 2600,
          tls: { files: { cert: "c", key: "k", requireClientCert: false }, at: "h:1:1" },
        },
      }),
      practice("same"),
    ]);
    expect(names(hostChanges(before, after, byPath).restarted)).toEqual([
      "store",
      "pack",
      "workers",
      "lease",
      "port",
      "tls",
    ]);
  });

  it("restarts every practice on its own port, the shared port and /healthz when the address changes", () => {
    const routed = practice("r", { inbound: { routes: [{ receivingFacility: "R" }] } });
    const before = host([practice("a"), routed], { sharedPort: 2575, healthPort: 8080 });
    const changes = hostChanges(before, { ...before, host: "0.0.0.0" }, byPath);
    expect(names(changes.restarted)).toEqual(["a"]);
    expect(changes.sharedPort).toBe("restart");
    expect(changes.healthPort).toBe("restart");
  });

  it("routes anew, without a restart, a practice whose routes alone changed", () => {
    const before = host([practice("r", { inbound: { routes: [{ receivingFacility: "R" }] } })], {
      sharedPort: 2575,
    });
    const after = host(
      [
        practice("r", {
          inbound: { routes: [{ receivingFacility: "R" }, { receivingApplication: "X" }] },
        }),
      ],
      { sharedPort: 2575 },
    );
    const changes = hostChanges(before, after, byPath);
    expect(names(changes.rerouted)).toEqual(["r"]);
    expect(changes.restarted).toEqual([]);
    expect(changes.sharedPort).toBe("same");
  });

  it("starts, stops or restarts the shared port as its port, TLS or _unrouted store say", () => {
    const none = host([practice("a")]);
    const on = host([practice("a")], { sharedPort: 2575 });
    expect(hostChanges(none, on, byPath).sharedPort).toBe("start");
    expect(hostChanges(on, none, byPath).sharedPort).toBe("stop");
    expect(hostChanges(on, { ...on, sharedPort: 2580 }, byPath).sharedPort).toBe("restart");
    expect(
      hostChanges(on, { ...on, unroutedStore: "postgres://db/x?schema=_unrouted" }, byPath)
        .sharedPort,
    ).toBe("restart");
    expect(
      hostChanges(
        on,
        {
          ...on,
          sharedPortTls: { files: { cert: "c", key: "k", requireClientCert: false }, at: "h:1:1" },
        },
        byPath,
      ).sharedPort,
    ).toBe("restart");
    expect(hostChanges(on, { ...on, unroutedRetainDays: 7 }, byPath).sharedPort).toBe("same");
  });
});
