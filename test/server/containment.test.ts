import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { encodeFrame } from "../../engine/hl7/mllp.js";
import { loadPractice } from "../../engine/pack/practice-load.js";
import { type MllpServer, startMllpServer } from "../../engine/server/mllp-server.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { Store } from "../../engine/store/types.js";
import { framed, mllpExchange, SERVE_PACK } from "./helpers.js";
import { patientMessages } from "./patients.js";

/**
 * One sender cannot stall the others: a cap on messages per frame (the
 * rest refused, AR with the reason), a cap on connections, a budget of
 * bytes held across connections, and turns between connections while a
 * frame of many messages is processed. Loopback only; every assertion is
 * about order and outcome, none about time.
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-contained-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dbs = 0;

/** One frame holding these patients' A04s, one message after another. */
function batch(patients: readonly number[]): string {
  return patients
    .map((k) => `${patientMessages(k).a04.replace(/\r?\n/g, "\r").replace(/\r+$/, "")}\r`)
    .join("");
}

/** Harbor with these lines added to its pack, master data beside it. */
function harborWith(extra: string): string {
  const dir = join(root, `pack-${++dbs}`, "harbor-ortho");
  mkdirSync(dir, { recursive: true });
  const rel = (path: string) => relative(dir, resolve(path));
  writeFileSync(
    join(dir, "pack.yaml"),
    `# yaml-language-server: $schema=${rel("schemas/rulepack.schema.json")}\npack:\n  id: harbor-ortho\n  extends: ${rel(SERVE_PACK)}\n${extra}`,
  );
  copyFileSync("rules/practices/harbor-ortho/master-data.yaml", join(dir, "master-data.yaml"));
  return join(dir, "pack.yaml");
}

async function listener(
  options: Partial<Parameters<typeof startMllpServer>[0]> = {},
  packFile = SERVE_PACK,
): Promise<{ server: MllpServer; store: Store; logs: string[] }> {
  const load = loadPractice(packFile);
  if (!load.ok) throw new Error(load.errors.join("\n"));
  const store = openSqliteStore(join(root, `contained-${++dbs}.sqlite`));
  if (load.masterData) await store.loadMasterData(load.masterData);
  const logs: string[] = [];
  const server = await startMllpServer({
    pack: load.pack,
    store,
    port: 0,
    log: (l) => logs.push(l),
    ...options,
  });
  return { server, store, logs };
}

