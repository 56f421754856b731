import { describe, expect, it } from "vitest";
import type { LocalStore as Store } from "../../engine/store/types.js";
import {
  decide,
  errorsOf,
  type Fields,
  fixturePack,
  HARBOR_PPO,
  JANE,
  JANE_CREATED,
  JANE_RECORD,
  message,
  newStore,
  PRIVACY_CHECKED,
  receive,
} from "./helpers.js";

/**
 * Insurance on patient messages: Table 11 - Required HL7 fields to create
 * patient insurance and its foreign ID, Table 12 - Insurance processing
 * options – patients, "Insurance Processing – Patient Only", case policies
 * and the direction of IN1-17 (docs/pack-language.md §9, §10, §14).
 */

const basic = () => fixturePack("inbound-basic");

/** HARBOR_PPO as the policy record. */
const HARBOR_POLICY = {
  sequence: 1,
  packageId: "4471",
  foreignKey: "HMP-100+Harbor Mutual PPO+100 Main St",
  policyNumber: "POL-0001",
  relationshipToInsured: "SEL",
  insured: { lastName: "Doe", firstName: "Jane", dob: "1980-02-14" },
};

const BLUE: Fields = {
  1: "1",
  2: "BCC-7",
  4: "Blue Cross Choice",
  5: "PO Box 9",
  17: "SEL",
  36: "B-1",
};
const BLUE_POLICY = {
  sequence: 1,
  packageId: "00312",
  foreignKey: "BCC-7+Blue Cross Choice+PO Box 9",
  policyNumber: "B-1",
  relationshipToInsured: "SEL",
};

/** A workers' comp plan whose package is a case policy in master data. */
const WORKERS_COMP: Fields = {
  1: "1",
  2: "WC-1",
  4: "State Workers Comp",
  5: "1 Capitol Plz",
  17: "SEL",
  36: "WC-9",
};
const WC_POLICY = {
  packageId: "7788",
  foreignKey: "WC-1+State Workers Comp+1 Capitol Plz",
  policyNumber: "WC-9",
  relationshipToInsured: "SEL",
};

const create = (insurance: readonly { in1: Fields }[]) =>
  message({ type: "ADT^A04", pid: JANE, insurance });
const update = (insurance: readonly { in1: Fields }[]) =>
  message({ type: "ADT^A08", pid: { ...JANE, 2: "1001" }, insurance });

/** Jane (1001) with the Harbor PPO at sequence 1 and, when asked, Blue Cross at 2. */
async function janeInsured(withSecondary = false): Promise<Store> {
  const store = await newStore();
  const policies = [{ in1: HARBOR_PPO }, ...(withSecondary ? [{ in1: { ...BLUE, 1: "2" } }] : [])];
  const outcome = await receive(basic(), store, create(policies));
  expect(outcome.state).toBe("PROCESSED");
  return store;
}

