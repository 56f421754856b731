import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { Outcome } from "../../engine/model/outcome.js";
import { createMemoryStore } from "../../engine/store/memory.js";
import { openPostgresStore } from "../../engine/store/postgres.js";
import type { PageQuery } from "../../engine/store/queue-page.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { Store } from "../../engine/store/types.js";

/**
 * `messagePage` (engine/store/queue-page.ts), the same on every store: the
 * messages of a filter, newest or oldest first, a page of them and the
 * count of all; received before, the sender's patient identifier and the
 * sender beside MessageFilter's conditions.
 */

const dir = mkdtempSync(join(tmpdir(), "rulepack-queue-page-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STORES: readonly [string, () => Store][] = [
  ["memory", () => createMemoryStore()],
  ["SQLite", () => openSqliteStore(join(dir, `page-${Math.random()}.sqlite`))],
  [
    "PostgreSQL",
    () => {
      const url = new URL(inject("pgUrl"));
      url.searchParams.set(
        "schema",
        `queue_page_${process.pid}_${Math.floor(Math.random() * 1e9)}`,
      );
      return openPostgresStore(url.toString());
    },
  ],
];

/** Ten messages: every third in ERROR with UNMAPPED_CODE; two senders; received a minute apart. */
async function fill(store: Store): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) {
    const controlId = `C${i}`;
    const receivedAt = new Date(Date.UTC(2026, 2, 10, 12, i)).toISOString();
    const app = i % 2 === 0 ? "ORTHOCHART" : "LABS";
    ids.push(
      await store.record(
        {
          raw: new TextEncoder().encode(
            `MSH|^~\\&|${app}|HARBOR|||20260310||ADT^A04|${controlId}|P|2.5.1\r`,
          ),
          receivedAt,
          sender: i < 5 ? "mllp:127.0.0.1:5000" : "upload:amy:a.hl7",
          controlId,
          messageType: i % 4 === 0 ? "SIU^S12" : "ADT^A04",
          direction: "inbound",
          sendingApplication: app,
          sendingFacility: "HARBOR",
          patientKey: `${100 + (i % 3)}^^^OC`,
        },
        (messageId): Outcome => ({
          messageId,
          controlId,
          messageType: "ADT^A04",
          state: i % 3 === 0 ? "ERROR" : "PROCESSED",
          actions: [],
          errors:
            i % 3 === 0
              ? [
                  {
                    code: "UNMAPPED_CODE",
                    severity: "error",
                    message: "x",
                    table: "provider",
                    value: `P${i % 2}`,
                  },
                ]
              : [],
          review: [],
          trace: [],
        }),
        { kind: "receive", now: receivedAt },
      ),
    );
  }
  return ids;
}

const page = (q: Partial<PageQuery>): PageQuery => ({
  filter: {},
  newestFirst: true,
  limit: 50,
  offset: 0,
  ...q,
});

for (const [name, open] of STORES) {
  describe(`messagePage on ${name}`, () => {
    it("pages newest or oldest first and counts every match", async () => {
      const store = open();
      try {
        const ids = await fill(store);
        const controls = async (q: Partial<PageQuery>) => {
          const r = await store.messagePage(page(q));
          return [r.total, r.messages.map((m) => m.controlId)];
        };
        expect(await controls({ limit: 3 })).toEqual([10, ["C9", "C8", "C7"]]);
        expect(await controls({ limit: 3, offset: 3 })).toEqual([10, ["C6", "C5", "C4"]]);
        expect(await controls({ newestFirst: false, limit: 4, offset: 8 })).toEqual([
          10,
          ["C8", "C9"],
        ]);
        expect(await controls({ filter: { state: "ERROR" } })).toEqual([
          4,
          ["C9", "C6", "C3", "C0"],
        ]);
        expect(await controls({ filter: { code: "UNMAPPED_CODE", value: "P1" } })).toEqual([
          2,
          ["C9", "C3"],
        ]);
        expect(await controls({ filter: { type: "SIU" } })).toEqual([3, ["C8", "C4", "C0"]]);
        expect(await controls({ before: "2026-03-10T12:02:00.000Z" })).toEqual([2, ["C1", "C0"]]);
        expect(await controls({ patient: "101" })).toEqual([3, ["C7", "C4", "C1"]]);
        expect(await controls({ patient: "101^^^OC" })).toEqual([3, ["C7", "C4", "C1"]]);
        expect(await controls({ patient: "10" })).toEqual([0, []]);
        expect(await controls({ sender: "labs" })).toEqual([5, ["C9", "C7", "C5", "C3", "C1"]]);
        expect(await controls({ sender: "ORTHOCHART^HARBOR", limit: 2 })).toEqual([
          5,
          ["C8", "C6"],
        ]);
        expect(await controls({ sender: "upload:", filter: { state: "ERROR" } })).toEqual([
          2,
          ["C9", "C6"],
        ]);
        const first = (await store.messagePage(page({ limit: 1 }))).messages[0];
        expect(first?.messageId).toBe(ids[9]);
        expect(first?.outcome?.state).toBe("ERROR");
      } finally {
        await store.close();
      }
    });
  });
}