/** Wait (polling, no deadline asserted) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
}

function open(port: number): Promise<Socket & { ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1" });
    const ended = new Promise<void>((r) => socket.on("close", () => r()));
    socket.on("error", () => {});
    socket.once("connect", () => resolve(Object.assign(socket, { ended })));
    socket.once("error", reject);
  });
}

const controlIds = async (store: Store) => (await store.messages()).map((m) => m.controlId);
const id = (k: number) => `P${String(k).padStart(5, "0")}A04`;
const msa = (ack: string | undefined) => /\rMSA\|([A-Z]{2})\|([^|\r]*)/.exec(ack ?? "")?.slice(1);

describe("queue.listener.maxMessagesPerFrame", () => {
  it("processes the first messages of a frame, stores the rest in ERROR FRAME_MESSAGE_LIMIT and answers AR with the reason", async () => {
    const { server, store } = await listener(
      {},
      harborWith("queue:\n  listener:\n    maxMessagesPerFrame: 3\n"),
    );
    const reply = await mllpExchange(server.port, [framed(batch([1, 2, 3, 4, 5]))], 1);
    expect(msa(reply.acks[0])).toEqual(["AR", id(1)]);
    expect(reply.acks[0]).toContain(
      "the frame holds 5 messages, more than the listener processes per frame (3): this one was not processed; resend it in a smaller frame",
    );
    // One ERR for the reason, not one per refused message.
    const errs = (reply.acks[0] ?? "").split("\r").filter((seg) => seg.startsWith("ERR"));
    expect(errs.filter((seg) => seg.includes("FRAME_MESSAGE_LIMIT"))).toHaveLength(1);
    expect((await store.messages()).map((m) => [m.controlId, m.state])).toEqual([
      [id(1), "PROCESSED"],
      [id(2), "PROCESSED"],
      [id(3), "PROCESSED"],
      [id(4), "ERROR"],
      [id(5), "ERROR"],
    ]);
    expect(await store.messages({ code: "FRAME_MESSAGE_LIMIT" })).toHaveLength(2);
    // Resent in a smaller frame, the refused ones are processed (not answered from the refusal).
    const resent = await mllpExchange(server.port, [framed(batch([4, 5]))], 1);
    await server.close();
    expect(msa(resent.acks[0])).toEqual(["AA", id(4)]);
    expect(
      (await store.messages()).slice(5).map((m) => [m.controlId, m.state, m.duplicateOf]),
    ).toEqual([
      [id(4), "PROCESSED", undefined],
      [id(5), "PROCESSED", undefined],
    ]);
    await store.close();
  });
});

describe("maxConnections", () => {
  it("closes a connection over the cap at once, with a log line; the open ones are served", async () => {
    const { server, store, logs } = await listener({ maxConnections: 2 });
    const first = await open(server.port);
    const second = await open(server.port);
    const third = await open(server.port);
    await third.ended;
    expect(logs).toContain("connection=3 refused: 2 connections open (maxConnections=2)");
    first.destroy();
    second.destroy();
    await Promise.all([first.ended, second.ended]);
    await until(() => logs.includes("connection=2 closed"));
    const reply = await mllpExchange(server.port, [framed(patientMessages(1).a04)], 1);
    await server.close();
    expect(msa(reply.acks[0])).toEqual(["AA", id(1)]);
    await store.close();
  });
});

describe("maxBufferedBytes", () => {
  it("closes a connection whose unfinished frame takes the bytes held over the budget; a whole frame waits and is answered", async () => {
    const { server, store, logs } = await listener({ maxBufferedBytes: 4000 });
    const slow = await open(server.port);
    slow.write(Buffer.concat([Buffer.from([0x0b]), Buffer.alloc(3000, 0x41)]));
    await until(() => server.buffered === 3000);
    const greedy = await open(server.port);
    greedy.write(Buffer.concat([Buffer.from([0x0b]), Buffer.alloc(3000, 0x42)]));
    await greedy.ended;
    expect(logs).toContain(
      "connection=2 closed: buffered bytes over the budget (unfinished frame 3000 bytes, 6000 held, maxBufferedBytes=4000)",
    );
    await until(() => server.buffered === 3000);
    // A whole frame over the budget is not dropped: its connection waits until it is processed.
    const reply = await mllpExchange(server.port, [framed(patientMessages(1).a04)], 1);
    expect(msa(reply.acks[0])).toEqual(["AA", id(1)]);
    slow.destroy();
    await slow.ended;
    await until(() => server.buffered === 0);
    await server.close();
    expect(await controlIds(store)).toEqual([id(1)]);
    await store.close();
  });
});

describe("turns between connections", () => {
  it("a frame of many messages goes in slices; another connection's frame is processed between them, the same connection's next frame after it", async () => {
    const { server, store } = await listener({ messagesPerTurn: 5 });
    let release: (() => void) | undefined;
    // Hold the lane until both connections' frames are waiting in it.
    const gate = server.between(() => new Promise<void>((r) => (release = r)));
    const a = await open(server.port);
    const b = await open(server.port);
    const acks = (s: Socket, n: number) =>
      new Promise<void>((resolve) => {
        let seen = 0;
        s.on("data", (d: Buffer) => {
          seen += d.filter((byte) => byte === 0x1c).length;
          if (seen >= n) resolve();
        });
      });
    const aDone = acks(a, 2);
    const bDone = acks(b, 1);
    a.write(encodeFrame(batch([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])));
    await until(() => server.waiting === 1);
    b.write(encodeFrame(batch([20])));
    await until(() => server.waiting === 2);
    a.write(encodeFrame(batch([13])));
    await until(() => server.waiting === 3);
    while (!release) await new Promise((r) => setImmediate(r));
    release();
    await Promise.all([gate, aDone, bDone]);
    a.destroy();
    b.destroy();
    await server.close();
    expect(await controlIds(store)).toEqual([
      ...[1, 2, 3, 4, 5].map(id),
      id(20),
      ...[6, 7, 8, 9, 10, 11, 12].map(id),
      id(13),
    ]);
    await store.close();
  });
});
