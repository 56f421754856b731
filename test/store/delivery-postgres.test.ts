import { describe, expect, inject, it } from "vitest";
import { openPostgresStore } from "../../engine/store/postgres.js";
import type { Store } from "../../engine/store/types.js";
import { queueMessages } from "../delivery/harness.js";

/**
 * Two senders in two processes on one PostgreSQL database: the claim's
 * FOR UPDATE SKIP LOCKED hands each message to one of them only, and
 * per-patient order holds across both.
 */

describe("PostgreSQL delivery claims from two stores at once", () => {
  it("never claims one send twice; each patient's messages are claimed in queue order", async () => {
    const url = new URL(inject("pgUrl"));
    url.searchParams.set("schema", `delivery_two_${process.pid}`);
    const a = openPostgresStore(url.toString());
    const b = openPostgresStore(url.toString());
    try {
      const ids = await queueMessages(a, 4, 5);
      const claimedBy: string[] = [];
      const loop = async (store: Store, name: string) => {
        for (let idle = 0; idle < 20; ) {
          const now = new Date(Date.UTC(2026, 2, 1, 12)).toISOString();
          const claimed = await store.claimDelivery({
            receiver: "r",
            ordering: "patient",
            now,
            leaseUntil: "2026-03-01T13:00:00.000Z",
          });
          if (!claimed) {
            idle += 1;
            await new Promise((r) => setTimeout(r, 5));
            continue;
          }
          claimedBy.push(`${claimed.controlId}:${name}`);
          await store.finishDelivery(claimed.messageId, claimed.send, {
            kind: "acknowledged",
            at: now,
            ack: `MSA|AA|${claimed.controlId}`,
          });
        }
      };
      await Promise.all([loop(a, "a"), loop(b, "b"), loop(a, "a2"), loop(b, "b2")]);
      const controls = claimedBy.map((c) => c.split(":")[0]);
      expect(new Set(controls).size).toBe(ids.length);
      expect(controls.length).toBe(ids.length);
      for (const id of ids) {
        const events = await a.deliveryEvents(id);
        expect(events.filter((e) => e.kind === "sent")).toHaveLength(1);
        expect((await a.message(id))?.state).toBe("PROCESSED");
      }
      // Patient p's messages are HOR(p+1), HOR(p+5), ...: claimed in that order.
      for (let p = 0; p < 4; p++) {
        const mine = controls.filter((c) => (Number(c?.slice(3)) - 1) % 4 === p);
        expect(mine).toEqual([...mine].sort());
      }
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);
});
