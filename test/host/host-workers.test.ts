import { writeFileSync } from "node:fs";
import { describe, expect, inject, it } from "vitest";
import { loadHostFile } from "../../engine/host/host-file.js";
import { framed, mllpExchange } from "../server/helpers.js";
import { rulepack } from "../support/cli.js";
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
 * Workers in host mode (decision 0038): a practice's `workers: N` in the
 * host file, or `serve --host-config FILE --workers N` for the practices
 * that name none, decide that practice's stored messages by claims on its
 * own store (decision 0023), on its own port and on the shared port alike;
 * the sender gets the same ACKs as from one lane.
 */

const PATIENTS = [
  { mrn: "501", name: "Okafor^Ada", dob: "19700101" },
  { mrn: "502", name: "Lindqvist^Per", dob: "19800202" },
];

describe("workers per practice on PostgreSQL", () => {
  it("decides each practice's messages by its own workers: harbor's workers: 2, lakeside's from --workers", async () => {
    const url = new URL(inject("pgUrl"));
    url.pathname = `/host_workers_${process.pid}`;
    const file = hostFile(`stores:
  postgres: ${url.toString()}
listen:
  sharedPort: 0
practices:
  - name: harbor
    pack: ${HARBOR}
    workers: 2
    leaseSeconds: 20
    inbound: { port: 0 }
  - name: lakeside
    pack: ${LAKESIDE}
    inbound: { routes: [{ receivingFacility: LAKESIDE }] }
`);
    const host = await startTestHost(file, { workers: 2 });
    const log = () => host.stderr.join("");
    const frames = (prefix: string, facility: string) =>
      [1, 2].flatMap((round) =>
        PATIENTS.map((p, i) => framed(addressedAdt(`${prefix}${round}${i}`, "PS", facility, p))),
      );
    try {
      expect(log()).toContain("practice=harbor workers=2 claiming on its store");
      expect(log()).toContain("practice=lakeside workers=2 claiming on its store");
      const harbor = await mllpExchange(host.portOf("harbor") as number, frames("H", "PS"), 4, {
        timeoutMs: 60_000,
      });
      const lakeside = await mllpExchange(
        host.portOf("lakeside") as number,
        frames("L", "LAKESIDE"),
        4,
        { timeoutMs: 60_000 },
      );
      expect(harbor.acks.map(ackCode)).toEqual(["AA", "AA", "AA", "AA"]);
      expect(lakeside.acks.map(ackCode)).toEqual(["AA", "AA", "AA", "AA"]);
      for (const control of ["H10", "H11", "H20", "H21"])
        expect(log()).toMatch(
          new RegExp(`practice=harbor worker=\\S+:[12] messageId=\\S+ controlId=${control} `),
        );
      for (const control of ["L10", "L11", "L20", "L21"])
        expect(log()).toMatch(
          new RegExp(`practice=lakeside worker=\\S+:[12] messageId=\\S+ controlId=${control} `),
        );
    } finally {
      expect(await host.stop()).toBe(0);
    }
    const read = loadHostFile(file);
    if (!read.ok) throw new Error("the host file stopped loading");
    const [harborStore, lakesideStore] = read.config.practices.map((p) => p.store);
    expect((await controlIds(harborStore as string)).sort()).toEqual([
      "H10 PROCESSED",
      "H11 PROCESSED",
      "H20 PROCESSED",
      "H21 PROCESSED",
    ]);
    expect((await controlIds(lakesideStore as string)).map((l) => l.split(" ")[0]).sort()).toEqual([
      "L10",
      "L11",
      "L20",
      "L21",
    ]);
  }, 120_000);
});

describe("workers of a practice added and removed at SIGHUP, on PostgreSQL", () => {
  it("starts the added practice's workers on its schema, and stops them with it", async () => {
    const url = new URL(inject("pgUrl"));
    url.pathname = `/host_workers_reload_${process.pid}`;
    const harbor = `  - name: harbor\n    pack: ${HARBOR}\n    inbound: { port: 0 }\n`;
    const lakeside = `  - name: lakeside\n    pack: ${LAKESIDE}\n    workers: 2\n    inbound: { port: 0 }\n`;
    const text = (practices: string) =>
      `stores:\n  postgres: ${url.toString()}\npractices:\n${practices}`;
    const file = hostFile(text(harbor));
    const host = await startTestHost(file);
    const log = () => host.stderr.join("");
    try {
      writeFileSync(file, text(harbor + lakeside));
      await host.reload();
      expect(log()).toContain("practice=lakeside workers=2 claiming on its store");
      const sent = await mllpExchange(
        host.portOf("lakeside") as number,
        PATIENTS.map((p, i) => framed(addressedAdt(`L${i}`, "PS", "PS", p))),
        2,
        { timeoutMs: 60_000 },
      );
      expect(sent.acks.map(ackCode)).toEqual(["AA", "AA"]);
      expect(log()).toMatch(/practice=lakeside worker=\S+:[12] messageId=\S+ controlId=L0 /);

      writeFileSync(file, text(harbor));
      await host.reload();
      expect(log()).toContain("practice=lakeside stopped");
      expect(log()).toContain("reload done reloaded=0 kept=0 unchanged=1 stopped=1");
    } finally {
      expect(await host.stop()).toBe(0);
    }
    const schema = new URL(url);
    schema.searchParams.set("schema", "lakeside");
    // Decided (Lakeside's pack holds Harbor's ADT in ERROR), none left NEW.
    expect((await controlIds(schema.toString())).sort()).toEqual(["L0 ERROR", "L1 ERROR"]);
  }, 120_000);
});

describe("serve --host-config --workers N [--lease SECONDS]", () => {
  it("refuses --lease without --workers, and a worker count out of range, before reading the host file", async () => {
    const lease = await rulepack(["serve", "--host-config", "nowhere.yaml", "--lease", "5"]);
    expect(lease.status).toBe(2);
    expect(lease.stderr).toContain("--lease is the workers' claim: it needs --workers N");
    const none = await rulepack(["serve", "--host-config", "nowhere.yaml", "--workers", "0"]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("--workers takes a whole number from 1 to 999");
  });
});
