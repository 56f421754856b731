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
} from "./helpers.js";

/**
 * Table 19 - Custom mapping (docs/pack-language.md §10): with mapping
 * required every foreign code needs a row; without, the sender's codes are
 * the practice's own and are checked against the standard code lists;
 * providers and departments are checked against master data either way.
 */

const basic = () => fixturePack("inbound-basic");
const mapped = () => fixturePack("inbound-mapped");

const createWith = (pid: Fields, more: { pd1?: Fields; pv1?: Fields } = {}) =>
  message({ type: "ADT^A04", pid: { ...JANE, ...pid }, ...more });

/** The patient.create of an outcome (its first action). */
const created = (outcome: { actions: readonly unknown[] }) => outcome.actions[0];

describe("Table 19 - Custom mapping – mappingRequired: true (inbound-mapped: sex, race as table vendorRace)", () => {
  it("codes with a row are mapped: sex O -> U, race W -> 2106-3", async () => {
    const outcome = await decide(mapped(), await newStore(), createWith({ 8: "O", 10: "W" }));
    expect(outcome.state).toBe("PROCESSED");
    expect(created(outcome)).toEqual({
      type: "patient.create",
      patient: { ...JANE_CREATED, id: "1001", sex: "U", race: "2106-3" },
    });
  });

  it("a code with no row: UNMAPPED_CODE naming the table and the code (PID.8 in table sex)", async () => {
    const outcome = await decide(mapped(), await newStore(), createWith({ 8: "1" }));
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      { code: "UNMAPPED_CODE", severity: "error", field: "PID.8", table: "sex", value: "1" },
    ]);
    expect(outcome.errors[0]?.message).toBe(
      "'1' has no row in mapping table sex (PID.8); add one and reprocess",
    );
  });

  it("a table named by mappings.race.table: UNMAPPED_CODE names that table (vendorRace)", async () => {
    const outcome = await decide(mapped(), await newStore(), createWith({ 10: "2106-3" }));
    expect(errorsOf(outcome)).toEqual([
      {
        code: "UNMAPPED_CODE",
        severity: "error",
        field: "PID.10",
        table: "vendorRace",
        value: "2106-3",
      },
    ]);
  });
});

describe("Table 19 - Custom mapping – mappingRequired: false (the base): standard codes", () => {
  it("standard codes pass as sent: sex F, race 2106-3, ethnicity 2186-5, language eng", async () => {
    const outcome = await decide(
      basic(),
      await newStore(),
      createWith({ 8: "F", 10: "2106-3", 15: "eng", 22: "2186-5" }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(created(outcome)).toEqual({
      type: "patient.create",
      patient: {
        ...JANE_CREATED,
        id: "1001",
        race: "2106-3",
        ethnicity: "2186-5",
        language: "eng",
      },
    });
  });

  it.each([
    ["sex", 8, "PID.8", "Female"],
    ["race", 10, "PID.10", "White"],
    ["ethnicity", 22, "PID.22", "H"],
    ["language", 15, "PID.15", "English"],
  ])("a non-standard %s code: INVALID_VALUE (%s, table %s)", async (table, n, field, value) => {
    const outcome = await decide(basic(), await newStore(), createWith({ [n]: value }));
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      { code: "INVALID_VALUE", severity: "error", field, table, value },
    ]);
    expect(outcome.errors[0]?.message).toBe(
      `'${value}' is not a standard ${table} code and mapping for ${table} is not required; send a standard code or turn on mappings.${table}.mappingRequired`,
    );
  });

  it("elements without a standard list pass through unchanged (marital status)", async () => {
    const outcome = await decide(basic(), await newStore(), createWith({ 16: "Q" }));
    expect(created(outcome)).toEqual({
      type: "patient.create",
      patient: { ...JANE_CREATED, id: "1001", maritalStatus: "Q" },
    });
  });
});

describe("Table 19 - Custom mapping – provider (PD1.4), accept: [practiceId, npi] (the base)", () => {
  it.each([
    ["the practice's provider ID", "101", "101"],
    ["an NPI, converted to the provider's ID", "1593847613", "102"],
  ])("%s is accepted: %s -> %s", async (_label, sent, id) => {
    const outcome = await decide(basic(), await newStore(), createWith({}, { pd1: { 4: sent } }));
    expect(outcome.state).toBe("PROCESSED");
    expect(created(outcome)).toEqual({
      type: "patient.create",
      patient: { ...JANE_CREATED, id: "1001", primaryProviderId: id },
    });
  });

  it("a provider not in master data: UNKNOWN_PROVIDER, ERROR", async () => {
    const outcome = await decide(basic(), await newStore(), createWith({}, { pd1: { 4: "999" } }));
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      {
        code: "UNKNOWN_PROVIDER",
        severity: "error",
        field: "PD1.4",
        table: "provider",
        value: "999",
      },
    ]);
  });
});

describe("Table 19 - Custom mapping – provider (PD1.4), accept: [npi] (inbound-mapped)", () => {
  it("an NPI is accepted and converted to the provider's ID", async () => {
    const outcome = await decide(
      mapped(),
      await newStore(),
      createWith({}, { pd1: { 4: "1482736505" } }),
    );
    expect(created(outcome)).toEqual({
      type: "patient.create",
      patient: { ...JANE_CREATED, id: "1001", primaryProviderId: "101" },
    });
  });

  it("the practice's provider ID is not: UNKNOWN_PROVIDER", async () => {
    const outcome = await decide(mapped(), await newStore(), createWith({}, { pd1: { 4: "101" } }));
    expect(errorsOf(outcome)).toEqual([
      {
        code: "UNKNOWN_PROVIDER",
        severity: "error",
        field: "PD1.4",
        table: "provider",
        value: "101",
      },
    ]);
  });
});

describe("Table 19 - Custom mapping – department (PV1.3.1), checked against master data", () => {
  it("a master-data department is accepted", async () => {
    const outcome = await decide(
      basic(),
      await newStore(),
      createWith({}, { pv1: { 2: "O", 3: "2" } }),
    );
    expect(created(outcome)).toEqual({
      type: "patient.create",
      patient: { ...JANE_CREATED, id: "1001", primaryDepartmentId: "2" },
    });
  });

  it("a department not in master data: UNKNOWN_DEPARTMENT, ERROR", async () => {
    const outcome = await decide(
      basic(),
      await newStore(),
      createWith({}, { pv1: { 2: "O", 3: "9^^^CLINIC" } }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(errorsOf(outcome)).toEqual([
      {
        code: "UNKNOWN_DEPARTMENT",
        severity: "error",
        field: "PV1.3.1",
        table: "department",
        value: "9",
      },
    ]);
  });
});
