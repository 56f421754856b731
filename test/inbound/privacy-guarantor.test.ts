import { describe, expect, it } from "vitest";
import {
  decide,
  errorsOf,
  type Fields,
  fixturePack,
  JANE,
  JANE_CREATED,
  message,
  newStore,
  PRIVACY_CHECKED,
  receive,
} from "./helpers.js";

/**
 * Table 13 - Patient privacy processing option and Guarantor Information
 * (docs/pack-language.md §15, §16).
 */

const basic = () => fixturePack("inbound-basic");

describe("Table 13 - Patient privacy processing option: autoCheck true (the default, |X| in the spec)", () => {
  it("a create: privacy.set with both boxes checked, right after patient.create", async () => {
    const store = await newStore();
    const outcome = await receive(basic(), store, message({ type: "ADT^A04", pid: JANE }));
    expect(outcome.actions).toEqual([
      { type: "patient.create", patient: { ...JANE_CREATED, id: "1001" } },
      {
        type: "privacy.set",
        patientId: "1001",
        privacy: { releaseOfBillingInformation: true, assignmentOfBenefits: true },
      },
      { type: "insurance.selfPay", patientId: "1001" },
    ]);
    expect(store.patientById("1001")?.privacy).toEqual(PRIVACY_CHECKED);
  });

  it("an update: no privacy.set", async () => {
    const store = await newStore();
    await receive(basic(), store, message({ type: "ADT^A04", pid: JANE }));
    const outcome = await decide(
      basic(),
      store,
      message({ type: "ADT^A08", pid: { ...JANE, 2: "1001" } }),
    );
    expect(outcome.actions.map((a) => a.type)).toEqual(["patient.update", "insurance.selfPay"]);
  });
});

describe("Table 13 - Patient privacy processing option: autoCheck false (inbound-no-privacy)", () => {
  it("a create: no privacy.set; the stored patient has no privacy boxes", async () => {
    const store = await newStore();
    const outcome = await receive(
      fixturePack("inbound-no-privacy"),
      store,
      message({ type: "ADT^A04", pid: JANE }),
    );
    expect(outcome.actions).toEqual([
      { type: "patient.create", patient: { ...JANE_CREATED, id: "1001" } },
      { type: "insurance.selfPay", patientId: "1001" },
    ]);
    expect(store.patientById("1001")).toEqual({ ...JANE_CREATED, id: "1001" });
  });
});

/** John Doe, Jane's husband, as GT1 sends him. */
const GT1: Fields = {
  1: "1",
  3: "Doe^John",
  5: "12 Elm St^Apt 3^Springfield^IL^62701",
  6: "(217)555-0199",
  8: "19780503",
  11: "SPO",
};
const GUARANTOR = {
  lastName: "Doe",
  firstName: "John",
  address: { line1: "12 Elm St", line2: "Apt 3", city: "Springfield", state: "IL", zip: "62701" },
  phone: "(217)555-0199",
  dob: "1978-05-03",
};

