import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseHl7 } from "../../engine/hl7/parse.js";
import type { CompiledPack } from "../../engine/pack/compiled.js";
import { headerOf } from "../../engine/queue/header.js";
import { startMllpServer } from "../../engine/server/mllp-server.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import { fixturePackLoader } from "../support/fixture-packs.js";
import { framed, mllpExchange, queueMessage, SERVE_PACK, serve, states } from "./helpers.js";
import { patientMessages } from "./patients.js";

/**
 * `rulepack serve` around the frames: crash recovery before listening,
 * SIGHUP reload (the old pack kept when the new one does not load),
 * per-patient order across concurrent connections, retention at start.
 */

const CORPUS = "../shared/corpus/hl7";
const root = mkdtempSync(join(tmpdir(), "rulepack-listener-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dbs = 0;
const newDb = () => join(root, `listener-${++dbs}.sqlite`);
const corpus = (name: string) => readFileSync(`${CORPUS}/${name}.hl7`);
const msa1 = (ack: string) =>
  parseHl7(ack).messages[0]?.segments.find((s) => s.name === "MSA")?.fields[0]?.[0]?.[0]?.[0]
    ?.value;

async function storeNew(
  db: string,
  raws: readonly Uint8Array[],
  receivedAt: string,
): Promise<void> {
  const store = openSqliteStore(db);
  try {
    for (const raw of raws) {
      const message = parseHl7(raw).messages[0];
      if (!message) throw new Error("not HL7");
      await store.receive({
        ...headerOf(message, true),
        raw,
        receivedAt,
        sender: "mllp:127.0.0.1",
        direction: "inbound",
      });
    }
  } finally {
    await store.close();
  }
}

describe("crash recovery", () => {
  it("processes every message left NEW, in receipt order, before accepting connections", async () => {
    const db = newDb();
    const { a04, a08 } = patientMessages(1);
    // Stored NEW by a listener that died before processing them: the A08 needs the A04 first.
    await storeNew(
      db,
      [Buffer.from(a04, "latin1"), Buffer.from(a08, "latin1")],
      new Date().toISOString(),
    );
    const server = await serve(db);
    const logs = () => server.stderr.join("");
    expect(logs()).toContain("recovery recovered=2 failed=0 states=PROCESSED:2");
    expect(logs().indexOf("recovery recovered")).toBeLessThan(logs().indexOf("listening"));
    // The sender resends what it never got an ACK for: answered from the store.
    const resend = await mllpExchange(server.port, [framed(a08)], 1);
    expect(await server.stop()).toBe(0);
    const store = openSqliteStore(db);
    try {
      const [first, second, third] = await store.messages();
      expect([first?.state, second?.state, third?.state]).toEqual([
        "PROCESSED",
        "PROCESSED",
        "PROCESSED",
      ]);
      expect(second?.outcome?.actions.map((a) => a.type)).toContain("patient.update");
      expect(third?.duplicateOf).toBe(second?.messageId);
      expect(resend.acks).toEqual([second?.ack]);
      expect(msa1(resend.acks[0] ?? "")).toBe("AA");
      expect((await store.attempts(first?.messageId ?? "")).map((a) => a.kind)).toEqual([
        "receive",
      ]);
    } finally {
      await store.close();
    }
  });
});

describe("SIGHUP reload", () => {
  it("a reload asked for while the pack loads or recovery runs is held, not lost, and served once listening", async () => {
    const db = newDb();
    const { a04 } = patientMessages(1);
    await storeNew(db, [Buffer.from(a04, "latin1")], new Date().toISOString());
    let newBeforeRecovery = -1;
    const server = await serve(db, undefined, {
      onReload: (reload) => {
        // Subscribed before recovery: the NEW message is still waiting (the
        // embedded store reads at the call; the count arrives a tick later).
        const store = openSqliteStore(db);
        void store
          .messages({ state: "NEW" })
          .then((m) => {
            newBeforeRecovery = m.length;
          })
          .finally(() => store.close());
        // The signal arrives at once, before the listener runs.
        void reload();
        return () => {};
      },
    });
    expect(await server.stop()).toBe(0);
    const logs = server.stderr.join("");
    expect(newBeforeRecovery).toBe(1);
    expect(logs).toContain("reloaded pack=harbor-ortho");
    expect(logs.indexOf("listening")).toBeLessThan(logs.indexOf("reloaded pack"));
  });

  it("reloads the pack (and master data) for the next frames; keeps the old pack when the new one does not load", async () => {
    const dir = join(root, "reload", "harbor-ortho");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "pack.yaml");
    const rel = (path: string) => relative(dir, resolve(path));
    const writePack = (extra: string) =>
      writeFileSync(
        file,
        `# yaml-language-server: $schema=${rel("schemas/rulepack.schema.json")}\npack:\n  id: harbor-ortho\n  extends: ${rel(SERVE_PACK)}\n${extra}`,
      );
    writePack("");
    copyFileSync("rules/practices/harbor-ortho/master-data.yaml", join(dir, "master-data.yaml"));
    let reload: () => Promise<void> = async () => {};
    const server = await serve(newDb(), undefined, {
      pack: file,
      onReload: (r) => {
        reload = r;
        return () => {};
      },
    });
    const held = (controlId: string) =>
      framed(
        corpus("SIU_S12__mirth__1").toString("latin1").replace("|24916560|", `|${controlId}|`),
      );
    const ack = async (frame: Buffer) =>
      msa1((await mllpExchange(server.port, [frame], 1)).acks[0] ?? "");

    expect(await ack(held("H1"))).toBe("AA");
    writePack("acks:\n  held: AE\n");
    await reload();
    expect(await ack(held("H2"))).toBe("AE");
    writePack("acks:\n  held: MAYBE\n");
    await reload();
    expect(await ack(held("H3"))).toBe("AE");
    expect(await server.stop()).toBe(0);
    const logs = server.stderr.join("");
    expect(logs).toContain("rulepack serve: reloaded pack=harbor-ortho");
    expect(logs).toMatch(/rulepack serve: reload: .*pack\.yaml:\d+:\d+: \w+ /);
    expect(logs).toContain("rulepack serve: reload failed: keeping pack=harbor-ortho");
  });
});

describe("MllpServer.reload", () => {
  it("a frame in flight finishes under the pack it started with; the next frame uses the new one", async () => {
    const base = fixturePackLoader("rules/practices")("harbor-ortho");
    const heldAe: CompiledPack = { ...base, acks: { ...base.acks, held: "AE" } };
    const store = openSqliteStore(newDb());
    let requested: Promise<void> | undefined;
    const server = await startMllpServer({
      pack: base,
      store,
      port: 0,
      // The reload is asked for while the first frame is being processed.
      onOutcomes: () => {
        requested ??= server.reload(heldAe);
      },
    });
    const siu = corpus("SIU_S12__mirth__1").toString("latin1");
    const first = await mllpExchange(server.port, [framed(siu)], 1);
    await requested;
    const second = await mllpExchange(server.port, [framed(siu.replace("|24916560|", "|S2|"))], 1);
    await server.close();
    await store.close();
    expect([...first.acks, ...second.acks].map(msa1)).toEqual(["AA", "AE"]);
    expect(server.pack).toBe(heldAe);
  });
});

describe("per-patient order across concurrent connections", () => {
  it("every patient's A04 is processed before its A08, whichever connection carries them", async () => {
    const db = newDb();
    const server = await serve(db);
    const patients = Array.from({ length: 8 }, (_, k) => patientMessages(k + 1));
    // Each sender writes its patient's two frames back to back, all senders at once.
    const replies = await Promise.all(
      patients.map((p) => mllpExchange(server.port, [framed(p.a04), framed(p.a08)], 2)),
    );
    expect(await server.stop()).toBe(0);
    expect(replies.map((r) => r.acks.map(msa1))).toEqual(patients.map(() => ["AA", "AA"]));
    const stored = await states(db);
    expect(stored).toHaveLength(16);
    expect(stored.every((m) => m.state === "PROCESSED")).toBe(true);
    for (const k of patients.keys()) {
      const id = `P${String(k + 1).padStart(5, "0")}`;
      const order = stored.map((m) => m.controlId).filter((c) => c.startsWith(id));
      expect(order).toEqual([`${id}A04`, `${id}A08`]);
    }
  });
});

describe("retention in a running listener", () => {
  it("prunes PROCESSED messages older than queue.retentionDays at start, keeps errors", async () => {
    const db = newDb();
    const old = new Date(Date.now() - 200 * 86_400_000);
    const store = openSqliteStore(db);
    await queueMessage(store, "OLD0", "PROCESSED", old.toISOString());
    await queueMessage(store, "OLD1", "ERROR", old.toISOString());
    await store.close();
    const server = await serve(db);
    await mllpExchange(server.port, [framed(corpus("ADT_A04__mirth__1"))], 1);
    expect(await server.stop()).toBe(0);
    expect(server.stderr.join("")).toContain("prune removed=1");
    expect((await states(db)).map((m) => [m.controlId, m.state])).toEqual([
      ["OLD1", "ERROR"],
      ["603266", "PROCESSED"],
    ]);
  });
});
