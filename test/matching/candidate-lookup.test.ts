import { afterEach, describe, expect, inject, it } from "vitest";
import { MAX_BLOCK_SIZE } from "../../engine/matching/blocking.js";
import type { PatientCreate } from "../../engine/model/actions.js";
import type { Patient } from "../../engine/model/records.js";
import { createMemoryStore } from "../../engine/store/memory.js";
import { openPostgresStore } from "../../engine/store/postgres.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { BlockingKeys, Store } from "../../engine/store/types.js";
import { ViewMiss } from "../../engine/store/view-miss.js";
import { apply, createPatient } from "../store/contract.js";

/**
 * Candidate lookup on every store (docs/decisions/0028-capped-blocks-and-practice-weights.md):
 * one statement per lookup, and a pass key more than MAX_BLOCK_SIZE
 * patients share is skipped, the sender's patient ID never.
 */

let made = 0;
const STORES: Record<string, () => Store> = {
  memory: () => createMemoryStore(),
  sqlite: () => openSqliteStore(":memory:"),
  postgres: () => {
    const url = new URL(inject("pgUrl"));
    url.searchParams.set("schema", `lookup_${process.pid}_${++made}`);
    return openPostgresStore(url.toString());
  },
};

/** Patients 2001.. sharing a date of birth and ZIP; the first also has its own SSN. */
function crowd(count: number, dob: string): PatientCreate["patient"][] {
  return Array.from({ length: count }, (_, i) => ({
    id: String(2001 + i),
    lastName: `Name${i}`,
    dob,
    address: { zip: "12345" },
    senderPatientId: "MRN-SHARED",
    ...(i === 0 && { ssn: "123-45-6789" }),
  }));
}

/** The IDs the store's view finds, through the lazy view too (filling its misses). */
async function idsFound(store: Store, block: BlockingKeys, lazy: boolean): Promise<string[]> {
  const opened = await store.openView(lazy ? { lazy: true } : undefined);
  try {
    return opened.view.patientCandidates(block).map((p: Patient) => p.id as string);
  } catch (e) {
    if (!(e instanceof ViewMiss) || opened.fill === undefined) throw e;
    await opened.fill(e.reads);
    return opened.view.patientCandidates(block).map((p: Patient) => p.id as string);
  }
}

function tracked(make: () => Store) {
  const open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  return () => {
    const store = make();
    open.push(store);
    return store;
  };
}

for (const [name, make] of Object.entries(STORES)) {
  describe(`patientCandidates caps crowded keys: ${name}`, () => {
    const fresh = tracked(make);

    it(`finds every patient of a key ${MAX_BLOCK_SIZE} patients share`, async () => {
      const store = fresh();
      await apply(store, crowd(MAX_BLOCK_SIZE, "1980-02-14").map(createPatient));
      const found = await idsFound(store, { passes: ["dob:19800214"] }, false);
      expect(found).toHaveLength(MAX_BLOCK_SIZE);
      expect(found[0]).toBe("2001");
    });

    // PostgreSQL fills slowly (a statement per key): one store for every assertion, both views.
    it(`skips a pass key ${MAX_BLOCK_SIZE + 1} patients share, keeps the other keys, never skips the sender's patient ID`, async () => {
      const store = fresh();
      await apply(store, crowd(MAX_BLOCK_SIZE + 1, "1980-02-14").map(createPatient));
      for (const lazy of name === "postgres" ? [false, true] : [false]) {
        expect(await idsFound(store, { passes: ["dob:19800214"] }, lazy)).toEqual([]);
        expect(await idsFound(store, { passes: ["dob:19800214", "ssn:123456789"] }, lazy)).toEqual([
          "2001",
        ]);
        const holders = await idsFound(store, { senderId: "MRN-SHARED" }, lazy);
        expect(holders).toHaveLength(MAX_BLOCK_SIZE + 1);
      }
    });
  });
}
