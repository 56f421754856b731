import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseHl7 } from "../../engine/hl7/parse.js";
import type { Hl7Message } from "../../engine/hl7/tree.js";
import { loadPack } from "../../engine/pack/load.js";
import { type FrameResult, processFrame } from "../../engine/server/frame.js";
import { startMllpServer } from "../../engine/server/mllp-server.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { Store } from "../../engine/store/types.js";
import { framed, mllpExchange, pieces, serve, states } from "./helpers.js";

/**
 * The MLLP listener on loopback, port 0: ACK codes and queue states in a
 * temporary SQLite database, frames joined and split, drain and idle timeout.
 */

const CORPUS = "../shared/corpus/hl7";
const PACK = "rules/practices/harbor-ortho/pack.yaml";
const root = mkdtempSync(join(tmpdir(), "rulepack-serve-"));
const serveIn = (idle?: number) => serve(join(root, `serve-${++dbs}.sqlite`), idle);
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dbs = 0;

const corpus = (name: string) => readFileSync(`${CORPUS}/${name}.hl7`);

/** The one ACK an original-mode frame is answered with. */
const only = (r: FrameResult): string => {
  expect(r.replies).toHaveLength(1);
  return r.replies[0]?.ack ?? "";
};

function msa(ack: string): { code: string; controlId: string; message: Hl7Message } {
  const doc = parseHl7(ack);
  expect(doc.issues.filter((i) => i.severity === "error")).toEqual([]);
  const message = doc.messages[0] as Hl7Message;
  const seg = message.segments.find((s) => s.name === "MSA");
  return {
    code: seg?.fields[0]?.[0]?.[0]?.[0]?.value ?? "",
    controlId: seg?.fields[1]?.[0]?.[0]?.[0]?.value ?? "",
    message,
  };
}

function errCodes(message: Hl7Message): string[] {
  return message.segments
    .filter((s) => s.name === "ERR")
    .map((s) => s.fields[2]?.[0]?.[0]?.[0]?.value ?? s.fields[0]?.[0]?.[3]?.[0]?.value ?? "");
}

describe("rulepack serve over MLLP", () => {
  it("ACKs several frames joined in one write and split across writes, in order, and stores each", async () => {
    const server = await serveIn();
    const data = framed(
      corpus("ADT_A04__mirth__1"),
      corpus("SIU_S12__mirth__1"),
      "this is not HL7\r",
      corpus("DFT_P03__mieweb__1"),
    );
    const joined = await mllpExchange(server.port, [data], 4);
    const split = await mllpExchange(
      server.port,
      pieces(framed(corpus("ADT_A08__msfhir__1")), 97),
      1,
    );
    expect(await server.stop()).toBe(0);

    const acks = [...joined.acks, ...split.acks].map(msa);
    expect(acks.map((a) => [a.code, a.controlId])).toEqual([
      ["AA", "603266"],
      ["AA", "24916560"],
      ["AR", ""],
      ["AA", "DSD1184185250"],
      ["AA", "MSG00001"],
    ]);
    // Held for a person (ERROR) is still AA, its error carried in ERR.
    expect(errCodes(acks[1]?.message as Hl7Message)).toEqual(["204"]);
    expect(new Set(errCodes(acks[2]?.message as Hl7Message))).toEqual(new Set(["100"]));
    // A phone repetition no rule read is a warning (ERR-4 W, 102 data type
    // error, DATA_NOT_READ), listed with the error that holds the message.
    expect(errCodes(acks[4]?.message as Hl7Message)).toEqual(["102", "102", "201"]);
    expect(
      acks[4]?.message.segments
        .filter((s) => s.name === "ERR")
        .map((s) => [s.fields[3]?.[0]?.[0]?.[0]?.value, s.fields[4]?.[0]?.[0]?.[0]?.value]),
    ).toEqual([
      ["W", "DATA_NOT_READ"],
      ["W", "DATA_NOT_READ"],
      ["E", "EVENT_NOT_ENABLED"],
    ]);
    expect(acks[0]?.message.segments[0]?.fields[8]?.[0]?.map((c) => c[0]?.value)).toEqual([
      "ACK",
      "A04",
      "ACK",
    ]);

    expect((await states(server.db)).map((m) => [m.controlId, m.state])).toEqual([
      ["603266", "PROCESSED"],
      ["24916560", "ERROR"],
      ["", "ERROR"],
      ["DSD1184185250", "ERROR"],
      ["MSG00001", "ERROR"],
    ]);
    expect((await states(server.db)).every((m) => m.sender === "mllp:127.0.0.1")).toBe(true);
    // Logs carry IDs, types, states and codes, never patient data.
    const logs = server.stderr.join("");
    expect(logs).toContain("controlId=603266 type=ADT^A04 state=PROCESSED errors=- ack=AA");
    expect(logs).not.toMatch(/BEEBLEBROX|ZAPHOD|PATIENT LB|19570219|999965423/);
  });

  it("keeps arrival order across concurrent connections (ADT before the SIU that needs it)", async () => {
    const server = await serveIn();
    const first = mllpExchange(server.port, [framed(corpus("ADT_A04__mirth__1"))], 1);
    await new Promise((r) => setTimeout(r, 20));
    const second = mllpExchange(server.port, [framed(corpus("ADT_A01__msfhir__2"))], 1);
    const [a, b] = await Promise.all([first, second]);
    expect(await server.stop()).toBe(0);
    expect([...a.acks, ...b.acks].map((x) => msa(x).code)).toEqual(["AA", "AA"]);
    expect((await states(server.db)).map((m) => [m.controlId, m.state])).toEqual([
      ["603266", "PROCESSED"],
      ["599102", "PROCESSED"],
    ]);
  });

  it("closes an idle connection", async () => {
    const server = await serveIn(100);
    const result = await mllpExchange(server.port, [], 0, { keepOpen: true, timeoutMs: 5000 });
    expect(result.closed).toBe(true);
    expect(server.stderr.join("")).toContain("idle timeout");
    expect(await server.stop()).toBe(0);
  });
});

