import { describe, expect, inject, it } from "vitest";
import type { Patient } from "../../engine/model/records.js";
import { backfill } from "../../engine/outbound/backfill.js";
import { createMemoryStore } from "../../engine/store/memory.js";
import { openPostgresStore } from "../../engine/store/postgres.js";
import type { Store } from "../../engine/store/types.js";
import { apply, createPatient } from "../store/contract.js";
import { event, HARBOR, masterData, pack } from "./helpers.js";

/**
 * A backfill reads the store once per page, not once per record: every
 * event of a page is filtered and built on the view opened for the page
 * (on PostgreSQL a view reads the store). What it queues is covered by
 * backfill.test.ts, unchanged.
 */

const harbor = pack(HARBOR);

/** The store, counting the views opened and the pages read. */
function counting(store: Store): { store: Store; views: () => number; pages: () => number } {
  let views = 0;
  let pages = 0;
  return {
    store: {
      ...store,
      openView: (options) => {
        views += 1;
        return store.openView(options);
      },
      patientPage: (after, limit) => {
        pages += 1;
        return store.patientPage(after, limit);
      },
      appointmentPage: (after, limit) => {
        pages += 1;
        return store.appointmentPage(after, limit);
      },
    },
    views: () => views,
    pages: () => pages,
  };
}

let made = 0;
const STORES: readonly [string, () => Store][] = [
  ["memory", createMemoryStore],
  [
    "postgres",
    () => {
      const url = new URL(inject("pgUrl"));
      url.searchParams.set("schema", `backfill_views_${process.pid}_${++made}`);
      return openPostgresStore(url.toString());
    },
  ],
];

describe("backfill pageSize: one store view per page", () => {
  for (const [name, make] of STORES) {
    it(`five patients in pages of two: a view per page read, not per patient (${name})`, async () => {
      const store = make();
      try {
        await store.loadMasterData(masterData(HARBOR));
        for (let n = 1; n <= 5; n++) {
          const patient: Patient & { id: string } = {
            ...event("patient-add").patient,
            id: `100${n}`,
          };
          await apply(store, [createPatient(patient)]);
        }
        const c = counting(store);
        const report = await backfill(harbor, c.store, {
          now: new Date("2026-03-01T14:06:00Z"),
          pageSize: 2,
        });
        expect(report.patients.queued).toEqual({ "ADT^A28": 5 });
        expect(c.pages()).toBeGreaterThanOrEqual(4);
        expect(c.views()).toBe(c.pages());
      } finally {
        await store.close();
      }
    });
  }
});
