import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createMemoryStore } from "../../engine/store/memory.js";
import { openPostgresStore } from "../../engine/store/postgres.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { Store } from "../../engine/store/types.js";
import { claimContract } from "./claim-contract.js";
import { outcomeOf, RECEIVED, received } from "./contract.js";

/** The claim contract on the three stores, and two PostgreSQL claimers on one schema. */

const root = mkdtempSync(join(tmpdir(), "rulepack-claims-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let made = 0;
const sqliteFile = () => join(root, `claims-${++made}.sqlite`);
const postgresUrl = (schema = `claims_${process.pid}_${++made}`) => {
  const url = new URL(inject("pgUrl"));
  url.searchParams.set("schema", schema);
  return url.toString();
};

claimContract("memory", createMemoryStore);
claimContract("sqlite", () => openSqliteStore(sqliteFile()));
claimContract("postgres", () => openPostgresStore(postgresUrl()));

/** Claim and complete until nothing is claimable; returns the message IDs taken, in order. */
async function drain(store: Store, worker: string, completed: string[]): Promise<string[]> {
  const taken: string[] = [];
  for (;;) {
    const claimed = await store.claimNext({
      worker,
      now: "2026-01-01T12:00:00.000Z",
      leaseUntil: "2026-01-01T12:05:00.000Z",
    });
    if (!claimed) {
      // A lane may be closed by the other worker's message: done once nothing is NEW.
      if ((await store.messages({ state: "NEW" })).length === 0) return taken;
      await new Promise((r) => setTimeout(r, 5));
      continue;
    }
    taken.push(claimed.message.messageId);
    await store.complete(outcomeOf(claimed.message.messageId, []), RECEIVED);
    completed.push(claimed.message.messageId);
  }
}

describe("claims by two PostgreSQL stores on one schema (two processes)", () => {
  it("never take the same message, and keep each patient's order between them", async () => {
    const url = postgresUrl();
    const a = openPostgresStore(url);
    const b = openPostgresStore(url);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 60; i++) {
        ids.push(await a.receive(received({ controlId: `C${i}`, patientKey: `P${i % 6}` })));
      }
      const completed: string[] = [];
      const [byA, byB] = await Promise.all([drain(a, "a", completed), drain(b, "b", completed)]);
      expect([...byA, ...byB].sort()).toEqual([...ids].sort());
      expect(byA.filter((id) => byB.includes(id))).toEqual([]);
      // Each patient's messages were completed in receipt order.
      for (let p = 0; p < 6; p++) {
        const mine = ids.filter((_, i) => i % 6 === p);
        expect(completed.filter((id) => mine.includes(id))).toEqual(mine);
      }
      expect((await a.attempts(ids[0] as string)).length).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