describe("Table 11 - Required HL7 fields to create patient insurance – the foreign ID IN1.2+IN1.4+IN1.5 (the default)", () => {
  it("a mapped key: insurance.add with the package and the foreign key it came from", async () => {
    const outcome = await decide(basic(), await newStore(), create([{ in1: HARBOR_PPO }]));
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.errors).toEqual([]);
    expect(outcome.actions).toEqual([
      { type: "patient.create", patient: { ...JANE_CREATED, id: "1001" } },
      { type: "privacy.set", patientId: "1001", privacy: PRIVACY_CHECKED },
      { type: "insurance.add", patientId: "1001", policy: HARBOR_POLICY },
    ]);
  });

  it("an unmapped key: UNMAPPED_INSURANCE, table insurancePlan, value the composite key; ERROR, nothing applied", async () => {
    const store = await newStore();
    const outcome = await receive(
      basic(),
      store,
      create([{ in1: { ...HARBOR_PPO, 5: "9 Other Rd" } }]),
    );
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      {
        code: "UNMAPPED_INSURANCE",
        severity: "error",
        field: "IN1.2+IN1.4+IN1.5",
        table: "insurancePlan",
        value: "HMP-100+Harbor Mutual PPO+9 Other Rd",
      },
    ]);
    expect(outcome.errors[0]?.message).toBe(
      "'HMP-100+Harbor Mutual PPO+9 Other Rd' has no row in mapping table insurancePlan (IN1.2+IN1.4+IN1.5); add one and reprocess",
    );
    expect(store.patientById("1001")).toBeUndefined();
    expect((await store.message(outcome.messageId))?.state).toBe("ERROR");
  });

  it("a key mapped to a package that is not in master data: UNMAPPED_INSURANCE with the package", async () => {
    const outcome = await decide(
      basic(),
      await newStore(),
      create([{ in1: { ...HARBOR_PPO, 2: "GONE-1", 4: "Retired Plan", 5: "" } }]),
    );
    expect(outcome.state).toBe("ERROR");
    expect(errorsOf(outcome)).toEqual([
      {
        code: "UNMAPPED_INSURANCE",
        severity: "error",
        field: "IN1.2+IN1.4+IN1.5",
        table: "insurancePlan",
        value: "9999",
      },
    ]);
  });

  it.each([
    [
      "Policy number",
      36,
      "IN1.36",
      "policy number (IN1.36) is required to create an insurance policy",
    ],
    [
      "Relationship to insured",
      17,
      "IN1.17",
      "relationship to insured (IN1.17) is required to create an insurance policy",
    ],
    [
      "Package ID",
      2,
      "IN1.2",
      "insurance package ID (IN1.2) is required to create an insurance policy",
    ],
    ["Name", 4, "IN1.4", "insurance name (IN1.4) is required to create an insurance policy"],
  ])(
    "%s missing: REQUIRED_FIELD_MISSING %s, ERROR, nothing applied",
    async (_label, n, field, text) => {
      const store = await newStore();
      const outcome = await receive(basic(), store, create([{ in1: { ...HARBOR_PPO, [n]: "" } }]));
      expect(outcome.state).toBe("ERROR");
      expect(outcome.actions).toEqual([]);
      // A key missing its ID or name is not looked up: no UNMAPPED_INSURANCE for "+Harbor Mutual PPO+...".
      expect(errorsOf(outcome)).toEqual([
        { code: "REQUIRED_FIELD_MISSING", severity: "error", field },
      ]);
      expect(outcome.errors[0]?.message).toBe(text);
      expect(store.patientById("1001")).toBeUndefined();
    },
  );

  it("Address IN1.5 missing: RECOMMENDED_FIELD_MISSING, a warning only; PROCESSED with the key 'HMP-100+Harbor Mutual PPO+'", async () => {
    const outcome = await decide(
      basic(),
      await newStore(),
      create([{ in1: { ...HARBOR_PPO, 5: "" } }]),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(errorsOf(outcome)).toEqual([
      { code: "RECOMMENDED_FIELD_MISSING", severity: "warning", field: "IN1.5" },
    ]);
    expect(outcome.errors[0]?.message).toBe(
      "insurance address (IN1.5) is recommended to create an insurance policy",
    );
    expect(outcome.actions[2]).toEqual({
      type: "insurance.add",
      patientId: "1001",
      policy: { ...HARBOR_POLICY, foreignKey: "HMP-100+Harbor Mutual PPO+" },
    });
  });

  it("the required fields are for creating a policy: an update of the same package without IN1.36 is PROCESSED", async () => {
    const store = await janeInsured();
    const outcome = await decide(basic(), store, update([{ in1: { ...HARBOR_PPO, 36: "" } }]));
    expect(outcome.state).toBe("PROCESSED");
    const { policyNumber: _n, ...withoutNumber } = HARBOR_POLICY;
    expect(outcome.actions[1]).toEqual({
      type: "insurance.update",
      patientId: "1001",
      policy: withoutNumber,
    });
  });
});

describe("Table 11 - the foreign ID configured to IN1.2 alone (field rule policy.packageId from: IN1.2; inbound-plan-id)", () => {
  const planId = () => fixturePack("inbound-plan-id");

  it("the plan ID is the key, whatever IN1.4 and IN1.5 say", async () => {
    const outcome = await decide(
      planId(),
      await newStore(),
      create([{ in1: { ...HARBOR_PPO, 4: "HARBOR MUTUAL (NEW NAME)", 5: "PO Box 1" } }]),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.errors).toEqual([]);
    expect(outcome.actions[2]).toEqual({
      type: "insurance.add",
      patientId: "1001",
      policy: { ...HARBOR_POLICY, foreignKey: "HMP-100" },
    });
  });

  it("an unmapped plan ID: UNMAPPED_INSURANCE on IN1.2 with the plan ID as value", async () => {
    const outcome = await decide(
      planId(),
      await newStore(),
      create([{ in1: { ...HARBOR_PPO, 2: "NOPE" } }]),
    );
    expect(outcome.state).toBe("ERROR");
    expect(errorsOf(outcome)).toEqual([
      {
        code: "UNMAPPED_INSURANCE",
        severity: "error",
        field: "IN1.2",
        table: "insurancePlan",
        value: "NOPE",
      },
    ]);
  });

  it("Table 11 still asks for the name (IN1.4), which is no longer part of the key", async () => {
    const outcome = await decide(
      planId(),
      await newStore(),
      create([{ in1: { ...HARBOR_PPO, 4: "" } }]),
    );
    expect(outcome.state).toBe("ERROR");
    expect(errorsOf(outcome)).toEqual([
      { code: "REQUIRED_FIELD_MISSING", severity: "error", field: "IN1.4" },
    ]);
  });
});