describe("startMllpServer", () => {
  const load = loadPack(PACK);
  if (!load.ok) throw new Error("the example pack does not load");
  const pack = load.pack;

  it("drains on close: frames received are processed and ACKed, then connections end", async () => {
    const db = join(root, `drain-${++dbs}.sqlite`);
    const store = openSqliteStore(db);
    const server = await startMllpServer({ pack, store, port: 0 });
    const exchange = mllpExchange(
      server.port,
      [framed(corpus("ADT_A04__mirth__1"), corpus("SIU_S12__mirth__1"))],
      2,
      { keepOpen: true },
    );
    await new Promise((r) => setTimeout(r, 30));
    await server.close();
    const result = await exchange;
    expect(result.acks.map((a) => msa(a).code)).toEqual(["AA", "AA"]);
    expect(result.closed).toBe(true);
    expect((await store.messages()).map((m) => m.state)).toEqual(["PROCESSED", "ERROR"]);
    await store.close();
  });

  it("ACKs a long burst of frames in one write in order (the connection pauses while behind)", async () => {
    const store = openSqliteStore(join(root, `burst-${++dbs}.sqlite`));
    const server = await startMllpServer({ pack, store, port: 0 });
    const n = 150;
    const payloads = Array.from({ length: n }, (_, i) =>
      corpus("ADT_A08__msfhir__1").toString("latin1").replace("MSG00001", `BURST${i}`),
    );
    const result = await mllpExchange(server.port, [framed(...payloads)], n, { timeoutMs: 30_000 });
    await server.close();
    expect(result.acks.map((a) => msa(a).controlId)).toEqual(payloads.map((_, i) => `BURST${i}`));
    expect(await store.messages()).toHaveLength(n);
    await store.close();
  });

  it("answers AR for a frame over the maximum size and goes on; its head is kept in ERROR, nothing lost", async () => {
    const store = openSqliteStore(join(root, `big-${++dbs}.sqlite`));
    const server = await startMllpServer({ pack, store, port: 0, maxFrameBytes: 64 * 1024 });
    const big = `MSH|^~\\&|EHR|F|PM|F|20260101||ADT^A04|BIG1|P|2.5.1\rNTE|1||${"x".repeat(100 * 1024)}\r`;
    const result = await mllpExchange(
      server.port,
      [framed("x".repeat(100 * 1024), big, corpus("ADT_A04__mirth__1"))],
      3,
    );
    await server.close();
    expect(result.acks.map((a) => [msa(a).code, msa(a).controlId])).toEqual([
      ["AR", ""],
      ["AR", "BIG1"],
      ["AA", expect.any(String)],
    ]);
    const kept = (await store.messages()).map((m) => [m.state, m.controlId, m.raw.length]);
    expect(kept).toEqual([
      ["ERROR", "", 64 * 1024],
      ["ERROR", "BIG1", 64 * 1024],
      ["PROCESSED", expect.any(String), expect.any(Number)],
    ]);
    expect((await store.messages())[1]?.outcome?.errors.map((e) => e.code)).toEqual([
      "FRAME_TOO_LARGE",
    ]);
    await store.close();
  });

  it("answers AE for a held message when the pack's acks.held is AE, AA for a processed one", async () => {
    const dir = join(root, "harbor-ortho"); // the id names the mapping folder
    mkdirSync(dir);
    const file = join(dir, "pack.yaml");
    const rel = (path: string) => relative(dir, resolve(path));
    writeFileSync(
      file,
      `# yaml-language-server: $schema=${rel("schemas/rulepack.schema.json")}\npack:\n  id: harbor-ortho\n  extends: ${rel(PACK)}\nacks:\n  held: AE\n`,
    );
    const ae = loadPack(file);
    if (!ae.ok) throw new Error(JSON.stringify(ae.errors));
    expect(ae.pack.acks.held).toBe("AE");
    expect(pack.acks.held).toBe("AA");
    const store = openSqliteStore(join(root, `ae-${++dbs}.sqlite`));
    const now = new Date("2026-01-01T00:00:00Z");
    const processed = await processFrame(ae.pack, store, corpus("ADT_A04__mirth__1"), "t", now);
    const held = await processFrame(ae.pack, store, corpus("SIU_S12__mirth__1"), "t", now);
    const bad = await processFrame(ae.pack, store, Buffer.from("not HL7\r"), "t", now);
    expect([processed, held, bad].map((r) => msa(only(r)).code)).toEqual(["AA", "AE", "AR"]);
    // Before 2.5 an AE carries its first error's text in MSA-3.
    const m = msa(only(held)).message.segments.find((s) => s.name === "MSA");
    expect(m?.fields[2]?.[0]?.[0]?.[0]?.value).toContain("no patient matches");
    expect((await store.messages()).map((x) => x.state)).toEqual(["PROCESSED", "ERROR", "ERROR"]);
    await store.close();
  });

  it("answers AR with 207 when the store fails, so that the sender resends", async () => {
    const real = openSqliteStore(join(root, `fail-${++dbs}.sqlite`));
    const failing: Store = Object.create(real, {
      receive: {
        value: () => {
          throw new Error("disk full");
        },
      },
    });
    const result = await processFrame(
      pack,
      failing,
      corpus("ADT_A04__mirth__1"),
      "test",
      new Date("2026-01-01T00:00:00Z"),
    );
    expect(result.replies.map((r) => r.code)).toEqual(["AR"]);
    const ack = msa(only(result));
    expect(ack.code).toBe("AR");
    expect(ack.controlId).toBe("603266");
    expect(errCodes(ack.message)).toEqual(["207"]);
    expect(await real.messages()).toHaveLength(0);
    await real.close();
  });

  it("answers a 2.3 message with ERR-1, a 2.5 one with ERR-3 and ERR-4", async () => {
    const store = openSqliteStore(join(root, `ver-${++dbs}.sqlite`));
    const now = new Date("2026-01-01T00:00:00Z");
    const old = await processFrame(pack, store, corpus("SIU_S12__mirth__1"), "t", now);
    const v25 = await processFrame(pack, store, corpus("DFT_P03__mieweb__1"), "t", now);
    await store.close();
    const o = msa(only(old)).message;
    expect(o.segments.find((s) => s.name === "ERR")?.fields[0]?.[0]?.[3]?.[0]?.value).toBe("204");
    const n = msa(only(v25)).message;
    expect(n.segments[0]?.fields[11]?.[0]?.[0]?.[0]?.value).toBe("2.5");
    expect(n.segments.find((s) => s.name === "ERR")?.fields[2]?.[0]?.[0]?.[0]?.value).toBe("204");
    expect(n.segments.find((s) => s.name === "ERR")?.fields[3]?.[0]?.[0]?.[0]?.value).toBe("E");
    for (const r of [old, v25]) expect(Buffer.byteLength(only(r))).toBeLessThan(4096);
  });
});
