import { describe, expect, it } from "vitest";
import { formatPackError } from "../../engine/documents/errors.js";
import type { Outcome } from "../../engine/model/outcome.js";
import { loadPack } from "../../engine/pack/load.js";
import type { LocalStore as Store } from "../../engine/store/types.js";
import {
  decide,
  errorsOf,
  FIXTURES,
  type Fields,
  fixturePack,
  JANE,
  JANE_RECORD,
  message,
  newStore,
  PRIVACY_CHECKED,
  receive,
} from "./helpers.js";

/**
 * athena Patient Matching Logic (docs/pack-language.md §13): "If no external
 * ID outlined in Section 5.6 is used for matching, athenaNet will default to
 * match on athenaNet Patient ID. If the athena patient ID is not present in
 * the message, athena will default to the demographic matching"; and
 * Table 5 – Patient-level custom fields (§12).
 */

const mrnPack = () => fixturePack("inbound-mrn");

/** Jane with an MRN padded to five digits and her EHR chart number. */
const JANE_MRN: Fields = { ...JANE, 3: "00123^^^EHR^MR~E-5001^^^EHR^PI" };
/** Richard Roe: MRN 777, no chart number, no SSN, address or phone. */
const ROE: Fields = { 1: "1", 3: "777^^^EHR^MR", 5: "Roe^Richard", 7: "19700101", 8: "M" };
const ROE_RECORD = { lastName: "Roe", firstName: "Richard", dob: "1970-01-01", sex: "M" };

/** Jane is patient 1001 (MRN 00123), Roe 1002 (MRN 777). */
async function twoPatients(packId: string): Promise<Store> {
  const store = await newStore();
  const pack = fixturePack(packId);
  for (const pid of [JANE_MRN, ROE]) {
    const outcome = await receive(pack, store, message({ type: "ADT^A04", pid }));
    expect(outcome.state).toBe("PROCESSED");
  }
  return store;
}

const matchTrace = (outcome: Outcome) =>
  outcome.trace.filter((t) => t.step === "match").map(({ at: _at, ...t }) => t);