describe("Table 12 - Insurance processing options – patients: always (the default)", () => {
  it("a new policy at an empty sequence: insurance.add", async () => {
    const store = await janeInsured();
    const outcome = await receive(
      basic(),
      store,
      update([{ in1: HARBOR_PPO }, { in1: { ...BLUE, 1: "2" } }]),
    );
    expect(outcome.actions).toEqual([
      { type: "patient.update", patientId: "1001", patient: JANE_RECORD },
      { type: "insurance.update", patientId: "1001", policy: HARBOR_POLICY },
      { type: "insurance.add", patientId: "1001", policy: { ...BLUE_POLICY, sequence: 2 } },
    ]);
    expect(store.policiesOf("1001")).toEqual([HARBOR_POLICY, { ...BLUE_POLICY, sequence: 2 }]);
  });

  it("the same sequence and package: insurance.update", async () => {
    const store = await janeInsured();
    const outcome = await receive(
      basic(),
      store,
      update([{ in1: { ...HARBOR_PPO, 36: "POL-0002" } }]),
    );
    expect(outcome.actions).toEqual([
      { type: "patient.update", patientId: "1001", patient: JANE_RECORD },
      {
        type: "insurance.update",
        patientId: "1001",
        policy: { ...HARBOR_POLICY, policyNumber: "POL-0002" },
      },
    ]);
    expect(store.policiesOf("1001")).toEqual([{ ...HARBOR_POLICY, policyNumber: "POL-0002" }]);
  });

  it("the same sequence, another package: insurance.replace, the old policy cancelled", async () => {
    const store = await janeInsured();
    const outcome = await receive(basic(), store, update([{ in1: BLUE }]));
    expect(outcome.actions).toEqual([
      { type: "patient.update", patientId: "1001", patient: JANE_RECORD },
      {
        type: "insurance.replace",
        patientId: "1001",
        policy: BLUE_POLICY,
        replacedPackageId: "4471",
      },
    ]);
    expect(store.policiesOf("1001")).toEqual([BLUE_POLICY]);
    expect(await store.insuranceHistory("1001")).toEqual({
      selfPay: false,
      policies: [
        { policy: HARBOR_POLICY, cancelled: true },
        { policy: BLUE_POLICY, cancelled: false },
      ],
    });
  });

  it("stored policies at sequences the message does not send are left as they are", async () => {
    const store = await janeInsured(true);
    const outcome = await receive(basic(), store, update([{ in1: HARBOR_PPO }]));
    expect(outcome.actions).toEqual([
      { type: "patient.update", patientId: "1001", patient: JANE_RECORD },
      { type: "insurance.update", patientId: "1001", policy: HARBOR_POLICY },
    ]);
    expect(store.policiesOf("1001")).toEqual([HARBOR_POLICY, { ...BLUE_POLICY, sequence: 2 }]);
  });

  it("no IN1: insurance.selfPay, which cancels the stored policies", async () => {
    const store = await janeInsured(true);
    const outcome = await receive(basic(), store, update([]));
    expect(outcome.actions).toEqual([
      { type: "patient.update", patientId: "1001", patient: JANE_RECORD },
      { type: "insurance.selfPay", patientId: "1001" },
    ]);
    expect(store.policiesOf("1001")).toEqual([]);
    expect((await store.insuranceHistory("1001")).selfPay).toBe(true);
  });

  it("an IN1 without a sequence (IN1.1) takes its place in the message", async () => {
    const outcome = await decide(
      basic(),
      await newStore(),
      create([{ in1: { ...BLUE, 1: "" } }, { in1: { ...HARBOR_PPO, 1: "" } }]),
    );
    expect(outcome.actions.slice(2)).toEqual([
      { type: "insurance.add", patientId: "1001", policy: BLUE_POLICY },
      { type: "insurance.add", patientId: "1001", policy: { ...HARBOR_POLICY, sequence: 2 } },
    ]);
  });

  it("one bad policy holds the whole message: ERROR, the good policy not applied either", async () => {
    const store = await janeInsured();
    const outcome = await receive(
      basic(),
      store,
      update([
        { in1: { ...HARBOR_PPO, 36: "POL-0002" } },
        { in1: { ...BLUE, 1: "2", 2: "BCC-8" } },
      ]),
    );
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      {
        code: "UNMAPPED_INSURANCE",
        severity: "error",
        field: "IN1.2+IN1.4+IN1.5",
        table: "insurancePlan",
        value: "BCC-8+Blue Cross Choice+PO Box 9",
      },
    ]);
    expect(store.policiesOf("1001")).toEqual([HARBOR_POLICY]);
  });
});

