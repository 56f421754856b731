import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { framed, mllpExchange } from "../server/helpers.js";
import {
  ackCode,
  addressedAdt,
  controlIds,
  HARBOR,
  hostFile,
  LAKESIDE,
  startTestHost,
} from "./helpers.js";

/**
 * SIGHUP reads the host file again (decision 0038): a practice added
 * starts (its listener, store, sender), one removed drains and stops, one
 * whose store or port changed restarts; the others run on untouched. A host
 * file that does not load is reported at FILE:LINE:COL and everything keeps
 * running as it was.
 */

const practice = (name: string, pack: string, inbound: string, more = "") =>
  `  - name: ${name}\n    pack: ${pack}\n${more}    inbound: ${inbound}\n`;

const hostText = (stores: string, practices: string, listen = "") =>
  `stores:\n  sqlite: ${stores}\n${listen}practices:\n${practices}`;

/** Whether a connection to the port is refused. */
const refused = (port: number) =>
  mllpExchange(port, [framed(addressedAdt("Z1", "PS", "PS"))], 1, { timeoutMs: 20_000 }).then(
    () => false,
    (e: NodeJS.ErrnoException) => e.code === "ECONNREFUSED",
  );

describe("SIGHUP with a changed host file, practices on their own ports", () => {
  it("starts an added practice, stops a removed one, restarts one whose store changed, and keeps the rest", async () => {
    const file = hostFile("");
    const stores = join(dirname(file), "stores");
    writeFileSync(file, hostText(stores, practice("harbor", HARBOR, "{ port: 0 }")));
    const host = await startTestHost(file);
    const log = () => host.stderr.join("");
    try {
      const harborPort = host.portOf("harbor") as number;
      const first = await mllpExchange(harborPort, [framed(addressedAdt("H1", "PS", "PS"))], 1);
      expect(first.acks.map(ackCode)).toEqual(["AA"]);

      // Added: lakeside starts on its own port, harbor runs on.
      writeFileSync(
        file,
        hostText(
          stores,
          practice("harbor", HARBOR, "{ port: 0 }") + practice("lakeside", LAKESIDE, "{ port: 0 }"),
        ),
      );
      await host.reload();
      expect(log()).toContain(
        `reload: host file ${file}: added=1 removed=0 restarted=0 rerouted=0`,
      );
      expect(log()).toContain("reload done reloaded=0 kept=0 unchanged=1 started=1");
      const lakesidePort = host.portOf("lakeside") as number;
      expect(lakesidePort).toBeGreaterThan(0);
      const toLakeside = await mllpExchange(
        lakesidePort,
        [framed(addressedAdt("L1", "PS", "PS"))],
        1,
      );
      expect(toLakeside.acks.map(ackCode)).toEqual(["AA"]);
      const again = await mllpExchange(harborPort, [framed(addressedAdt("H2", "PS", "PS"))], 1);
      expect(again.acks.map(ackCode)).toEqual(["AA"]);

      // Removed: harbor drains and stops; its port no longer answers.
      // Changed store: lakeside restarts on the new one.
      const moved = join(dirname(file), "moved", "lakeside.sqlite");
      writeFileSync(
        file,
        hostText(stores, practice("lakeside", LAKESIDE, "{ port: 0 }", `    store: ${moved}\n`)),
      );
      await host.reload();
      expect(log()).toContain("added=0 removed=1 restarted=1 rerouted=0");
      expect(log()).toContain("practice=harbor stopped");
      expect(log()).toContain("reload done reloaded=0 kept=0 unchanged=0 stopped=1 restarted=1");
      expect(await refused(harborPort)).toBe(true);
      const restartedPort = host.portOf("lakeside") as number;
      const toMoved = await mllpExchange(
        restartedPort,
        [framed(addressedAdt("L2", "PS", "PS"))],
        1,
      );
      expect(toMoved.acks.map(ackCode)).toEqual(["AA"]);

      // A host file that does not load: reported where, and nothing changes.
      writeFileSync(file, hostText(stores, practice("lakeside", LAKESIDE, "{ port: 0, prot: 1 }")));
      await host.reload();
      expect(log()).toContain(
        `reload: ${file}:6:25: UNKNOWN_KEY "prot" is not a key of practices[0].inbound (did you mean port?)`,
      );
      expect(log()).toContain(
        `reload failed: keeping the host file as it runs (${file} does not load)`,
      );
      const still = await mllpExchange(restartedPort, [framed(addressedAdt("L3", "PS", "PS"))], 1);
      expect(still.acks.map(ackCode)).toEqual(["AA"]);
    } finally {
      expect(await host.stop()).toBe(0);
    }
    expect((await controlIds(join(stores, "harbor.sqlite"))).map((l) => l.split(" ")[0])).toEqual([
      "H1",
      "H2",
    ]);
    expect((await controlIds(join(stores, "lakeside.sqlite"))).map((l) => l.split(" ")[0])).toEqual(
      ["L1"],
    );
    expect(
      (await controlIds(join(dirname(file), "moved", "lakeside.sqlite"))).map(
        (l) => l.split(" ")[0],
      ),
    ).toEqual(["L2", "L3"]);
  });

  it("reports a practice it could not start as down on /healthz (503), and starts it at the reload after the fix", async () => {
    const file = hostFile("");
    const stores = join(dirname(file), "stores");
    const listen = "listen:\n  healthPort: 0\n";
    writeFileSync(file, hostText(stores, practice("harbor", HARBOR, "{ port: 0 }"), listen));
    // A port something else holds: the added practice cannot listen there.
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
    const taken = (squatter.address() as { port: number }).port;
    const host = await startTestHost(file);
    const health = async () => {
      const response = await fetch(`http://127.0.0.1:${host.ports.get("healthz")}/healthz`);
      return { status: response.status, body: await response.json() };
    };
    try {
      writeFileSync(
        file,
        hostText(
          stores,
          practice("harbor", HARBOR, "{ port: 0 }") +
            practice("lakeside", LAKESIDE, `{ port: ${taken} }`),
          listen,
        ),
      );
      await host.reload();
      expect(host.stderr.join("")).toContain(
        `practice=lakeside reload: rulepack: cannot listen on 127.0.0.1:${taken} (EADDRINUSE)`,
      );
      expect(host.stderr.join("")).toContain("reload done reloaded=0 kept=0 unchanged=1 failed=1");
      expect(await health()).toEqual({
        status: 503,
        body: {
          ok: false,
          practices: {
            harbor: { store: true, listener: true },
            lakeside: { store: false, listener: false },
          },
        },
      });

      await new Promise((resolve) => squatter.close(resolve));
      await host.reload();
      expect(host.stderr.join("")).toContain("reload done reloaded=0 kept=0 unchanged=1 started=1");
      expect(host.portOf("lakeside")).toBe(taken);
      expect(await health()).toMatchObject({ status: 200, body: { ok: true } });
    } finally {
      squatter.close();
      expect(await host.stop()).toBe(0);
    }
  });
});

