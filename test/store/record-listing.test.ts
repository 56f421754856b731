import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import type { AppointmentCreate, PatientCreate } from "../../engine/model/actions.js";
import type { Appointment, Patient } from "../../engine/model/records.js";
import { createMemoryStore } from "../../engine/store/memory.js";
import { openPostgresStore } from "../../engine/store/postgres.js";
import type { RecordPage } from "../../engine/store/record-listing.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { Store } from "../../engine/store/types.js";
import { ALICE, apply, createPatient } from "./contract.js";

/**
 * The RecordListing contract (engine/store/record-listing.ts) on the three
 * stores: every patient and appointment, whole, in creation order, a page
 * at a time, each page's `next` the cursor of the one after it.
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-record-listing-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let made = 0;

const patient = (id: string, lastName: string): PatientCreate["patient"] => ({
  ...ALICE,
  id,
  lastName,
  ssn: undefined,
});

const appointment = (
  id: string,
  patientId: string,
  start: string,
): Appointment & { id: string } => ({
  id,
  patientId,
  start,
  durationMinutes: 15,
  providerId: "101",
  departmentId: "1",
  type: "12",
  status: "f",
});

const createAppointment = (a: Appointment & { id: string }): AppointmentCreate => ({
  type: "appointment.create",
  appointment: a,
});

/** Every record, following `next` from 0 with pages of `limit`; also the page sizes. */
async function all<T>(
  page: (after: number, limit: number) => Promise<RecordPage<T>>,
  limit: number,
): Promise<{ records: T[]; sizes: number[] }> {
  const records: T[] = [];
  const sizes: number[] = [];
  let after: number | undefined = 0;
  while (after !== undefined) {
    const got: RecordPage<T> = await page(after, limit);
    records.push(...got.records);
    sizes.push(got.records.length);
    after = got.next;
  }
  return { records, sizes };
}

function recordListingContract(name: string, open: () => Store): void {
  describe(`RecordListing: ${name}`, () => {
    let store: Store;
    afterEach(async () => {
      await store?.close();
    });

    it("an empty store has one empty page and no next", async () => {
      store = open();
      expect(await store.patientPage(0, 10)).toEqual({ records: [] });
      expect(await store.appointmentPage(0, 10)).toEqual({ records: [] });
    });

    it("patients come whole, in the order they were created, pages of `limit` chained by next", async () => {
      store = open();
      for (const [id, last] of [
        ["1001", "Able"],
        ["1002", "Baker"],
        ["1003", "Carter"],
        ["1004", "Dunn"],
        ["1005", "Evans"],
      ] as const) {
        await apply(store, [createPatient(patient(id, last))]);
      }
      const first = await store.patientPage(0, 2);
      expect(first.records.map((p) => p.id)).toEqual(["1001", "1002"]);
      expect(first.next).toEqual(expect.any(Number));
      const { records, sizes } = await all((a, l) => store.patientPage(a, l), 2);
      expect(records.map((p) => p.id)).toEqual(["1001", "1002", "1003", "1004", "1005"]);
      expect(sizes).toEqual([2, 2, 1]);
      const view = (await store.openView()).view;
      expect(records).toEqual(records.map((p) => view.patientById(p.id as string) as Patient));
    });

    it("a page exactly full has a next, and the page after it is empty without one", async () => {
      store = open();
      await apply(store, [createPatient(patient("1001", "Able"))]);
      await apply(store, [createPatient(patient("1002", "Baker"))]);
      const { sizes } = await all((a, l) => store.patientPage(a, l), 2);
      expect(sizes).toEqual([2, 0]);
    });

    it("an updated patient keeps its place; one created after a page was read comes in a later page", async () => {
      store = open();
      await apply(store, [createPatient(patient("1001", "Able"))]);
      await apply(store, [createPatient(patient("1002", "Baker"))]);
      const first = await store.patientPage(0, 1);
      await apply(store, [
        { type: "patient.update", patientId: "1001", patient: { lastName: "Ableson" } },
      ]);
      await apply(store, [createPatient(patient("1003", "Carter"))]);
      const rest = await all((a, l) => store.patientPage(a, l), 1);
      expect(first.records.map((p) => p.lastName)).toEqual(["Able"]);
      expect(rest.records.map((p) => [p.id, p.lastName])).toEqual([
        ["1001", "Ableson"],
        ["1002", "Baker"],
        ["1003", "Carter"],
      ]);
      const after = await store.patientPage(first.next as number, 10);
      expect(after.records.map((p) => p.id)).toEqual(["1002", "1003"]);
    });

    it("appointments come whole in creation order, a cancelled one too (the caller decides)", async () => {
      store = open();
      await apply(store, [createPatient(patient("1001", "Able"))]);
      await apply(store, [
        createAppointment(appointment("1001", "1001", "2026-03-02T09:30:00-05:00")),
      ]);
      await apply(store, [
        createAppointment(appointment("1002", "1001", "2026-03-01T08:00:00-05:00")),
      ]);
      await apply(store, [
        createAppointment(appointment("1003", "1001", "2026-04-01T08:00:00-05:00")),
      ]);
      await apply(store, [
        {
          type: "appointment.cancel",
          appointmentId: "1002",
          appointment: { status: "x", cancelReason: "PATIENT" },
        },
      ]);
      const { records, sizes } = await all((a, l) => store.appointmentPage(a, l), 2);
      expect(records.map((a) => [a.id, a.status])).toEqual([
        ["1001", "f"],
        ["1002", "x"],
        ["1003", "f"],
      ]);
      expect(sizes).toEqual([2, 1]);
      expect(records[0]).toEqual(appointment("1001", "1001", "2026-03-02T09:30:00-05:00"));
    });
  });
}

recordListingContract("memory", createMemoryStore);
recordListingContract("sqlite", () => openSqliteStore(join(root, `listing-${++made}.sqlite`)));
recordListingContract("postgres", () => {
  const url = new URL(inject("pgUrl"));
  url.searchParams.set("schema", `listing_${process.pid}_${++made}`);
  return openPostgresStore(url.toString());
});