describe("Table 12 – the sequence number (IN1.1) of each policy", () => {
  it("two policies at one sequence: INVALID_VALUE on IN1.1, ERROR (not two adds the store must refuse)", async () => {
    const store = await newStore();
    const outcome = await receive(basic(), store, create([{ in1: HARBOR_PPO }, { in1: BLUE }]));
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      { code: "INVALID_VALUE", severity: "error", field: "IN1.1", value: "1" },
    ]);
    expect(outcome.errors[0]?.message).toBe(
      "two policies of this message have sequence 1 (IN1.1); each policy needs its own",
    );
    expect(store.patientById("1001")).toBeUndefined();
  });

  it("a case policy turned to sequence 0 no longer shares sequence 1 with the primary", async () => {
    const outcome = await decide(
      basic(),
      await newStore(),
      create([{ in1: HARBOR_PPO }, { in1: WORKERS_COMP }]),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions.slice(2)).toEqual([
      { type: "insurance.add", patientId: "1001", policy: HARBOR_POLICY },
      { type: "insurance.add", patientId: "1001", policy: { ...WC_POLICY, sequence: 0 } },
    ]);
  });

  it("a negative sequence: INVALID_VALUE on IN1.1, ERROR", async () => {
    const outcome = await receive(
      basic(),
      await newStore(),
      create([{ in1: { ...HARBOR_PPO, 1: "-1" } }]),
    );
    expect(outcome.state).toBe("ERROR");
    expect(errorsOf(outcome)).toEqual([
      { code: "INVALID_VALUE", severity: "error", field: "IN1.1", value: "-1" },
    ]);
  });

  it("a sequence that is not a number: INVALID_VALUE on IN1.1", async () => {
    const outcome = await decide(
      basic(),
      await newStore(),
      create([{ in1: { ...HARBOR_PPO, 1: "P" } }]),
    );
    expect(errorsOf(outcome)).toEqual([
      { code: "INVALID_VALUE", severity: "error", field: "IN1.1", value: "P" },
    ]);
  });
});

describe("Table 12 - Insurance processing options – patients: whenPresent (inbound-when-present)", () => {
  const whenPresent = () => fixturePack("inbound-when-present");

  it("no IN1: no insurance action; the stored policies stay", async () => {
    const store = await janeInsured();
    const outcome = await receive(whenPresent(), store, update([]));
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([
      { type: "patient.update", patientId: "1001", patient: JANE_RECORD },
    ]);
    expect(store.policiesOf("1001")).toEqual([HARBOR_POLICY]);
    expect((await store.insuranceHistory("1001")).selfPay).toBe(false);
  });

  it("a new patient without IN1: no self-pay either", async () => {
    const outcome = await decide(whenPresent(), await newStore(), create([]));
    expect(outcome.actions).toEqual([
      { type: "patient.create", patient: { ...JANE_CREATED, id: "1001" } },
      { type: "privacy.set", patientId: "1001", privacy: PRIVACY_CHECKED },
    ]);
  });

  it("with IN1: processed as in always (insurance.update)", async () => {
    const store = await janeInsured();
    const outcome = await decide(whenPresent(), store, update([{ in1: HARBOR_PPO }]));
    expect(outcome.actions).toEqual([
      { type: "patient.update", patientId: "1001", patient: JANE_RECORD },
      { type: "insurance.update", patientId: "1001", policy: HARBOR_POLICY },
    ]);
  });
});

