import { describe, expect, inject, it } from "vitest";
import { formatPackError } from "../../engine/documents/errors.js";
import type { Outcome } from "../../engine/model/outcome.js";
import { loadMasterData } from "../../engine/pack/master-data-load.js";
import { createMemoryStore } from "../../engine/store/memory.js";
import { openPostgresStore } from "../../engine/store/postgres.js";
import type { OpenedView, Store } from "../../engine/store/types.js";
import { ViewMiss } from "../../engine/store/view-miss.js";
import {
  adt,
  dft,
  HARBOR_MASTER_DATA,
  harborStore,
  loadHarbor,
  receive,
  siu,
} from "../queue/harbor-queue.js";

/**
 * The PostgreSQL store's lazy view (docs/decisions/0022-postgres-view.md):
 * a decision reading something not fetched yet stops with ViewMiss, the
 * intake fills the reads and decides again, and the outcome is the one an
 * embedded store's live view gives.
 */

let made = 0;
/** A PostgreSQL store of its own database, with Harbor's master data. */
async function harborPostgres(): Promise<Store> {
  const url = new URL(inject("pgUrl"));
  url.searchParams.set("schema", `view_${process.pid}_${++made}`);
  const store = openPostgresStore(url.toString());
  const master = loadMasterData(HARBOR_MASTER_DATA);
  if (!master.ok) throw new Error(master.errors.map(formatPackError).join("\n"));
  await store.loadMasterData(master.data);
  return store;
}

/** The store, counting the fills its lazy views are asked for. */
function countingFills(store: Store): { store: Store; fills: () => number } {
  let fills = 0;
  const counted: Store = {
    ...store,
    async openView(options) {
      const opened: OpenedView = await store.openView(options);
      const { fill } = opened;
      if (fill === undefined) return opened;
      return {
        ...opened,
        fill: (reads) => {
          fills++;
          return fill(reads);
        },
      };
    },
  };
  return { store: counted, fills: () => fills };
}

/** What a decision concluded, without the store-independent noise. */
const decided = (o: Outcome) => ({ state: o.state, actions: o.actions, errors: o.errors });

const MESSAGES = [
  adt({ control: "A1" }),
  adt({ control: "A2", type: "A08", address: "1 Main St^^Salem^OR^97301" }),
  siu({ control: "S1", visit: "V1" }),
  siu({ control: "S2", visit: "V1", trigger: "S14" }),
  dft("D1", "V1"),
  adt({ control: "A3", mrn: "777", name: "Nguyen^Lin", dob: "19850312" }),
];

describe("openView({ lazy: true }) on PostgreSQL", () => {
  it("throws ViewMiss carrying the read it lacks; after fill it answers as the full view", async () => {
    const store = await harborPostgres();
    try {
      const pack = loadHarbor();
      await receive(pack, store, adt({ control: "A1" }));
      const opened = await store.openView({ lazy: true });
      let miss: unknown;
      try {
        opened.view.patientsByExternalId("mrn", "12345");
      } catch (e) {
        miss = e;
      }
      expect(miss).toBeInstanceOf(ViewMiss);
      expect((miss as ViewMiss).reads).toEqual([
        { kind: "patientsByExternalId", name: "mrn", key: "12345" },
      ]);
      await opened.fill?.((miss as ViewMiss).reads);
      const full = (await store.openView()).view;
      expect(opened.view.patientsByExternalId("mrn", "12345")).toEqual(
        full.patientsByExternalId("mrn", "12345"),
      );
      expect(opened.view.nextId("patient")).toBe(full.nextId("patient"));
    } finally {
      await store.close();
    }
  });

  it("decides every message as the memory store does, filling what each decision reads", async () => {
    const pack = loadHarbor();
    const memory = await harborStore(createMemoryStore());
    const postgres = await harborPostgres();
    try {
      const { store, fills } = countingFills(postgres);
      for (const [minute, text] of MESSAGES.entries()) {
        const expected = await receive(pack, memory, text, minute);
        const actual = await receive(pack, store, text, minute);
        expect(decided(actual)).toEqual(decided(expected));
      }
      expect(fills()).toBeGreaterThan(0);
      process.stderr.write(
        `postgres lazy view: ${fills()} fills over ${MESSAGES.length} messages\n`,
      );
    } finally {
      await postgres.close();
    }
  });
});
