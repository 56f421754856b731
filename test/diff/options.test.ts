import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { diffPacks, type PackDiff } from "../../engine/diff/diff.js";
import { changedMessages, corpusInputs, HARBOR, practice, VARIANTS } from "./corpus.js";

/**
 * One option of each kind changed in Harbor's pack (test/fixtures/diff/
 * harbor-ortho/), the corpus replayed through Harbor and through the
 * variant: exactly the messages the option reaches change, nothing else.
 * (A mapping row is changed in git: against-ref.test.ts.)
 */

const inputs = corpusInputs();
const harbor = practice(HARBOR);
const against = (variant: string): Promise<PackDiff> =>
  diffPacks(harbor, practice(join(VARIANTS, variant)), inputs);

describe("identical packs", () => {
  it("give zero changes on the whole corpus", async () => {
    const diff = await against("same.yaml");
    expect(diff.changes).toEqual([]);
    expect(diff.summary).toEqual({
      messages: 94,
      stateChanged: [],
      actionsOrErrorsChanged: 0,
      unchanged: 94,
    });
  });
});

describe("a required field (patient PID.13)", () => {
  let diff: PackDiff;
  beforeAll(async () => {
    diff = await against("required-phone.yaml");
  });

  it("holds the patients created without a home phone, and only them", () => {
    expect(changedMessages(diff)).toEqual([
      "ADT_A01__hl7v2fhir__1.hl7 4637382 ADT^A01 ERROR",
      "ADT_A01__mirth__3.hl7 6032627 ADT^A01 PROCESSED -> ERROR",
      "ADT_A01__pipehat__1.hl7 01052901 ADT^A01 PROCESSED -> ERROR",
      "ADT_A01__renalware__1.hl7 Q1663235323T1667361990X221284A1117 ADT^A01 ERROR",
      "ADT_A28__efferent__1.hl7 0000000111300053 ADT^A28 PROCESSED -> ERROR",
      "BATCH_BHS__pythonhl7__1.hl7 12334456778890 ADT^A04 ERROR",
      "BATCH_BHS__pythonhl7__1.hl7 12334456778891 ADT^A04 ERROR",
      "BATCH_FHS__pythonhl7__1.hl7 12334456778890 ADT^A04 ERROR",
      "BATCH_FHS__pythonhl7__1.hl7 12334456778891 ADT^A04 ERROR",
      "BATCH_FHS__pythonhl7__1.hl7 12334456778890 ADT^A04 ERROR",
    ]);
    expect(diff.summary.stateChanged).toEqual([{ from: "PROCESSED", to: "ERROR", messages: 3 }]);
  });

  it("names the new error and the actions no longer taken", () => {
    const pipehat = diff.changes.find((c) => c.source.endsWith("ADT_A01__pipehat__1.hl7"));
    expect(pipehat?.errors).toEqual([
      {
        change: "added",
        error: expect.objectContaining({ code: "REQUIRED_FIELD_MISSING", field: "PID.13" }),
      },
    ]);
    expect(
      pipehat?.actions.map((a) => [a.change, a.change === "changed" ? a.type : a.action.type]),
    ).toEqual([
      ["removed", "patient.create"],
      ["removed", "privacy.set"],
    ]);
  });
});

describe("an insurance mode (always instead of whenPresent)", () => {
  let diff: PackDiff;
  beforeAll(async () => {
    diff = await against("insurance-always.yaml");
  });

  it("sets self-pay on patient messages without IN1; states stay", () => {
    expect(changedMessages(diff)).toEqual([
      "ADT_A01__pipehat__1.hl7 01052901 ADT^A01 PROCESSED",
      "ADT_A04__nhapitools__1.hl7 1817457 ADT^A04 PROCESSED",
      "ADT_A08__msfhir__2.hl7 MSG00001 ADT^A08 PROCESSED",
      "ADT_A28__efferent__1.hl7 0000000111300053 ADT^A28 PROCESSED",
      "ADT_A28__msfhir__1.hl7 MSG00001 ADT^A28 PROCESSED",
      "ADT_A28__msfhir__2.hl7 MSG00001 ADT^A28 PROCESSED",
      "ADT_A31__mirth__1.hl7 603261 ADT^A31 PROCESSED",
      "ADT_A31__msfhir__1.hl7 MSG00001 ADT^A31 PROCESSED",
      "ADT_A31__msfhir__2.hl7 MSG00001 ADT^A31 PROCESSED",
      "SIU_S12__msfhir__1.hl7 MSG00012 SIU^S12 PROCESSED",
    ]);
    expect(diff.summary).toMatchObject({ stateChanged: [], actionsOrErrorsChanged: 10 });
  });

  it("names a created patient by the message that created it, in both runs", () => {
    const pipehat = diff.changes.find((c) => c.source.endsWith("ADT_A01__pipehat__1.hl7"));
    expect(pipehat?.actions).toEqual([
      {
        change: "added",
        action: { type: "insurance.selfPay", patientId: `new patient (#${pipehat?.position})` },
      },
    ]);
  });

  it("shows a changed action field by field, old -> new", () => {
    const siu = diff.changes.find((c) => c.source.endsWith("SIU_S12__msfhir__1.hl7"));
    const change = siu?.actions[0];
    expect(change).toMatchObject({ change: "changed", type: "appointment.create" });
    expect(change?.change === "changed" && change.fields).toContainEqual({
      path: "appointment.primaryPolicy.packageId",
      old: "6415",
    });
  });
});

describe("a matching threshold (demographics match 4, review 2)", () => {
  it("sends the one patient whose demographics now reach a stored one to review", async () => {
    const diff = await against("threshold.yaml");
    expect(changedMessages(diff)).toEqual(["ADT_A04__renalware__1.hl7 Q1663235 ADT^A04 ERROR"]);
    expect(diff.changes[0]?.errors).toEqual([
      { change: "added", error: expect.objectContaining({ code: "REVIEW_REQUIRED" }) },
    ]);
  });
});
