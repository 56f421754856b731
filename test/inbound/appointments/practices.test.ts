import { describe, expect, it } from "vitest";
import { formatPackError } from "../../../engine/documents/errors.js";
import type { CompiledPack } from "../../../engine/pack/compiled.js";
import { loadPack } from "../../../engine/pack/load.js";
import { loadMasterData } from "../../../engine/pack/master-data-load.js";
import { receiveBytes } from "../../../engine/queue/intake.js";
import { createMemoryStore } from "../../../engine/store/memory.js";
import type { LocalStore as Store } from "../../../engine/store/types.js";
import { segment } from "./helpers.js";

/**
 * The two example practices take opposite sides of each appointment choice:
 * Table 15 (practice ID vs external ID), leading zeros (keep vs strip),
 * reschedule (update vs cancel-and-create), the type field (SCH.8 vs SCH.7),
 * the department component (PV1.3.4 vs PV1.3.1), the patient strategy
 * (PID.2 vs MRN), the no-show (not enabled vs a cancel with a reason).
 */

function practice(name: string): { pack: CompiledPack; store: () => Promise<Store> } {
  const load = loadPack(`rules/practices/${name}/pack.yaml`);
  if (!load.ok) throw new Error(load.errors.map(formatPackError).join("\n"));
  const master = loadMasterData(`rules/practices/${name}/master-data.yaml`);
  if (!master.ok) throw new Error(master.errors.map(formatPackError).join("\n"));
  return {
    pack: load.pack,
    store: async () => {
      const store = createMemoryStore();
      await store.loadMasterData(master.data);
      return store;
    },
  };
}

const harbor = practice("harbor-ortho");
const lakeside = practice("lakeside-family");
const NOW = new Date("2026-03-10T15:00:00Z");

async function send(p: { pack: CompiledPack }, store: Store, lines: string[]) {
  const [outcome] = await receiveBytes(p.pack, store, new TextEncoder().encode(lines.join("\r")), {
    now: NOW,
    sender: "test",
  });
  if (!outcome) throw new Error("no outcome");
  return outcome;
}

const msh = (type: string, id: string) =>
  `MSH|^~\\&|EHR|CLINIC|PM|PRACTICE|20260310100000||${type}|${id}|P|2.5.1`;

