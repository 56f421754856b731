import { beforeAll, describe, expect, it } from "vitest";
import { formatPackError } from "../../../engine/documents/errors.js";
import type { CompiledPack } from "../../../engine/pack/compiled.js";
import { loadPack } from "../../../engine/pack/load.js";
import { loadMasterData } from "../../../engine/pack/master-data-load.js";
import { createMemoryStore } from "../../../engine/store/memory.js";
import type { LocalStore as Store } from "../../../engine/store/types.js";
import { decide, dft, errorsOf, seed } from "./helpers.js";

/**
 * The example practices' charge choices at work, each with its own master
 * data and mapping tables (rules/practices/<name>/, mappings/<name>/).
 * Harbor: its OrthoChart visit ID, else a free-standing claim with FT1.21
 * supervising; modifiers keep RT and LT apart; too many diagnoses are
 * truncated. Lakeside: the practice appointment ID in PV1.19, else ERROR;
 * insurance from the appointment, providers by NPI from the DFT, the
 * supervisor from the provider table; too many diagnoses are CBOERROR.
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

const POLICY = { sequence: 1, packageId: "4471", policyNumber: "HMP-1" };
const APPOINTMENT_POLICY = { sequence: 1, packageId: "00312", policyNumber: "BCC-7" };
const codes = (n: number) => Array.from({ length: n }, (_, i) => `M${String(i + 10)}`);

describe("harbor-ortho: Table 17 by the OrthoChart visit ID, free-standing claims otherwise", () => {
  let harbor: ReturnType<typeof practice>;
  let store: Store;
  beforeAll(async () => {
    harbor = practice("harbor-ortho");
  });
  const PID = { 1: "1", 3: "00012345^^^OC^MR", 5: "Doe^Jane", 7: "19800214", 8: "F" };
  const setup = async () => {
    store = await harbor.store();
    await seed(store, [
      {
        type: "patient.create",
        patient: { id: "1001", lastName: "Doe", firstName: "Jane", dob: "1980-02-14", sex: "F" },
      },
      {
        type: "externalId.set",
        record: "patient",
        recordId: "1001",
        name: "orthochartMrn",
        value: "00012345",
        key: "12345",
      },
      { type: "insurance.add", patientId: "1001", policy: POLICY },
      {
        type: "appointment.create",
        appointment: {
          id: "1001",
          patientId: "1001",
          externalIds: { orthochartVisit: "331839401" },
          start: "2026-01-14T09:30:00-05:00",
          providerId: "104",
          departmentId: "2",
          type: "12",
          status: "3",
          primaryPolicy: APPOINTMENT_POLICY,
        },
      },
    ]);
    return store;
  };
  // OrthoChart codes: provider 97 -> 104 (supervised by 102), HHR -> 101, 1 -> 102; location MED -> 1.
  const LINE = { 4: "20260115", 13: "MED", 16: "", 19: "M17.11", 20: "97", 21: "HHR", 25: "73630" };

  it("the visit ID in PV1.19 (padded) matches: all from the appointment, supervisor from the provider table, status 3 -> 4", async () => {
    const outcome = await decide(
      harbor.pack,
      await setup(),
      dft({ pid: PID, pv1: { 19: "00331839401" }, lines: [LINE] }),
    );
    expect(errorsOf(outcome)).toEqual([]);
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: {
          id: "1001",
          status: "unbilled",
          patientId: "1001",
          appointmentId: "1001",
          serviceDate: "2026-01-14",
          renderingProviderId: "104",
          supervisingProviderId: "102",
          departmentId: "2",
          primaryPolicy: APPOINTMENT_POLICY,
          diagnoses: ["M17.11"],
          lines: [{ procedure: "73630", modifiers: [], units: 1, diagnosisPointers: [1] }],
        },
      },
      { type: "appointment.update", appointmentId: "1001", appointment: { status: "4" } },
    ]);
  });

  it("surgery without an appointment: a free-standing claim from the DFT, FT1.20 rendering and FT1.21 supervising, mapped; the patient's policy", async () => {
    const outcome = await decide(harbor.pack, await setup(), dft({ pid: PID, lines: [LINE] }));
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: {
          id: "1001",
          status: "unbilled",
          patientId: "1001",
          serviceDate: "2026-01-15",
          renderingProviderId: "104",
          supervisingProviderId: "101",
          departmentId: "1",
          primaryPolicy: POLICY,
          diagnoses: ["M17.11"],
          lines: [{ procedure: "73630", modifiers: [], units: 1, diagnosisPointers: [1] }],
        },
      },
    ]);
  });

  it("RT and LT x-rays of one day stay two lines (combining by modifiers); 17 codes are truncated to 16", async () => {
    const seventeen = codes(17);
    const outcome = await decide(
      harbor.pack,
      await setup(),
      dft({
        pid: PID,
        lines: [
          { ...LINE, 26: "RT", 19: seventeen.join("~") },
          { ...LINE, 26: "LT" },
        ],
      }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(errorsOf(outcome)).toEqual([
      { code: "DIAGNOSES_TRUNCATED", severity: "warning", field: "FT1.19", value: "M26" },
    ]);
    const create = outcome.actions[0];
    expect(create?.type === "claim.create" && create.claim.lines).toEqual([
      { procedure: "73630", modifiers: ["RT"], units: 1, diagnosisPointers: [1, 2, 3, 4] },
      { procedure: "73630", modifiers: ["LT"], units: 1, diagnosisPointers: [17] },
    ]);
    expect(create?.type === "claim.create" && create.claim.diagnoses).toEqual([
      ...seventeen.slice(0, 16),
      "M17.11",
    ]);
  });

  it("a code OrthoChart has no row for stays UNMAPPED_CODE (ERROR); a procedure Harbor does not bill is UNKNOWN_PROCEDURE (CBOERROR)", async () => {
    const unmapped = await decide(
      harbor.pack,
      await setup(),
      dft({ pid: PID, lines: [{ ...LINE, 20: "ZZ9" }] }),
    );
    expect(unmapped.state).toBe("ERROR");
    expect(errorsOf(unmapped)).toEqual([
      {
        code: "UNMAPPED_CODE",
        severity: "error",
        field: "FT1.20",
        table: "provider",
        value: "ZZ9",
      },
    ]);
    const unbilled = await decide(
      harbor.pack,
      await setup(),
      dft({ pid: PID, lines: [{ ...LINE, 25: "71045" }] }),
    );
    expect(unbilled.state).toBe("CBOERROR");
    expect(errorsOf(unbilled)).toEqual([
      { code: "UNKNOWN_PROCEDURE", severity: "error", field: "FT1.25", value: "71045" },
    ]);
  });
});

describe("lakeside-family: Table 17 by the practice appointment ID in PV1.19, unmatched error", () => {
  let lakeside: ReturnType<typeof practice>;
  beforeAll(async () => {
    lakeside = practice("lakeside-family");
  });
  const setup = async () => {
    const store = await lakeside.store();
    await seed(store, [
      {
        type: "patient.create",
        patient: { id: "1001", lastName: "Doe", firstName: "Jane", dob: "1980-02-14", sex: "F" },
      },
      { type: "insurance.add", patientId: "1001", policy: { ...POLICY, packageId: "3100" } },
      {
        type: "appointment.create",
        appointment: {
          id: "1001",
          patientId: "1001",
          start: "2026-01-14T09:30:00-06:00",
          providerId: "1",
          departmentId: "1",
          type: "21",
          status: "2",
          primaryPolicy: { ...APPOINTMENT_POLICY, packageId: "3105" },
        },
      },
    ]);
    return store;
  };
  const PID = { 1: "1", 2: "1001", 5: "Doe^Jane", 7: "19800214", 8: "F" };
  // Prairie sends NPIs (Jennifer Okafor NP, supervised by 1) and the department in FT1.16.4.
  const LINE = { 4: "20260115", 16: "^^^2", 19: "J06.9", 20: "1140514385", 25: "99213" };

  it("matched: insurance from the appointment, providers and department from the DFT, the supervisor from the provider table", async () => {
    const outcome = await decide(
      lakeside.pack,
      await setup(),
      dft({ pid: PID, pv1: { 19: "1001" }, lines: [LINE] }),
    );
    expect(errorsOf(outcome)).toEqual([]);
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: {
          id: "1001",
          status: "unbilled",
          patientId: "1001",
          appointmentId: "1001",
          serviceDate: "2026-01-15",
          renderingProviderId: "4",
          supervisingProviderId: "1",
          departmentId: "2",
          primaryPolicy: { ...APPOINTMENT_POLICY, packageId: "3105" },
          diagnoses: ["J06.9"],
          lines: [{ procedure: "99213", modifiers: [], units: 1, diagnosisPointers: [1] }],
        },
      },
      { type: "appointment.update", appointmentId: "1001", appointment: { status: "4" } },
    ]);
  });

  it("no such appointment: APPOINTMENT_NOT_MATCHED, ERROR, never a free-standing claim", async () => {
    const outcome = await decide(
      lakeside.pack,
      await setup(),
      dft({ pid: PID, pv1: { 19: "4040" }, lines: [LINE] }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(errorsOf(outcome)).toEqual([
      { code: "APPOINTMENT_NOT_MATCHED", severity: "error", field: "PV1.19", value: "4040" },
    ]);
  });

  it("17 diagnosis codes: TOO_MANY_DIAGNOSES, CBOERROR", async () => {
    const outcome = await decide(
      lakeside.pack,
      await setup(),
      dft({ pid: PID, pv1: { 19: "1001" }, lines: [{ ...LINE, 19: codes(17).join("~") }] }),
    );
    expect(outcome.state).toBe("CBOERROR");
    expect(errorsOf(outcome).map((e) => (e as { code: string }).code)).toEqual([
      "TOO_MANY_DIAGNOSES",
    ]);
  });
});
