import { describe, expect, it } from "vitest";
import { formatPackError } from "../../engine/documents/errors.js";
import { parseHl7 } from "../../engine/hl7/parse.js";
import { processMessage } from "../../engine/inbound/process.js";
import type { ReviewDecision } from "../../engine/model/outcome.js";
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
  NOW,
  newStore,
  receive,
} from "./helpers.js";

/**
 * "External IDs must be unique and non-changing" (Table 5 – Patient-level
 * custom fields) and the spec's matching order (docs/pack-language.md §12,
 * §13): a message never silently changes the identifier a patient is
 * matched by, and never silently merges two identifiers.
 */

const mrnPack = () => fixturePack("inbound-mrn");
const basic = () => fixturePack("inbound-basic");

/** Jane with MRN 00123 (matching, leading zeros stripped) and chart number E-5001. */
const JANE_MRN: Fields = { ...JANE, 3: "00123^^^EHR^MR~E-5001^^^EHR^PI" };

async function janeStored(pack: ReturnType<typeof fixturePack>, pid: Fields): Promise<Store> {
  const store = await newStore();
  const outcome = await receive(pack, store, message({ type: "ADT^A04", pid }));
  expect(outcome.errors).toEqual([]);
  return store;
}

describe("externalIds.patient with useForMatching: a conflicting identifier is reviewed, never overwritten", () => {
  it("an A04 with MRN 555 and Jane's demographics (matched on demographics, Jane holds 00123): REVIEW_REQUIRED naming both, no externalId.set", async () => {
    const store = await janeStored(mrnPack(), JANE_MRN);
    const outcome = await receive(
      mrnPack(),
      store,
      message({ type: "ADT^A04", pid: { ...JANE, 3: "555^^^EHR^MR~E-5001^^^EHR^PI" } }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([{ code: "REVIEW_REQUIRED", severity: "error" }]);
    expect(outcome.errors[0]?.message).toBe(
      "the message's mrn '555' differs from patient 1001's '00123' (matched by demographics); identifiers used for matching never change, so a person decides",
    );
    expect(outcome.review).toEqual([
      {
        reason: "possibleDuplicate",
        detail:
          "the message's mrn '555' differs from patient 1001's '00123': the same person under two identifiers, or two people",
        candidates: [{ patientId: "1001", total: 0, scores: {} }],
      },
    ]);
    expect(store.patientById("1001")?.externalIds).toEqual({ mrn: "00123", chartNumber: "E-5001" });
  });

  it("matched by the practice ID (PID.2 1001) with MRN 999: REVIEW_REQUIRED too", async () => {
    const store = await janeStored(mrnPack(), JANE_MRN);
    const outcome = await decide(
      mrnPack(),
      store,
      message({
        type: "ADT^A08",
        pid: { ...JANE_MRN, 2: "1001", 3: "999^^^EHR^MR~E-5001^^^EHR^PI" },
      }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(outcome.errors[0]?.message).toContain("'999' differs from patient 1001's '00123'");
  });

  it("the same MRN written with other leading zeros (0123) is no conflict", async () => {
    const store = await janeStored(mrnPack(), JANE_MRN);
    const outcome = await decide(
      mrnPack(),
      store,
      message({ type: "ADT^A08", pid: { ...JANE, 2: "1001", 3: "0123^^^EHR^MR~E-5001^^^EHR^PI" } }),
    );
    expect(outcome.state).toBe("PROCESSED");
  });

  it("a person's review: --create-new registers the second patient; --merge-with keeps the stored MRN", async () => {
    const store = await janeStored(mrnPack(), JANE_MRN);
    const hl7 = message({ type: "ADT^A04", pid: { ...JANE, 3: "555^^^EHR^MR~E-6001^^^EHR^PI" } });
    const parsedNew = await decideWith(store, hl7, { kind: "createNew" });
    expect(parsedNew.state).toBe("PROCESSED");
    expect(parsedNew.actions[0]).toMatchObject({
      type: "patient.create",
      patient: { id: "1002", externalIds: { mrn: "555", chartNumber: "E-6001" } },
    });
    const merged = await decideWith(store, hl7, { kind: "mergeWith", patientId: "1001" });
    expect(merged.state).toBe("PROCESSED");
    expect(merged.actions.map((a) => a.type)).toEqual([
      "patient.update",
      "externalId.set", // the chart number, which is not used for matching
      "insurance.selfPay",
    ]);
    expect(merged.actions).not.toContainEqual(expect.objectContaining({ name: "mrn" }));
  });

  it("a patient who has no MRN yet gets it (new, not a change)", async () => {
    const store = await janeStored(mrnPack(), { ...JANE, 3: "E-5001^^^EHR^PI" });
    const outcome = await decide(
      mrnPack(),
      store,
      message({ type: "ADT^A08", pid: { ...JANE, 3: "555^^^EHR^MR~E-5001^^^EHR^PI" } }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toContainEqual({
      type: "externalId.set",
      record: "patient",
      recordId: "1001",
      name: "mrn",
      value: "555",
      key: "555",
    });
  });
});

/** The message decided again with a person's review decision (`rulepack review`). */
async function decideWith(store: Store, hl7: string, review: ReviewDecision) {
  const doc = parseHl7(hl7);
  const tree = doc.messages[0];
  if (!tree) throw new Error("no message");
  return processMessage(mrnPack(), tree, store, NOW, "m-review", doc.issues, { review });
}

describe("no matching identifier configured: the sender's patient identifier (PID-3) is kept and compared", () => {
  it("a create stores PID-3's MR repetition, else its first, as patient.senderPatientId", async () => {
    const store = await newStore();
    const outcome = await receive(basic(), store, message({ type: "ADT^A04", pid: JANE }));
    expect(outcome.actions[0]).toEqual({
      type: "patient.create",
      patient: { ...JANE_RECORD, id: "1001", senderPatientId: "E-5001" },
    });
    const mr = await receive(
      basic(),
      await newStore(),
      message({ type: "ADT^A04", pid: { ...JANE, 3: "E-5001^^^EHR^PI~M-77^^^EHR^MR" } }),
    );
    expect(mr.actions[0]).toMatchObject({ patient: { senderPatientId: "M-77" } });
  });

  it("two A04s with different PID-3 values and the same demographics are not merged: REVIEW_REQUIRED naming both", async () => {
    const store = await janeStored(basic(), JANE);
    const outcome = await receive(
      basic(),
      store,
      message({ type: "ADT^A04", pid: { ...JANE, 3: "E-9999^^^EHR^PI" } }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([{ code: "REVIEW_REQUIRED", severity: "error" }]);
    expect(outcome.errors[0]?.message).toBe(
      "the message's sender patient ID (PID-3) 'E-9999' differs from patient 1001's 'E-5001' (matched by demographics); identifiers used for matching never change, so a person decides",
    );
    expect(outcome.review[0]?.reason).toBe("possibleDuplicate");
    expect(store.patientById("1002")).toBeUndefined();
  });

  it("the same PID-3 and demographics: an update, which leaves the stored sender ID as it is", async () => {
    const store = await janeStored(basic(), JANE);
    const outcome = await decide(basic(), store, message({ type: "ADT^A08", pid: JANE }));
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions[0]).toEqual({
      type: "patient.update",
      patientId: "1001",
      patient: JANE_RECORD,
    });
  });
});

describe("no matching identifier configured: a stored patient's PID-3 on a message that matches nobody", () => {
  /** Jane after she married and moved: her PID-3 and birth date, a new surname, address and phone, no SSN. */
  const JANE_MOVED: Fields = {
    1: "1",
    3: "E-5001^^^EHR^PI",
    5: "Smith^Jane",
    7: "19800214",
    8: "F",
    11: "4 Oak Ave^^Peoria^IL^61602",
    13: "(309)555-0177^PRN^PH",
  };

  it("an A04 with Jane's PID-3 and demographics that match nobody: REVIEW_REQUIRED naming patient 1001, no second patient", async () => {
    const store = await janeStored(basic(), JANE);
    const outcome = await receive(basic(), store, message({ type: "ADT^A04", pid: JANE_MOVED }));
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([{ code: "REVIEW_REQUIRED", severity: "error" }]);
    expect(outcome.errors[0]?.message).toBe(
      "patient 1001 holds the message's sender patient ID (PID-3) 'E-5001' but its demographics do not match; a second patient with the same sender patient ID is not created without review",
    );
    expect(outcome.review).toEqual([
      {
        reason: "possibleDuplicate",
        detail:
          "patient 1001 holds the message's sender patient ID (PID-3) 'E-5001' but its demographics do not match: the same person with changed demographics, or another person under that identifier",
        candidates: [{ patientId: "1001", total: 0, scores: {} }],
      },
    ]);
    expect(store.patientById("1002")).toBeUndefined();
  });

  it("a person's --create-new registers the second patient after all", async () => {
    const store = await janeStored(basic(), JANE);
    const doc = parseHl7(message({ type: "ADT^A04", pid: JANE_MOVED }));
    const tree = doc.messages[0];
    if (!tree) throw new Error("no message");
    const outcome = await processMessage(basic(), tree, store, NOW, "m-review", doc.issues, {
      review: { kind: "createNew" },
    });
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions[0]).toMatchObject({
      type: "patient.create",
      patient: { id: "1002", lastName: "Smith", senderPatientId: "E-5001" },
    });
  });

  it("another PID-3 with the same changed demographics is a new patient (no one holds it)", async () => {
    const store = await janeStored(basic(), JANE);
    const outcome = await decide(
      basic(),
      store,
      message({ type: "ADT^A04", pid: { ...JANE_MOVED, 3: "E-7002^^^EHR^PI" } }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions[0]).toMatchObject({
      type: "patient.create",
      patient: { id: "1002", senderPatientId: "E-7002" },
    });
  });
});

describe("matching.patientId.unknown: a practice patient ID that is present but unknown", () => {
  it("error (the base): PID.2 7777 held by nobody is PATIENT_NOT_FOUND naming it, not a demographic match", async () => {
    const store = await janeStored(basic(), JANE);
    const outcome = await decide(
      basic(),
      store,
      message({ type: "ADT^A08", pid: { ...JANE, 2: "7777" } }),
      { trace: true },
    );
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      { code: "PATIENT_NOT_FOUND", severity: "error", field: "PID.2", value: "7777" },
    ]);
    expect(outcome.errors[0]?.message).toBe(
      "the practice patient ID '7777' (PID.2) belongs to no patient; a present patient ID is not matched on demographics (matching.patientId.unknown: error)",
    );
    expect(outcome.trace.some((t) => t.rule === "demographics")).toBe(false);
  });

  it("demographics: the spec's fallback kept, the patient found by demographics is updated", async () => {
    const pack = fixturePack("inbound-unknown-id-demographics");
    const store = await janeStored(pack, JANE);
    const outcome = await decide(
      pack,
      store,
      message({ type: "ADT^A08", pid: { ...JANE, 2: "7777" } }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions[0]).toMatchObject({ type: "patient.update", patientId: "1001" });
  });

  it("no PID.2 at all still falls back to demographics (the spec: 'not present in the message')", async () => {
    const store = await janeStored(basic(), JANE);
    const outcome = await decide(basic(), store, message({ type: "ADT^A08", pid: JANE }));
    expect(outcome.state).toBe("PROCESSED");
  });
});

describe("loader checks on externalIds.patient", () => {
  it("useForMatching with direction: outbound can never match: OPTION_DEPENDENCY at load", async () => {
    const file = `${FIXTURES}/inbound-outbound-matching-id/pack.yaml`;
    const load = loadPack(file);
    expect(load.ok).toBe(false);
    if (load.ok) return;
    expect(load.errors.map(formatPackError)).toEqual([
      `${file}:18:18: OPTION_DEPENDENCY externalIds.patient 'mrn' is used for matching but direction: outbound (never read from a received message): it could never match; use direction both or inbound, or useForMatching: false`,
    ]);
  });
});