describe("Case policies – insurance.casePolicies", () => {
  it("toSequenceZero (the default): a sequence-1 policy on a case package is stored at sequence 0", async () => {
    const store = await janeInsured();
    const outcome = await receive(basic(), store, update([{ in1: WORKERS_COMP }]));
    expect(outcome.actions).toEqual([
      { type: "patient.update", patientId: "1001", patient: JANE_RECORD },
      { type: "insurance.add", patientId: "1001", policy: { ...WC_POLICY, sequence: 0 } },
    ]);
    // The primary policy is not replaced by the case.
    expect(store.policiesOf("1001")).toEqual([{ ...WC_POLICY, sequence: 0 }, HARBOR_POLICY]);
  });

  it("toSequenceZero: a case package at sequence 2 keeps it", async () => {
    const outcome = await decide(
      basic(),
      await newStore(),
      create([{ in1: HARBOR_PPO }, { in1: { ...WORKERS_COMP, 1: "2" } }]),
    );
    expect(outcome.actions.slice(2)).toEqual([
      { type: "insurance.add", patientId: "1001", policy: HARBOR_POLICY },
      { type: "insurance.add", patientId: "1001", policy: { ...WC_POLICY, sequence: 2 } },
    ]);
  });

  it("keepSequence (inbound-when-present): the case policy stays at sequence 1", async () => {
    const outcome = await decide(
      fixturePack("inbound-when-present"),
      await newStore(),
      create([{ in1: WORKERS_COMP }]),
    );
    expect(outcome.actions[2]).toEqual({
      type: "insurance.add",
      patientId: "1001",
      policy: { ...WC_POLICY, sequence: 1 },
    });
  });
});

describe("Relationship direction (IN1-17) – insurance.relationshipDirection", () => {
  const hl7Direction = () => fixturePack("inbound-hl7-direction");

  it("patientToInsured (the default): the code as sent (relationshipToInsured is not mapped in the base)", async () => {
    const outcome = await decide(
      basic(),
      await newStore(),
      create([{ in1: { ...HARBOR_PPO, 17: "MTH" } }]),
    );
    expect(outcome.actions[2]).toEqual({
      type: "insurance.add",
      patientId: "1001",
      policy: { ...HARBOR_POLICY, relationshipToInsured: "MTH" },
    });
  });

  it("insuredToPatient: MTH -> mapped to parent (5) -> inverted to child (3)", async () => {
    const outcome = await decide(
      hl7Direction(),
      await newStore(),
      create([{ in1: { ...HARBOR_PPO, 17: "MTH", 16: "Doe^Mary" } }]),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions[2]).toEqual({
      type: "insurance.add",
      patientId: "1001",
      policy: {
        ...HARBOR_POLICY,
        relationshipToInsured: "3",
        insured: { lastName: "Doe", firstName: "Mary", dob: "1980-02-14" },
      },
    });
  });

  it("insuredToPatient: SEL -> self (1) -> self (1)", async () => {
    const outcome = await decide(hl7Direction(), await newStore(), create([{ in1: HARBOR_PPO }]));
    expect(outcome.actions[2]).toEqual({
      type: "insurance.add",
      patientId: "1001",
      policy: { ...HARBOR_POLICY, relationshipToInsured: "1" },
    });
  });

  it("an inversion with no row: UNMAPPED_CODE table relationshipInverse (OTH -> other (4) has none here)", async () => {
    const store = await newStore();
    const outcome = await receive(
      hl7Direction(),
      store,
      create([{ in1: { ...HARBOR_PPO, 17: "OTH" } }]),
    );
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      {
        code: "UNMAPPED_CODE",
        severity: "error",
        field: "IN1.17",
        table: "relationshipInverse",
        value: "4",
      },
    ]);
    expect(store.patientById("1001")).toBeUndefined();
  });

  it("a code with no mapping row fails before any inversion: UNMAPPED_CODE table relationshipToInsured", async () => {
    const outcome = await decide(
      hl7Direction(),
      await newStore(),
      create([{ in1: { ...HARBOR_PPO, 17: "XYZ" } }]),
    );
    expect(errorsOf(outcome)).toEqual([
      {
        code: "UNMAPPED_CODE",
        severity: "error",
        field: "IN1.17",
        table: "relationshipToInsured",
        value: "XYZ",
      },
    ]);
  });
});
