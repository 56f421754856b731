import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createMemoryStore } from "../../engine/store/memory.js";
import { openPostgresStore } from "../../engine/store/postgres.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { ReceivedMessage, Store } from "../../engine/store/types.js";
import { freshStores, outcomeOf, RECEIVED, received } from "./contract.js";

/**
 * The receiveMany half of the Store contract (engine/store/receive-many.ts,
 * decision 0039) on the three stores: several messages stored NEW in one
 * commit, each with its first attempt begun when the receipt asks.
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-receive-many-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let made = 0;
const sqliteFile = () => join(root, `receive-many-${++made}.sqlite`);
const postgresUrl = () => {
  const url = new URL(inject("pgUrl"));
  url.searchParams.set("schema", `receive_many_${process.pid}_${++made}`);
  return url.toString();
};

const T1 = "2026-01-01T12:00:01.000Z";

/** What `message` reports of the received message itself. */
const receivedPart = (m: ReceivedMessage | undefined) =>
  m && {
    controlId: m.controlId,
    messageType: m.messageType,
    direction: m.direction,
    sender: m.sender,
    receivedAt: m.receivedAt,
    raw: Buffer.from(m.raw).toString("latin1"),
  };

function receiveManyContract(name: string, make: () => Store): void {
  const fresh = freshStores(make);
  describe(`Store contract (receiveMany): ${name}`, () => {
    it("stores every message NEW, in order, with the IDs receive would have given", async () => {
      const store = fresh();
      const before = await store.receive(received({ controlId: "C0" }));
      const ids = await store.receiveMany([
        { message: received({ controlId: "C1" }) },
        { message: received({ controlId: "C2", messageType: "ADT^A08" }) },
      ]);
      const after = await store.receive(received({ controlId: "C3" }));
      expect([before, ...ids, after]).toEqual(["q-000001", "q-000002", "q-000003", "q-000004"]);
      const stored = await store.messages();
      expect(stored.map((m) => [m.messageId, m.controlId, m.state])).toEqual([
        ["q-000001", "C0", "NEW"],
        ["q-000002", "C1", "NEW"],
        ["q-000003", "C2", "NEW"],
        ["q-000004", "C3", "NEW"],
      ]);
      expect(receivedPart(stored[2])).toEqual(
        receivedPart(received({ controlId: "C2", messageType: "ADT^A08" })),
      );
    });

    it("with attemptAt: the first attempt begun in the same commit, as beginAttempt marks it", async () => {
      const store = fresh();
      const [marked, plain] = await store.receiveMany([
        { message: received({ controlId: "C1" }), attemptAt: T1 },
        { message: received({ controlId: "C2" }) },
      ]);
      expect((await store.message(marked ?? ""))?.unfinished).toEqual({
        count: 1,
        step: "decide",
        at: T1,
      });
      expect((await store.message(plain ?? ""))?.unfinished).toBeUndefined();
    });

    it("a marked message counts its later attempts on top, and completing it clears the count", async () => {
      const store = fresh();
      const [id = ""] = await store.receiveMany([
        { message: received({ controlId: "C1" }), attemptAt: T1 },
      ]);
      await store.beginAttempt(id, "2026-01-01T12:00:02.000Z");
      expect((await store.message(id))?.unfinished?.count).toBe(2);
      await store.complete(outcomeOf(id, []), RECEIVED);
      const done = await store.message(id);
      expect([done?.state, done?.unfinished]).toEqual(["PROCESSED", undefined]);
    });

    it("receive with attemptAt: the one message stored NEW with its first attempt begun", async () => {
      const store = fresh();
      const id = await store.receive(received({ controlId: "C1" }), { attemptAt: T1 });
      const stored = await store.message(id);
      expect([stored?.state, stored?.unfinished]).toEqual([
        "NEW",
        { count: 1, step: "decide", at: T1 },
      ]);
    });

    it("nothing to receive: no IDs, nothing stored", async () => {
      const store = fresh();
      expect(await store.receiveMany([])).toEqual([]);
      expect(await store.messages()).toEqual([]);
    });
  });
}

receiveManyContract("memory", createMemoryStore);
receiveManyContract("sqlite", () => openSqliteStore(sqliteFile()));
receiveManyContract("postgres", () => openPostgresStore(postgresUrl()));

describe.each([
  ["sqlite", () => openSqliteStore(sqliteFile())],
  ["postgres", () => openPostgresStore(postgresUrl())],
] as const)("receiveMany on %s: one transaction", (_name, make) => {
  const fresh = freshStores(make);
  it("a message the database refuses stores none of the receipts", async () => {
    const store = fresh();
    const refused = received({
      controlId: "C2",
      direction: "sideways" as ReceivedMessage["direction"],
    });
    await expect(
      store.receiveMany([
        { message: received({ controlId: "C1" }), attemptAt: T1 },
        { message: refused },
      ]),
    ).rejects.toThrow();
    expect(await store.messages()).toEqual([]);
  });
});