describe("Guarantor Information – relationshipDirection: patientToGuarantor (the default)", () => {
  it("GT1 on a create: guarantor.set with name, address, phone, DOB and the relationship as sent (not mapped in the base)", async () => {
    const store = await newStore();
    const outcome = await receive(
      basic(),
      store,
      message({ type: "ADT^A04", pid: JANE, gt1: GT1 }),
    );
    expect(outcome.actions).toEqual([
      { type: "patient.create", patient: { ...JANE_CREATED, id: "1001" } },
      { type: "privacy.set", patientId: "1001", privacy: PRIVACY_CHECKED },
      {
        type: "guarantor.set",
        patientId: "1001",
        guarantor: { ...GUARANTOR, relationship: "SPO" },
      },
      { type: "insurance.selfPay", patientId: "1001" },
    ]);
    expect(store.patientById("1001")?.guarantor).toEqual({ ...GUARANTOR, relationship: "SPO" });
  });

  it("guarantorRelationship mapped (inbound-mapped): SPO -> spouse (2)", async () => {
    const outcome = await decide(
      fixturePack("inbound-mapped"),
      await newStore(),
      message({ type: "ADT^A04", pid: JANE, gt1: GT1 }),
    );
    expect(outcome.actions[2]).toEqual({
      type: "guarantor.set",
      patientId: "1001",
      guarantor: { ...GUARANTOR, relationship: "2" },
    });
  });

  it("a relationship with no mapping row: UNMAPPED_CODE table guarantorRelationship, GT1.11", async () => {
    const outcome = await decide(
      fixturePack("inbound-mapped"),
      await newStore(),
      message({ type: "ADT^A04", pid: JANE, gt1: { ...GT1, 11: "UNK" } }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      {
        code: "UNMAPPED_CODE",
        severity: "error",
        field: "GT1.11",
        table: "guarantorRelationship",
        value: "UNK",
      },
    ]);
  });

  it("an update whose GT1 equals the stored guarantor: no guarantor.set; a changed one: guarantor.set", async () => {
    const store = await newStore();
    await receive(basic(), store, message({ type: "ADT^A04", pid: JANE, gt1: GT1 }));
    const same = await receive(
      basic(),
      store,
      message({ type: "ADT^A08", pid: { ...JANE, 2: "1001" }, gt1: GT1 }),
    );
    expect(same.actions.map((a) => a.type)).toEqual(["patient.update", "insurance.selfPay"]);
    const moved = await receive(
      basic(),
      store,
      message({
        type: "ADT^A08",
        pid: { ...JANE, 2: "1001" },
        gt1: { ...GT1, 5: "9 Oak Ave^^Peoria^IL^61602" },
      }),
    );
    const guarantor = {
      ...GUARANTOR,
      address: { line1: "9 Oak Ave", city: "Peoria", state: "IL", zip: "61602" },
      relationship: "SPO",
    };
    expect(moved.actions[1]).toEqual({ type: "guarantor.set", patientId: "1001", guarantor });
    expect(store.patientById("1001")?.guarantor).toEqual(guarantor);
  });

  it("no GT1: no guarantor.set, the stored guarantor stays", async () => {
    const store = await newStore();
    await receive(basic(), store, message({ type: "ADT^A04", pid: JANE, gt1: GT1 }));
    const outcome = await receive(
      basic(),
      store,
      message({ type: "ADT^A08", pid: { ...JANE, 2: "1001" } }),
    );
    expect(outcome.actions.map((a) => a.type)).toEqual(["patient.update", "insurance.selfPay"]);
    expect(store.patientById("1001")?.guarantor).toEqual({ ...GUARANTOR, relationship: "SPO" });
  });
});

describe("Guarantor Information – relationshipDirection: guarantorToPatient (inbound-hl7-direction)", () => {
  const hl7Direction = () => fixturePack("inbound-hl7-direction");

  it("GT1.11 MTH (the guarantor is the patient's mother) -> parent (5) -> the patient is the child (3)", async () => {
    const outcome = await decide(
      hl7Direction(),
      await newStore(),
      message({ type: "ADT^A04", pid: JANE, gt1: { 3: "Doe^Mary", 11: "MTH" } }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions[2]).toEqual({
      type: "guarantor.set",
      patientId: "1001",
      guarantor: { lastName: "Doe", firstName: "Mary", relationship: "3" },
    });
  });

  it("an inversion with no row: UNMAPPED_CODE table relationshipInverse, GT1.11", async () => {
    const outcome = await decide(
      hl7Direction(),
      await newStore(),
      message({ type: "ADT^A04", pid: JANE, gt1: { 3: "Doe^Mary", 11: "OTH" } }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      {
        code: "UNMAPPED_CODE",
        severity: "error",
        field: "GT1.11",
        table: "relationshipInverse",
        value: "4",
      },
    ]);
  });
});
