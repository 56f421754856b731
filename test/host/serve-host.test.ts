import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { loadHostFile } from "../../engine/host/host-file.js";
import { openStore } from "../../engine/store/open.js";
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
 * `rulepack serve --host-config`: two practices in one process over real
 * MLLP, each message in its own practice's store — on SQLite (a file per
 * practice) and on PostgreSQL (a schema per practice of one database).
 */

let made = 0;
const STORES = {
  sqlite: () => `sqlite: ${join(hostFile(""), "..", "stores")}`,
  postgres: () => {
    const url = new URL(inject("pgUrl"));
    url.pathname = `/host_${process.pid}_${++made}`;
    return `postgres: ${url.toString()}`;
  },
};

function storesOf(file: string) {
  const read = loadHostFile(file);
  if (!read.ok) throw new Error(JSON.stringify(read.errors));
  const by = new Map(read.config.practices.map((p) => [p.name, p.store]));
  return {
    harbor: by.get("harbor") as string,
    lakeside: by.get("lakeside") as string,
    unrouted: read.config.unroutedStore,
  };
}

describe.each(Object.keys(STORES) as (keyof typeof STORES)[])("on %s", (kind) => {
  it("runs two practices on two ports: each message lands in its practice's store", async () => {
    const file = hostFile(`stores:
  ${STORES[kind]()}
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
      const harborPort = host.ports.get("harbor") as number;
      const lakesidePort = host.ports.get("lakeside") as number;
      expect(harborPort).not.toBe(lakesidePort);
      const toHarbor = await mllpExchange(harborPort, [framed(addressedAdt("H1", "PS", "PS"))], 1);
      const toLakeside = await mllpExchange(
        lakesidePort,
        [framed(addressedAdt("L1", "PS", "PS"))],
        1,
      );
      expect(toHarbor.acks.map(ackCode)).toEqual(["AA"]);
      expect(toLakeside.acks.map(ackCode)).toEqual(["AA"]);
    } finally {
      expect(await host.stop()).toBe(0);
    }
    const stores = storesOf(file);
    expect(await controlIds(stores.harbor)).toEqual(["H1 PROCESSED"]);
    expect((await controlIds(stores.lakeside)).map((l) => l.split(" ")[0])).toEqual(["L1"]);
  });

  it("routes one shared port by MSH-5/MSH-6; an unroutable frame is stored ERROR UNROUTABLE and answered AR", async () => {
    const file = hostFile(`stores:
  ${STORES[kind]()}
listen:
  sharedPort: 0
practices:
  - name: harbor
    pack: ${HARBOR}
    inbound:
      routes:
        - { receivingApplication: PS, receivingFacility: HARBOR }
  - name: lakeside
    pack: ${LAKESIDE}
    inbound:
      routes:
        - { receivingFacility: LAKESIDE }
        - { receivingApplication: PS }
`);
    const host = await startTestHost(file);
    try {
      const port = host.ports.get("harbor,lakeside") as number;
      const result = await mllpExchange(
        port,
        [
          framed(addressedAdt("H1", "PS", "HARBOR")),
          framed(addressedAdt("L1", "PRAIRIE", "LAKESIDE")),
          // PS alone is lakeside's; PS^HARBOR names both values: harbor's.
          framed(addressedAdt("L2", "PS", "ELSEWHERE")),
          framed(addressedAdt("X1", "NOBODY", "NOWHERE")),
        ],
        4,
      );
      expect(result.acks.map(ackCode)).toEqual(["AA", "AA", "AA", "AR"]);
      expect(result.acks[3]).toContain("UNROUTABLE");
      expect(host.stderr.join("")).toContain("shared port unroutable addressed=NOBODY^NOWHERE");
    } finally {
      expect(await host.stop()).toBe(0);
    }
    const stores = storesOf(file);
    expect(await controlIds(stores.harbor)).toEqual(["H1 PROCESSED"]);
    expect((await controlIds(stores.lakeside)).map((l) => l.split(" ")[0])).toEqual(["L1", "L2"]);
    const unrouted = openStore(stores.unrouted, { create: false });
    try {
      const [message] = await unrouted.messages();
      expect(message?.controlId).toBe("X1");
      expect(message?.state).toBe("ERROR");
      expect(message?.outcome?.errors).toEqual([
        {
          code: "UNROUTABLE",
          severity: "error",
          field: "MSH-5",
          value: "NOBODY^NOWHERE",
          message: "no practice on this port receives MSH-5^MSH-6 'NOBODY^NOWHERE'",
        },
      ]);
      expect(new TextDecoder().decode(message?.raw)).toContain("|NOBODY|NOWHERE|");
    } finally {
      await unrouted.close();
    }
  });
});