describe("SIGHUP removing a practice while its sender sends", () => {
  it("answers every frame it took before it stops: each ACKed message is final in its store", async () => {
    const file = hostFile("");
    const stores = join(dirname(file), "stores");
    const harbor = practice("harbor", HARBOR, "{ port: 0 }", "    workers: 2\n");
    const lakeside = practice("lakeside", LAKESIDE, "{ port: 0 }");
    writeFileSync(file, hostText(stores, harbor + lakeside));
    const host = await startTestHost(file);
    const frames = Array.from({ length: 30 }, (_, i) =>
      framed(addressedAdt(`D${i}`, "PS", "PS", { mrn: String(600 + (i % 5)) })),
    );
    let exchange: Promise<{ acks: string[]; closed: boolean }>;
    try {
      exchange = mllpExchange(host.portOf("harbor") as number, frames, frames.length, {
        timeoutMs: 60_000,
      });
      // Removed once its first message is stored, while the rest are on their way.
      for (let i = 0; i < 3000; i++) {
        const stored = await controlIds(join(stores, "harbor.sqlite")).catch(() => []);
        if (stored.length > 0) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      writeFileSync(file, hostText(stores, lakeside));
      await host.reload();
      expect(host.stderr.join("")).toContain("practice=harbor stopped");
    } finally {
      expect(await host.stop()).toBe(0);
    }
    const { acks } = await exchange;
    expect(acks.length).toBeGreaterThan(0);
    console.log(
      `removed under load: ${acks.length} of ${frames.length} frames ACKed before harbor stopped`,
    );
    expect(acks.map(ackCode).every((c) => c === "AA")).toBe(true);
    const states = new Map(
      (await controlIds(join(stores, "harbor.sqlite"))).map(
        (l) => l.split(" ") as [string, string],
      ),
    );
    // Every frame it took was answered: as many messages stored as ACKs received.
    expect(states.size).toBe(acks.length);
    for (const ack of acks) {
      const control = /\rMSA\|AA\|([^|\r]+)/.exec(ack)?.[1] as string;
      // Decided (an AA also answers a message held in ERROR), never left NEW.
      expect([
        control,
        ["PROCESSED", "ERROR", "CBOERROR"].includes(states.get(control) ?? ""),
      ]).toEqual([control, true]);
    }
  }, 120_000);
});

describe("SIGHUP with a changed host file, practices on the shared port", () => {
  it("routes to a practice added to the shared port, and stops routing to one removed", async () => {
    const file = hostFile("");
    const stores = join(dirname(file), "stores");
    const listen = "listen:\n  sharedPort: 0\n";
    const harbor = practice("harbor", HARBOR, "{ routes: [{ receivingFacility: HARBOR }] }");
    const lakeside = practice(
      "lakeside",
      LAKESIDE,
      "{ routes: [{ receivingFacility: LAKESIDE }] }",
    );
    writeFileSync(file, hostText(stores, harbor, listen));
    const host = await startTestHost(file);
    const log = () => host.stderr.join("");
    try {
      const port = host.portOf("harbor") as number;
      const before = await mllpExchange(
        port,
        [framed(addressedAdt("H1", "PS", "HARBOR")), framed(addressedAdt("L0", "PS", "LAKESIDE"))],
        2,
      );
      expect(before.acks.map(ackCode)).toEqual(["AA", "AR"]);

      writeFileSync(file, hostText(stores, harbor + lakeside, listen));
      await host.reload();
      expect(log()).toContain("added=1 removed=0 restarted=0 rerouted=0");
      const added = await mllpExchange(
        port,
        [framed(addressedAdt("H2", "PS", "HARBOR")), framed(addressedAdt("L1", "PS", "LAKESIDE"))],
        2,
      );
      expect(added.acks.map(ackCode)).toEqual(["AA", "AA"]);

      writeFileSync(file, hostText(stores, lakeside, listen));
      await host.reload();
      expect(log()).toContain("practice=harbor stopped");
      const removed = await mllpExchange(
        port,
        [framed(addressedAdt("H3", "PS", "HARBOR")), framed(addressedAdt("L2", "PS", "LAKESIDE"))],
        2,
      );
      expect(removed.acks.map(ackCode)).toEqual(["AR", "AA"]);
    } finally {
      expect(await host.stop()).toBe(0);
    }
    expect((await controlIds(join(stores, "harbor.sqlite"))).map((l) => l.split(" ")[0])).toEqual([
      "H1",
      "H2",
    ]);
    expect((await controlIds(join(stores, "lakeside.sqlite"))).map((l) => l.split(" ")[0])).toEqual(
      ["L1", "L2"],
    );
    expect(await controlIds(join(stores, "_unrouted.sqlite"))).toEqual(["L0 ERROR", "H3 ERROR"]);
  });
});
