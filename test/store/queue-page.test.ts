import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { Outcome } from "../../engine/model/outcome.js";
import { createMemoryStore } from "../../engine/store/memory.js";
import { MESSAGE_COUNTS_SQL } from "../../engine/store/message-counts.js";
import { openPostgresStore } from "../../engine/store/postgres.js";
import type { PageQuery } from "../../engine/store/queue-page.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import { errorCodeCondition } from "../../engine/store/sqlite-message-errors.js";
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

    describe("the error-code filter", () => {
      it("matches a code alone or CODE:VALUE, of any severity, and follows a new outcome and a prune", async () => {
        const store = open();
        try {
          const ids = await fill(store);
          const controls = async (code: string, value?: string) => {
            const r = await store.messagePage(
              page({ filter: { code, ...(value !== undefined && { value }) } }),
            );
            return [r.total, r.messages.map((m) => m.controlId)];
          };
          expect(await controls("UNMAPPED_CODE")).toEqual([4, ["C9", "C6", "C3", "C0"]]);
          expect(await controls("UNMAPPED_CODE", "P0")).toEqual([2, ["C6", "C0"]]);
          expect(await controls("UNMAPPED_CODE", "P9")).toEqual([0, []]);
          expect(await controls("UNKNOWN_PROVIDER")).toEqual([0, []]);
          // C3 reprocessed: its old error is gone, a warning and another error are its own.
          await store.complete(
            {
              messageId: ids[3] as string,
              controlId: "C3",
              messageType: "ADT^A04",
              state: "ERROR",
              actions: [],
              errors: [
                { code: "UNKNOWN_DEPARTMENT", severity: "error", message: "x", value: "D1" },
                { code: "DATA_NOT_READ", severity: "warning", message: "x" },
              ],
              review: [],
              trace: [],
            },
            { kind: "reprocess", now: "2026-03-11T00:00:00.000Z" },
          );
          expect(await controls("UNMAPPED_CODE")).toEqual([3, ["C9", "C6", "C0"]]);
          expect(await controls("UNKNOWN_DEPARTMENT", "D1")).toEqual([1, ["C3"]]);
          expect(await controls("DATA_NOT_READ")).toEqual([1, ["C3"]]);
          expect(
            (await store.messages({ code: "UNMAPPED_CODE", value: "P1" })).map((m) => m.controlId),
          ).toEqual(["C9"]);
          await store.setState(ids[0] as string, "DELETED", {
            kind: "delete",
            now: "2026-03-11T00:00:00.000Z",
          });
          expect(await controls("UNMAPPED_CODE")).toEqual([3, ["C9", "C6", "C0"]]);
          expect(await store.prune({ DELETED: "2026-03-12T00:00:00.000Z" })).toBe(1);
          expect(await controls("UNMAPPED_CODE")).toEqual([2, ["C9", "C6"]]);
        } finally {
          await store.close();
        }
      });
    });

    describe("messageCounts", () => {
      it("counts the messages per state, direction and type", async () => {
        const store = open();
        try {
          await fill(store);
          const counts = [...(await store.messageCounts())].sort(
            (a, b) => a.state.localeCompare(b.state) || a.messageType.localeCompare(b.messageType),
          );
          expect(counts).toEqual([
            { state: "ERROR", direction: "inbound", messageType: "ADT^A04", n: 3 },
            { state: "ERROR", direction: "inbound", messageType: "SIU^S12", n: 1 },
            { state: "PROCESSED", direction: "inbound", messageType: "ADT^A04", n: 4 },
            { state: "PROCESSED", direction: "inbound", messageType: "SIU^S12", n: 2 },
          ]);
        } finally {
          await store.close();
        }
      });
    });
  });
}

describe("SQLite migration 14", () => {
  it("the counts and the error-code filter read indexes, not the messages", async () => {
    const file = join(dir, "plans.sqlite");
    await openSqliteStore(file).close();
    const db = new Database(file);
    try {
      const plan = (sql: string) =>
        (
          db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ code: "X", value: "Y" }) as {
            detail: string;
          }[]
        )
          .map((r) => r.detail)
          .join("; ");
      expect(plan(MESSAGE_COUNTS_SQL)).toBe(
        "SCAN messages USING COVERING INDEX messages_by_state_type",
      );
      expect(plan(`SELECT count(*) FROM messages WHERE ${errorCodeCondition(true)}`)).toContain(
        "SEARCH message_errors USING COVERING INDEX message_errors_by_code (code=? AND value=?)",
      );
      expect(plan(`SELECT count(*) FROM messages WHERE ${errorCodeCondition(false)}`)).toContain(
        "SEARCH message_errors USING COVERING INDEX message_errors_by_code (code=?)",
      );
    } finally {
      db.close();
    }
  });

  it("fills the error codes of the messages already in the file", async () => {
    const file = join(dir, "migration-14.sqlite");
    const before = openSqliteStore(file);
    await fill(before);
    await before.close();
    // The file as version 13 left it: no message_errors, no triggers, no new indexes.
    const db = new Database(file);
    db.exec(`
      DROP TRIGGER message_errors_on_insert;
      DROP TRIGGER message_errors_on_outcome;
      DROP TRIGGER message_errors_on_delete;
      DROP TABLE message_errors;
      DROP INDEX messages_by_state_type;
      DROP INDEX messages_inbound_by_sender;
      UPDATE schema_version SET version = 13;
    `);
    db.close();
    const after = openSqliteStore(file);
    try {
      const found = await after.messagePage(
        page({ filter: { code: "UNMAPPED_CODE", value: "P1" } }),
      );
      expect([found.total, found.messages.map((m) => m.controlId)]).toEqual([2, ["C9", "C3"]]);
    } finally {
      await after.close();
    }
  });
});