describe("athena Patient Matching Logic – matching.order.patient: [externalId, patientId, demographics] (the default)", () => {
  it("the external ID flagged for matching decides, even when PID.2 names another patient", async () => {
    const store = await twoPatients("inbound-mrn");
    const outcome = await decide(
      mrnPack(),
      store,
      message({ type: "ADT^A08", pid: { ...JANE_MRN, 2: "1002" } }),
      { trace: true },
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([
      { type: "patient.update", patientId: "1001", patient: JANE_RECORD },
      { type: "insurance.selfPay", patientId: "1001" },
    ]);
    expect(matchTrace(outcome)).toEqual([
      { step: "match", rule: "externalId", detail: "mrn: 1 patient(s)" },
    ]);
  });

  it("an external ID with a value but no patient hands over to the practice ID (PID.2); the patient found holds another MRN, so a person decides", async () => {
    const store = await twoPatients("inbound-mrn");
    const outcome = await decide(
      mrnPack(),
      store,
      message({
        type: "ADT^A08",
        pid: { ...JANE_MRN, 2: "1001", 3: "999^^^EHR^MR~E-5001^^^EHR^PI" },
      }),
      { trace: true },
    );
    // "External IDs must be unique and non-changing": no externalId.set mrn=999 over 00123.
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(outcome.errors[0]?.message).toBe(
      "the message's mrn '999' differs from patient 1001's '00123' (matched by patientId); identifiers used for matching never change, so a person decides",
    );
    expect(matchTrace(outcome)).toEqual([
      { step: "match", rule: "externalId", detail: "mrn: 0 patient(s)" },
      { step: "match", rule: "patientId", ref: "PID.2", detail: "found" },
    ]);
  });

  it("no external ID and a PID.2 with no patient hand over to demographic matching (matching.patientId.unknown: demographics)", async () => {
    const store = await twoPatients("inbound-unknown-id-demographics");
    const outcome = await decide(
      fixturePack("inbound-unknown-id-demographics"),
      store,
      message({ type: "ADT^A08", pid: { ...JANE_MRN, 2: "9999" } }),
      { trace: true },
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([
      { type: "patient.update", patientId: "1001", patient: JANE_RECORD },
      { type: "insurance.selfPay", patientId: "1001" },
    ]);
    expect(matchTrace(outcome).map((t) => [t.rule, t.detail])).toEqual([
      ["patientId", "no such patient"],
      ["demographics", expect.stringMatching(/^total \d+\.\d\d$/)],
    ]);
  });

  it("nobody found by any strategy: patientAdd, patient.create", async () => {
    const store = await twoPatients("inbound-mrn");
    const pid = { 1: "1", 3: "555^^^EHR^MR", 5: "Poe^Edgar", 7: "19090119", 8: "M" };
    const outcome = await decide(mrnPack(), store, message({ type: "ADT^A04", pid }));
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([
      {
        type: "patient.create",
        patient: {
          id: "1003",
          lastName: "Poe",
          firstName: "Edgar",
          dob: "1909-01-19",
          sex: "M",
          senderPatientId: "555",
          externalIds: { mrn: "555" },
        },
      },
      { type: "privacy.set", patientId: "1003", privacy: PRIVACY_CHECKED },
      { type: "insurance.selfPay", patientId: "1003" },
    ]);
  });
});

describe("athena Patient Matching Logic – matching.order.patient: [patientId, externalId, demographics] (inbound-order)", () => {
  it("PID.2 is tried first: the message for Jane (her MRN) naming patient 1002 matches 1002, whose MRN 777 is not the message's: review", async () => {
    const store = await twoPatients("inbound-order");
    const outcome = await decide(
      fixturePack("inbound-order"),
      store,
      message({ type: "ADT^A08", pid: { ...JANE_MRN, 2: "1002" } }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    // The identifier conflict is found before the substantial change (dob, names, sex).
    expect(outcome.review).toEqual([
      {
        reason: "possibleDuplicate",
        detail:
          "the message's mrn '00123' differs from patient 1002's '777': the same person under two identifiers, or two people",
        candidates: [{ patientId: "1002", total: 0, scores: {} }],
      },
    ]);
  });

  it("PID.2 is tried first: Roe's own message naming 1002, with his MRN, matches 1002 by the practice ID", async () => {
    const store = await twoPatients("inbound-order");
    const outcome = await decide(
      fixturePack("inbound-order"),
      store,
      message({ type: "ADT^A08", pid: { ...ROE, 2: "1002" } }),
      { trace: true },
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions[0]).toEqual({
      type: "patient.update",
      patientId: "1002",
      patient: ROE_RECORD,
    });
    expect(matchTrace(outcome)).toEqual([
      { step: "match", rule: "patientId", ref: "PID.2", detail: "found" },
    ]);
  });

  it("the same message under the default order matches Jane by her MRN", async () => {
    const store = await twoPatients("inbound-mrn");
    const outcome = await decide(
      mrnPack(),
      store,
      message({ type: "ADT^A08", pid: { ...JANE_MRN, 2: "1002" } }),
    );
    expect(outcome.actions[0]).toEqual({
      type: "patient.update",
      patientId: "1001",
      patient: JANE_RECORD,
    });
  });
});

describe("Table 5 – Patient-level custom fields (externalIds.patient)", () => {
  it("a create stores the IDs verbatim; leadingZeros: strip gives the matching key its own externalId.set", async () => {
    const store = await newStore();
    const outcome = await receive(mrnPack(), store, message({ type: "ADT^A04", pid: JANE_MRN }));
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([
      {
        type: "patient.create",
        patient: {
          ...JANE_RECORD,
          id: "1001",
          senderPatientId: "00123",
          externalIds: { mrn: "00123", chartNumber: "E-5001" },
        },
      },
      {
        type: "externalId.set",
        record: "patient",
        recordId: "1001",
        name: "mrn",
        value: "00123",
        key: "123",
      },
      { type: "privacy.set", patientId: "1001", privacy: PRIVACY_CHECKED },
      { type: "insurance.selfPay", patientId: "1001" },
    ]);
    expect(store.patientById("1001")?.externalIds).toEqual({ mrn: "00123", chartNumber: "E-5001" });
    expect(store.patientsByExternalId("mrn", "123").map((p) => p.id)).toEqual(["1001"]);
    expect(store.patientsByExternalId("mrn", "00123")).toEqual([]);
  });

  it('leadingZeros: strip – "00123" then "123" (and "0123") match the same patient, which keeps "00123"', async () => {
    const store = await newStore();
    await receive(mrnPack(), store, message({ type: "ADT^A04", pid: JANE_MRN }));
    for (const mrn of ["123", "0123"]) {
      const outcome = await receive(
        mrnPack(),
        store,
        message({ type: "ADT^A08", pid: { ...JANE, 3: `${mrn}^^^EHR^MR~E-5001^^^EHR^PI` } }),
      );
      expect(outcome.state).toBe("PROCESSED");
      expect(outcome.actions).toEqual([
        { type: "patient.update", patientId: "1001", patient: JANE_RECORD },
        { type: "insurance.selfPay", patientId: "1001" },
      ]);
    }
    expect(store.patientById("1001")?.externalIds).toEqual({ mrn: "00123", chartNumber: "E-5001" });
    expect(await store.messages({ state: "PROCESSED" })).toHaveLength(3);
  });

  it('leadingZeros: keep (inbound-order) – "123" is not "00123": a new patient', async () => {
    const store = await newStore();
    const pack = fixturePack("inbound-order");
    await receive(pack, store, message({ type: "ADT^A04", pid: JANE_MRN }));
    expect(store.patientsByExternalId("mrn", "00123").map((p) => p.id)).toEqual(["1001"]);
    const outcome = await receive(
      pack,
      store,
      message({ type: "ADT^A04", pid: { ...ROE, 3: "123^^^EHR^MR" } }),
    );
    expect(outcome.actions[0]).toEqual({
      type: "patient.create",
      patient: { ...ROE_RECORD, id: "1002", senderPatientId: "123", externalIds: { mrn: "123" } },
    });
  });

  it("an update sets an ID the patient does not have yet (new)", async () => {
    const store = await twoPatients("inbound-mrn");
    const outcome = await decide(
      mrnPack(),
      store,
      message({ type: "ADT^A08", pid: { ...ROE, 3: "777^^^EHR^MR~C-9^^^EHR^PI" } }),
    );
    expect(outcome.actions).toEqual([
      { type: "patient.update", patientId: "1002", patient: ROE_RECORD },
      {
        type: "externalId.set",
        record: "patient",
        recordId: "1002",
        name: "chartNumber",
        value: "C-9",
        key: "C-9",
      },
      { type: "insurance.selfPay", patientId: "1002" },
    ]);
  });

  it("an update sets an ID that changed, and the store indexes the new value", async () => {
    const store = await twoPatients("inbound-mrn");
    const outcome = await receive(
      mrnPack(),
      store,
      message({ type: "ADT^A08", pid: { ...JANE, 3: "00123^^^EHR^MR~E-5002^^^EHR^PI" } }),
    );
    expect(outcome.actions).toEqual([
      { type: "patient.update", patientId: "1001", patient: JANE_RECORD },
      {
        type: "externalId.set",
        record: "patient",
        recordId: "1001",
        name: "chartNumber",
        value: "E-5002",
        key: "E-5002",
      },
      { type: "insurance.selfPay", patientId: "1001" },
    ]);
    expect(store.patientById("1001")?.externalIds).toEqual({ mrn: "00123", chartNumber: "E-5002" });
    expect(store.patientsByExternalId("chartNumber", "E-5002").map((p) => p.id)).toEqual(["1001"]);
    expect(store.patientsByExternalId("chartNumber", "E-5001")).toEqual([]);
  });

  it("only one patient-level ID may be used for matching: OPTION_DEPENDENCY at load", async () => {
    const load = loadPack(`${FIXTURES}/inbound-two-matching-ids/pack.yaml`);
    expect(load.ok).toBe(false);
    if (load.ok) return;
    expect(load.errors.map(formatPackError)).toEqual([
      `${FIXTURES}/inbound-two-matching-ids/pack.yaml:14:5: OPTION_DEPENDENCY you can match only one external ID per record number category: useForMatching is set on mrn and chartNumber`,
    ]);
  });
});

/** Field weights as §13 defines them, from the default m and u. */
const agree = (m: number, u: number) => Math.log2(m / u);
const disagree = (m: number, u: number) => Math.log2((1 - m) / (1 - u));

describe("athena Patient Matching Logic – demographics, thresholds { match: 20, review: 12 } (the default)", () => {
  const basic = () => fixturePack("inbound-basic");

  async function janeStored(): Promise<Store> {
    const store = await newStore();
    await receive(basic(), store, message({ type: "ADT^A04", pid: JANE }));
    return store;
  }

  it("above the match threshold: patient.update of that patient", async () => {
    const store = await janeStored();
    // Name with middle initial, DOB and sex agree: 8.34 + 6.57 + 5.60 + 3 + 0.97 = 24.5
    const pid = { 1: "1", 3: "E-5001^^^EHR^PI", 5: "Doe^Jane^Q", 7: "19800214", 8: "F" };
    const outcome = await decide(basic(), store, message({ type: "ADT^A08", pid }));
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([
      {
        type: "patient.update",
        patientId: "1001",
        patient: {
          lastName: "Doe",
          firstName: "Jane",
          middleName: "Q",
          dob: "1980-02-14",
          sex: "F",
        },
      },
      { type: "insurance.selfPay", patientId: "1001" },
    ]);
  });

  it("between review and match: REVIEW_REQUIRED (possibleDuplicate) with per-field scores; no actions, ERROR", async () => {
    const store = await janeStored();
    // The middle initial disagrees: 8.34 + 6.57 + 5.60 - 2.17 + 0.97 = 19.31
    const pid = { 1: "1", 3: "E-7777^^^EHR^PI", 5: "Doe^Jane^R", 7: "19800214", 8: "F" };
    const outcome = await receive(basic(), store, message({ type: "ADT^A04", pid }));
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([{ code: "REVIEW_REQUIRED", severity: "error" }]);
    const scores = {
      ssn: 0,
      dob: agree(0.97, 0.003),
      lastName: agree(0.95, 0.01),
      firstName: agree(0.97, 0.02),
      middleName: disagree(0.8, 0.1),
      sex: agree(0.98, 0.5),
      address: 0,
      phone: 0,
      externalId: 0,
    };
    const total = Object.values(scores).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(12);
    expect(total).toBeLessThan(20);
    expect(outcome.review).toEqual([
      {
        reason: "possibleDuplicate",
        detail:
          "a stored patient scores between the review and match thresholds: a possible duplicate",
        candidates: [{ patientId: "1001", total: expect.closeTo(total, 9), scores }],
      },
    ]);
    expect(store.patientById("1002")).toBeUndefined();
    expect((await store.message(outcome.messageId))?.outcome?.review).toEqual(outcome.review);
  });

  it("below the review threshold: patient.create (a family member sharing name, address and phone)", async () => {
    const store = await janeStored();
    const pid = { ...JANE, 3: "E-5002^^^EHR^PI", 5: "Doe^John", 7: "19780503", 8: "M", 19: "" };
    const outcome = await decide(basic(), store, message({ type: "ADT^A04", pid }));
    expect(outcome.state).toBe("PROCESSED");
    const { middleName: _m, ssn: _s, ...household } = JANE_RECORD;
    expect(outcome.actions[0]).toEqual({
      type: "patient.create",
      patient: {
        ...household,
        id: "1002",
        firstName: "John",
        dob: "1978-05-03",
        sex: "M",
        senderPatientId: "E-5002",
      },
    });
  });

  it("a substantial change (DOB changed on a patient matched by ID): REVIEW_REQUIRED substantialChange", async () => {
    const store = await janeStored();
    const outcome = await receive(
      basic(),
      store,
      message({ type: "ADT^A08", pid: { ...JANE, 2: "1001", 7: "19800215" } }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([{ code: "REVIEW_REQUIRED", severity: "error" }]);
    expect(outcome.errors[0]?.message).toBe(
      "substantial demographic change (dob) to an existing patient needs review",
    );
    expect(outcome.review).toEqual([
      {
        reason: "substantialChange",
        detail: "the message changes dob of patient 1001",
        candidates: [
          {
            patientId: "1001",
            total: 0,
            scores: {},
            changes: { dob: { stored: "1980-02-14", received: "1980-02-15" } },
          },
        ],
      },
    ]);
    expect(store.patientById("1001")?.dob).toBe("1980-02-14");
  });

  it("a case change of the last name is not substantial: patient.update writes it", async () => {
    const store = await janeStored();
    const outcome = await receive(
      basic(),
      store,
      message({ type: "ADT^A08", pid: { ...JANE, 2: "1001", 5: "DOE^Jane^Q" } }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.review).toEqual([]);
    expect(outcome.actions).toEqual([
      { type: "patient.update", patientId: "1001", patient: { ...JANE_RECORD, lastName: "DOE" } },
      { type: "insurance.selfPay", patientId: "1001" },
    ]);
    expect(store.patientById("1001")?.lastName).toBe("DOE");
  });
});

describe("Table 5 – Patient-level custom fields: external IDs must be unique and non-changing", () => {
  it("an ID held by another patient is REVIEW_REQUIRED (ambiguousMatch), not given to a second patient", async () => {
    const store = await newStore();
    const pack = fixturePack("inbound-order");
    // Jane (1001, MRN 00123) and Roe (1002) registered without an MRN.
    for (const pid of [JANE_MRN, { ...ROE, 3: "R-9^^^EHR^PI" }]) {
      expect((await receive(pack, store, message({ type: "ADT^A04", pid }))).state).toBe(
        "PROCESSED",
      );
    }
    // Roe (1002) by PID.2, carrying Jane's MRN: only Roe's own demographics, so no substantial change.
    const outcome = await decide(
      fixturePack("inbound-order"),
      store,
      message({ type: "ADT^A08", pid: { ...ROE, 2: "1002", 3: "00123^^^EHR^MR" } }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([{ code: "REVIEW_REQUIRED", severity: "error" }]);
    expect(outcome.review).toEqual([
      {
        reason: "ambiguousMatch",
        detail: "external ID mrn '00123' already belongs to patient 1001",
        candidates: [{ patientId: "1001", total: 0, scores: {} }],
      },
    ]);
  });
});