describe("the example practices, side by side", () => {
  it("their compiled appointment options differ where this page says", async () => {
    const h = harbor.pack;
    const l = lakeside.pack;
    expect(h.appointments.matching.by).toBe("externalId");
    expect(l.appointments.matching).toMatchObject({ by: "practiceId", from: { source: "SCH.2" } });
    expect(
      h.externalIds.appointment.map((i) => [
        i.name,
        i.from.source,
        i.leadingZeros,
        i.useForMatching,
      ]),
    ).toEqual([["orthochartVisit", "SCH.1", "strip", true]]);
    expect(
      l.externalIds.appointment.map((i) => [
        i.name,
        i.from.source,
        i.leadingZeros,
        i.useForMatching,
      ]),
    ).toEqual([["prairieAppointment", "SCH.1", "keep", false]]);
    expect([h.appointments.reschedule, l.appointments.reschedule]).toEqual([
      "cancelAndCreate",
      "update",
    ]);
    const from = (p: CompiledPack, field: string) =>
      p.fields.find((r) => r.field === field && !r.when)?.from?.source;
    expect([from(h, "appointment.type"), from(l, "appointment.type")]).toEqual(["SCH.7", "SCH.8"]);
    expect([from(h, "appointment.departmentId"), from(l, "appointment.departmentId")]).toEqual([
      "PV1.3.1",
      "PV1.3.4",
    ]);
    expect([h.matching.order.appointment, l.matching.order.appointment]).toEqual([
      ["appointment", "externalId"],
      ["appointment", "patientId"],
    ]);
    expect([h.appointments.noShow, l.appointments.noShow]).toEqual([
      { status: "x", cancelReason: "NOSHOW" },
      { status: "x" },
    ]);
    expect(l.enabled.inbound.appointmentCancel).toEqual(["SIU^S15", "SIU^S17"]);
  });

  it("harbor-ortho: OrthoChart visit 00042 scheduled, checked in under 42, rescheduled by cancel-and-create, no-show cancelled with NOSHOW", async () => {
    const store = await harbor.store();
    const adt = await send(harbor, store, [
      msh("ADT^A04", "A1"),
      segment("PID", { 1: "1", 3: "00009001^^^OC^MR", 5: "DOE^JANE", 7: "19800214", 8: "F" }),
      segment("PV1", { 2: "O", 3: "055", 7: "HHR" }),
      // Harbor receives insurance whenPresent: without a policy no appointment is booked (NO_INSURANCE).
      "IN1|1|HMP-100||Harbor Mutual PPO|100 Main St|||||||||||DOE^JANE|SEL|19800214||||||||||||||||||POL-1",
    ]);
    expect(adt.state).toBe("PROCESSED");
    const siu = (
      trigger: string,
      id: string,
      sch: Record<number, string>,
      tq1 = "202603110900",
    ) => [
      msh(`SIU^${trigger}^SIU_S12`, id),
      segment("SCH", { 1: "00042", 7: "OV15^Office visit", 8: "Normal", ...sch }),
      segment("TQ1", { 7: tq1 }),
      segment("PID", { 1: "1", 3: "9001^^^OC^MR" }),
      segment("PV1", { 2: "O", 3: "055", 7: "HHR" }),
    ];
    const s12 = await send(harbor, store, siu("S12", "S1", { 25: "Booked" }));
    expect(s12.actions).toEqual([
      {
        type: "appointment.create",
        appointment: {
          id: "1001",
          patientId: "1001",
          start: "2026-03-11T09:00:00-04:00",
          providerId: "101",
          departmentId: "1",
          type: "12",
          externalIds: { orthochartVisit: "00042" },
          primaryPolicy: expect.objectContaining({ sequence: 1, packageId: "4471" }),
          status: "f",
        },
      },
      {
        type: "externalId.set",
        record: "appointment",
        recordId: "1001",
        name: "orthochartVisit",
        value: "00042",
        key: "42",
      },
    ]);
    const s14 = await send(harbor, store, siu("S14", "S2", { 1: "42", 25: "Arrived" }));
    expect(s14.actions.map((a) => a.type)).toEqual(["appointment.checkIn"]);
    const s13 = await send(harbor, store, siu("S13", "S3", { 1: "42" }, "202603121000"));
    expect(s13.actions.map((a) => a.type)).toEqual(["appointment.cancel", "appointment.create"]);
    expect(store.appointmentById("1001")?.status).toBe("x");
    expect(store.appointmentById("1002")).toMatchObject({
      start: "2026-03-12T10:00:00-04:00",
      externalIds: { orthochartVisit: "42" }, // as the S13 sent it
      status: "f",
    });
    const s26 = await send(harbor, store, siu("S26", "S4", { 1: "0042" }));
    expect(s26.actions).toEqual([
      {
        type: "appointment.cancel",
        appointmentId: "1002",
        appointment: { status: "x", cancelReason: "NOSHOW" },
      },
    ]);
  });

  it("lakeside-family: practice appointment 1001 in SCH.2 rescheduled in place; an S26 no-show goes to ERROR", async () => {
    const store = await lakeside.store();
    const adt = await send(lakeside, store, [
      msh("ADT^A04", "A1"),
      segment("PID", {
        1: "1",
        3: "P-77^^^PR^MR",
        5: "DOE^JANE",
        7: "19800214",
        8: "F",
        19: "123-45-6789",
      }),
      segment("PV1", { 2: "O", 3: "^^^1", 7: "9941339100" }),
    ]);
    expect(adt.state).toBe("PROCESSED");
    const siu = (
      trigger: string,
      id: string,
      sch: Record<number, string>,
      tq1 = "202603110900",
    ) => [
      msh(`SIU^${trigger}^SIU_S12`, id),
      segment("SCH", { 1: "PR-5", 8: "21", ...sch }),
      segment("TQ1", { 7: tq1 }),
      segment("PID", { 1: "1", 2: "1001" }),
      segment("PV1", { 2: "O", 3: "^^^1", 7: "9941339100" }),
    ];
    const s12 = await send(lakeside, store, siu("S12", "S1", {}, "202603100800"));
    expect(s12.actions).toEqual([
      {
        type: "appointment.create",
        appointment: {
          id: "1001",
          patientId: "1001",
          start: "2026-03-10T08:00:00-05:00",
          providerId: "1",
          departmentId: "1",
          type: "21",
          externalIds: { prairieAppointment: "PR-5" },
          status: "2",
        },
      },
    ]);
    expect((await store.appointmentsMissingSlips()).map((a) => a.id)).toEqual(["1001"]);
    const s13 = await send(lakeside, store, siu("S13", "S2", { 2: "1001" }, "202603100930"));
    expect(s13.actions).toEqual([
      {
        type: "appointment.update",
        appointmentId: "1001",
        appointment: {
          start: "2026-03-10T09:30:00-05:00",
          providerId: "1",
          departmentId: "1",
          type: "21",
        },
      },
    ]);
    const s26 = await send(lakeside, store, siu("S26", "S3", { 2: "1001" }));
    expect(s26.errors.map((e) => e.code)).toEqual(["EVENT_NOT_ENABLED"]);
    expect(store.appointmentById("1001")?.status).toBe("2");
  });
});
