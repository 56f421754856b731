import { describe, expect, it } from "vitest";
import {
  apply,
  decide,
  errorsOf,
  fixturePack,
  JANE,
  JANE_CREATED,
  JANE_RECORD,
  message,
  newStore,
  PRIVACY_CHECKED,
  receive,
} from "./helpers.js";

/**
 * The patient message from the spec's tables: Table 4 - Interface
 * Enablement decides whether a message may act at all, Table 10 - Required
 * HL7 fields to create a patient what a create needs; then how an HL7 null
 * differs from an empty field, and how dates are read
 * (docs/pack-language.md §5.1, §7, §9).
 */

const basic = () => fixturePack("inbound-basic");

describe("Table 4 - Interface Enablement – patientAdd: [ADT^A04, ADT^A28] (inbound-basic)", () => {
  it("an ADT^A08 for an unknown patient decides patientAdd, which A08 is not enabled for: EVENT_NOT_ENABLED, nothing created", async () => {
    const store = await newStore();
    const outcome = await receive(basic(), store, message({ type: "ADT^A08", pid: JANE }));
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([{ code: "EVENT_NOT_ENABLED", severity: "error" }]);
    expect(outcome.errors[0]?.message).toBe(
      "patientAdd is not enabled inbound for ADT^A08 (enabled.inbound.patientAdd, Table 4 - Interface Enablement)",
    );
    expect((await store.message(outcome.messageId))?.state).toBe("ERROR");
    expect(store.patientById("1001")).toBeUndefined();
  });

  it("an ADT^A04 (listed) for an unknown patient creates it", async () => {
    const outcome = await receive(
      basic(),
      await newStore(),
      message({ type: "ADT^A04", pid: JANE }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([
      { type: "patient.create", patient: { ...JANE_CREATED, id: "1001" } },
      { type: "privacy.set", patientId: "1001", privacy: PRIVACY_CHECKED },
      { type: "insurance.selfPay", patientId: "1001" },
    ]);
    expect(outcome.errors).toEqual([]);
  });

  it("an ADT^A08 for a known patient decides patientUpdate, enabled for every patient message by the base", async () => {
    const store = await newStore();
    await receive(basic(), store, message({ type: "ADT^A04", pid: JANE }));
    const outcome = await receive(
      basic(),
      store,
      message({
        type: "ADT^A08",
        pid: { ...JANE, 2: "1001", 11: "9 Oak Ave^^Springfield^IL^62702" },
      }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([
      {
        type: "patient.update",
        patientId: "1001",
        patient: {
          ...JANE_RECORD,
          address: { line1: "9 Oak Ave", city: "Springfield", state: "IL", zip: "62702" },
        },
      },
      { type: "insurance.selfPay", patientId: "1001" },
    ]);
  });
});

describe("Table 4 - Interface Enablement – message types no handler takes", () => {
  // SIU and DFT are routed to the appointment and charge handlers, whose own tests cover them.
  it.each([
    ["ADT^A13", "an ADT trigger outside the patient table (cancel discharge)"],
    ["ADT^A40", "a merge: no patient event takes it"],
    ["ORU^R01", "results: no handler takes the type"],
    ["MDM^T02", "documents: no handler takes the type"],
  ])("%s (%s): MESSAGE_TYPE_NOT_SUPPORTED on MSH.9, ERROR, nothing applied", async (type) => {
    const store = await newStore();
    const outcome = await receive(basic(), store, message({ type, pid: JANE }));
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      { code: "MESSAGE_TYPE_NOT_SUPPORTED", severity: "error", field: "MSH.9" },
    ]);
    expect(outcome.errors[0]?.message).toBe(`no handler takes ${type}`);
    expect((await store.message(outcome.messageId))?.state).toBe("ERROR");
    expect(store.patientById("1001")).toBeUndefined();
  });
});

describe("Table 10 - Required HL7 fields to create a patient", () => {
  it.each([
    ["Date of birth", { 7: "" }, "PID.7", "date of birth (PID.7) is required to create a patient"],
    [
      "Last name",
      { 5: "^Jane^Q" },
      "PID.5.1",
      "last name (PID.5.1) is required to create a patient",
    ],
    ["First name", { 5: "Doe" }, "PID.5.2", "first name (PID.5.2) is required to create a patient"],
    ["Patient ID", { 3: "" }, "PID.3.1", "patient ID (PID.3.1) is required to create a patient"],
  ])(
    "%s missing on a create: REQUIRED_FIELD_MISSING, ERROR, no actions",
    async (_label, patch, field, text) => {
      const store = await newStore();
      const outcome = await receive(
        basic(),
        store,
        message({ type: "ADT^A04", pid: { ...JANE, ...patch } }),
      );
      expect(outcome.state).toBe("ERROR");
      expect(outcome.actions).toEqual([]);
      expect(errorsOf(outcome)).toEqual([
        { code: "REQUIRED_FIELD_MISSING", severity: "error", field },
      ]);
      expect(outcome.errors[0]?.message).toBe(text);
      expect((await store.message(outcome.messageId))?.state).toBe("ERROR");
      expect(store.patientById("1001")).toBeUndefined();
    },
  );

  it('an HL7 null counts as missing on a create: PID.7 = "" is REQUIRED_FIELD_MISSING', async () => {
    const outcome = await decide(
      basic(),
      await newStore(),
      message({ type: "ADT^A04", pid: { ...JANE, 7: '""' } }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(errorsOf(outcome)).toEqual([
      { code: "REQUIRED_FIELD_MISSING", severity: "error", field: "PID.7" },
    ]);
  });

  it("every missing field is reported, in the order of the required rules", async () => {
    const outcome = await decide(
      basic(),
      await newStore(),
      message({ type: "ADT^A04", pid: { 1: "1", 8: "F" } }),
    );
    expect(errorsOf(outcome)).toEqual([
      { code: "REQUIRED_FIELD_MISSING", severity: "error", field: "PID.3.1" },
      { code: "REQUIRED_FIELD_MISSING", severity: "error", field: "PID.5.1" },
      { code: "REQUIRED_FIELD_MISSING", severity: "error", field: "PID.5.2" },
      { code: "REQUIRED_FIELD_MISSING", severity: "error", field: "PID.7" },
    ]);
    expect(outcome.actions).toEqual([]);
  });

  it("the table is for creates: an update without DOB (and without PID.3) is PROCESSED, the stored DOB kept", async () => {
    const store = await newStore();
    await receive(basic(), store, message({ type: "ADT^A04", pid: JANE }));
    const outcome = await receive(
      basic(),
      store,
      message({ type: "ADT^A08", pid: { ...JANE, 2: "1001", 3: "", 7: "" } }),
    );
    expect(outcome.state).toBe("PROCESSED");
    const { dob: _dob, ...withoutDob } = JANE_RECORD;
    expect(outcome.actions).toEqual([
      { type: "patient.update", patientId: "1001", patient: withoutDob },
      { type: "insurance.selfPay", patientId: "1001" },
    ]);
    expect(store.patientById("1001")?.dob).toBe("1980-02-14");
  });

  it("an invalid DOB is INVALID_VALUE only, not also REQUIRED_FIELD_MISSING", async () => {
    const outcome = await decide(
      basic(),
      await newStore(),
      message({ type: "ADT^A04", pid: { ...JANE, 7: "19801340" } }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      { code: "INVALID_VALUE", severity: "error", field: "PID.7", value: "19801340" },
    ]);
    expect(outcome.errors[0]?.message).toBe(
      "patient.dob '19801340' is not a full date (YYYYMMDD) (PID.7)",
    );
  });
});

describe('HL7 null ("") vs empty (docs/pack-language.md §5.1 Results)', () => {
  const lenient = () => fixturePack("inbound-lenient");

  it('"" in PID.8 on an update: patient.update has sex: null, and the store clears it', async () => {
    const store = await newStore();
    await receive(lenient(), store, message({ type: "ADT^A04", pid: JANE }));
    const outcome = await receive(
      lenient(),
      store,
      message({ type: "ADT^A08", pid: { ...JANE, 2: "1001", 8: '""' } }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([
      { type: "patient.update", patientId: "1001", patient: { ...JANE_RECORD, sex: null } },
      { type: "insurance.selfPay", patientId: "1001" },
    ]);
    expect(store.patientById("1001")).toEqual({
      ...(({ sex: _sex, ...rest }) => rest)(JANE_CREATED),
      id: "1001",
      privacy: PRIVACY_CHECKED,
    });
  });

  it("an empty PID.8 on an update: the key is absent from patient.update, and the store keeps the sex", async () => {
    const store = await newStore();
    await receive(lenient(), store, message({ type: "ADT^A04", pid: JANE }));
    const outcome = await receive(
      lenient(),
      store,
      message({ type: "ADT^A08", pid: { ...JANE, 2: "1001", 8: "" } }),
    );
    expect(outcome.state).toBe("PROCESSED");
    const { sex: _sex, ...withoutSex } = JANE_RECORD;
    expect(outcome.actions).toEqual([
      { type: "patient.update", patientId: "1001", patient: withoutSex },
      { type: "insurance.selfPay", patientId: "1001" },
    ]);
    expect("sex" in (outcome.actions[0] as { patient: object }).patient).toBe(false);
    expect(store.patientById("1001")?.sex).toBe("F");
  });

  it('"" on a create counts as absent: patient.create has no sex key', async () => {
    const store = await newStore();
    const outcome = await receive(
      lenient(),
      store,
      message({ type: "ADT^A04", pid: { ...JANE, 8: '""' } }),
    );
    const { sex: _sex, ...withoutSex } = JANE_CREATED;
    expect(outcome.actions[0]).toEqual({
      type: "patient.create",
      patient: { ...withoutSex, id: "1001" },
    });
    expect(store.patientById("1001")).toEqual({
      ...withoutSex,
      id: "1001",
      privacy: PRIVACY_CHECKED,
    });
  });

  it('with sex a substantial change (the base), "" in PID.8 clears a stored value: REVIEW_REQUIRED', async () => {
    const store = await newStore();
    await receive(basic(), store, message({ type: "ADT^A04", pid: JANE }));
    const outcome = await receive(
      basic(),
      store,
      message({ type: "ADT^A08", pid: { ...JANE, 2: "1001", 8: '""' } }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([{ code: "REVIEW_REQUIRED", severity: "error" }]);
    expect(outcome.review).toEqual([
      {
        reason: "substantialChange",
        detail: "the message changes sex of patient 1001",
        candidates: [
          {
            patientId: "1001",
            total: 0,
            scores: {},
            changes: { sex: { stored: "F", received: null } },
          },
        ],
      },
    ]);
    expect(store.patientById("1001")?.sex).toBe("F");
  });
});

describe("Date-times: the patient's date of birth (docs/pack-language.md §5.1 Conversion)", () => {
  it.each([
    ["19800214", "1980-02-14"],
    ["198002141230", "1980-02-14"],
    ["19800214233000-0800", "1980-02-14"],
    ["20000229", "2000-02-29"],
  ])("PID.7 %s -> dob %s (a time, and its offset, are dropped)", async (ts, dob) => {
    const outcome = await apply(
      basic(),
      await newStore(),
      message({ type: "ADT^A04", pid: { ...JANE, 7: ts } }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions[0]).toEqual({
      type: "patient.create",
      patient: { ...JANE_CREATED, dob, id: "1001" },
    });
  });

  it.each([["1980"], ["198002"], ["19810229"], ["14.02.1980"]])(
    "PID.7 %s is not a full date: INVALID_VALUE",
    async (ts) => {
      const outcome = await decide(
        basic(),
        await newStore(),
        message({ type: "ADT^A04", pid: { ...JANE, 7: ts } }),
      );
      expect(errorsOf(outcome)).toEqual([
        { code: "INVALID_VALUE", severity: "error", field: "PID.7", value: ts },
      ]);
    },
  );
});
