import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { copyHarbor, HARBOR_MASTER_DATA } from "../queue/harbor-queue.js";
import { framed, mllpExchange } from "../server/helpers.js";
import { ackCode, addressedAdt, controlIds, hostFile, LAKESIDE, startTestHost } from "./helpers.js";

/**
 * SIGHUP on a host: the practices whose files changed are loaded again, one
 * at a time; a pack that no longer loads is reported with its practice and
 * file, and that practice keeps the pack it has while the others go on.
 */

const A04_ENABLED = 'patientAdd: ["ADT^A01", "ADT^A04", "ADT^A28"]';

/** Harbor and Lakeside on their own ports, or both on the shared port (Harbor's frames addressed PS^HARBOR). */
const LISTENERS = {
  "their own ports": {
    listen: "",
    harbor: "{ port: 0 }",
    lakeside: "{ port: 0 }",
    harborPort: "harbor",
  },
  "the shared port": {
    listen: "listen:\n  sharedPort: 0\n",
    harbor: "{ routes: [{ receivingFacility: HARBOR }] }",
    lakeside: "{ routes: [{ receivingFacility: LAKESIDE }] }",
    harborPort: "harbor,lakeside",
  },
};

describe.each(Object.entries(LISTENERS))("SIGHUP on a host, practices on %s", (_, listeners) => {
  it("keeps a broken pack's practice on its old pack, and takes the fixed one at the next reload", async () => {
    const harbor = copyHarbor();
    const stores = join(harbor.dir, "stores");
    const file = hostFile(`stores:
  sqlite: ${stores}
${listeners.listen}practices:
  - name: harbor
    pack: ${harbor.pack}
    inbound: ${listeners.harbor}
  - name: lakeside
    pack: ${LAKESIDE}
    inbound: ${listeners.lakeside}
`);
    const original = readFileSync(harbor.pack, "utf8");
    expect(original).toContain(A04_ENABLED);
    const host = await startTestHost(file);
    const log = () => host.stderr.join("");
    const port = host.ports.get(listeners.harborPort) as number;
    try {
      await host.reload();
      expect(log()).toContain("reload done reloaded=0 kept=0 unchanged=2");

      writeFileSync(harbor.pack, original.replace(A04_ENABLED, "patientAdd: maybe"));
      await host.reload();
      const shownPack = relative(process.cwd(), harbor.pack);
      expect(log()).toMatch(
        new RegExp(`practice=harbor reload: ${shownPack.replaceAll(".", "\\.")}:80:\\d+: \\w+ `),
      );
      expect(log()).toContain(
        `practice=harbor reload failed: keeping pack=harbor-ortho (${shownPack})`,
      );
      expect(log()).toContain("reload done reloaded=0 kept=1 unchanged=1");
      // Still the old pack: an A04 creates the patient.
      const before = await mllpExchange(port, [framed(addressedAdt("H1", "PS", "HARBOR"))], 1);
      expect(before.acks.map(ackCode)).toEqual(["AA"]);

      // Fixed, with A04 no longer creating patients: the next reload takes it.
      writeFileSync(
        harbor.pack,
        original.replace(A04_ENABLED, 'patientAdd: ["ADT^A01", "ADT^A28"]'),
      );
      await host.reload();
      expect(log()).toContain("practice=harbor reloaded pack=harbor-ortho");
      expect(log()).toContain("reload done reloaded=1 kept=0 unchanged=1");
      expect(log()).not.toContain("practice=lakeside reloaded");
      const after = await mllpExchange(
        port,
        [
          framed(
            addressedAdt("H2", "PS", "HARBOR", { mrn: "777", name: "Okafor^Ada", dob: "19700101" }),
          ),
        ],
        1,
      );
      expect(after.acks[0]).toContain("EVENT_NOT_ENABLED");
    } finally {
      expect(await host.stop()).toBe(0);
    }
    expect(await controlIds(join(stores, "harbor.sqlite"))).toEqual(["H1 PROCESSED", "H2 ERROR"]);
  });
});

describe("SIGHUP on a host whose store fails", () => {
  it("keeps the pack of a practice whose store refuses the new master data, and goes on", async () => {
    const harbor = copyHarbor();
    const url = new URL(inject("pgUrl"));
    url.pathname = `/host_reload_${process.pid}`;
    const file = hostFile(`stores:
  postgres: ${url.toString()}
practices:
  - name: harbor
    pack: ${harbor.pack}
    inbound: { port: 0 }
  - name: lakeside
    pack: ${LAKESIDE}
    inbound: { port: 0 }
`);
    const host = await startTestHost(file);
    const log = () => host.stderr.join("");
    try {
      const master = join(harbor.dir, HARBOR_MASTER_DATA);
      writeFileSync(
        master,
        readFileSync(master, "utf8").replace("Susan Nguyen, MD", "Susan Nguyen, DO"),
      );
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      await client.query("DROP SCHEMA harbor CASCADE");
      await client.end();
      await host.reload();
      expect(log()).toMatch(/practice=harbor reload failed: \w+; keeping pack=harbor-ortho\n/);
      expect(log()).toContain("reload done reloaded=0 kept=1 unchanged=1");
    } finally {
      expect(await host.stop()).toBe(0);
    }
  });
});
