import { afterEach, describe, expect, inject, it } from "vitest";
import { blockingKeysFor, DEFAULT_DEMOGRAPHICS } from "../../engine/matching/index.js";
import type { PatientCreate } from "../../engine/model/actions.js";
import type { Patient } from "../../engine/model/records.js";
import { createMemoryStore } from "../../engine/store/memory.js";
import { openPostgresStore } from "../../engine/store/postgres.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { Store } from "../../engine/store/types.js";
import { ViewMiss } from "../../engine/store/view-miss.js";
import { apply, createPatient } from "../store/contract.js";

/**
 * The street passes (docs/decisions/0043-location-fields-street-blocks-and-household-evidence.md)
 * go through every store's blocking index: a record whose surname, first
 * name (but its initial), date of birth, SSN and phone were mistyped finds
 * the stored patient of its street.
 */

let made = 0;
const STORES: Record<string, () => Store> = {
  memory: () => createMemoryStore(),
  sqlite: () => openSqliteStore(":memory:"),
  postgres: () => {
    const url = new URL(inject("pgUrl"));
    url.searchParams.set("schema", `street_${process.pid}_${++made}`);
    return openPostgresStore(url.toString());
  },
};

const STORED: PatientCreate["patient"] = {
  id: "3001",
  firstName: "Madelyn",
  lastName: "Gilbey",
  dob: "1970-12-04",
  ssn: "4470530",
  address: { line1: "175 chuculba crescent", city: "arundel", zip: "2852" },
  phones: { home: "03 00651776" },
};

const TYPED: Patient = {
  firstName: "Madootn",
  lastName: "Jilbey",
  dob: "1970-21-04",
  ssn: "4475930",
  address: { line1: "106 chuculbcrescent", city: "arundell", zip: "2852" },
  phones: { home: "03 00615776" },
};

for (const [name, make] of Object.entries(STORES)) {
  describe(`street passes through the blocking index: ${name}`, () => {
    const open: Store[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });
    it("finds the stored patient of the street by the default passes, and by no other key", async () => {
      const store = make();
      open.push(store);
      await apply(store, [createPatient(STORED)]);
      const keys = blockingKeysFor(DEFAULT_DEMOGRAPHICS, TYPED);
      const street = (keys.passes ?? []).filter((k) => k.includes("streetSoundex"));
      const others = (keys.passes ?? []).filter((k) => !k.includes("streetSoundex"));
      const opened = await store.openView();
      expect(opened.view.patientCandidates({ passes: others })).toEqual([]);
      let found: readonly Patient[];
      try {
        found = opened.view.patientCandidates({ passes: street });
      } catch (e) {
        if (!(e instanceof ViewMiss) || opened.fill === undefined) throw e;
        await opened.fill(e.reads);
        found = opened.view.patientCandidates({ passes: street });
      }
      expect(found.map((p) => p.id)).toEqual(["3001"]);
    });
  });
}
