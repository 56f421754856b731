import { describe, expect, it } from "vitest";
import { reprocessMessages, selectBlockedOn } from "../../engine/queue/reprocess.js";
import {
  ACME_PLAN,
  addMappingRow,
  adt,
  copyHarbor,
  dft,
  harborStore,
  LATER,
  loadHarbor,
  receive,
  siu,
} from "./harbor-queue.js";

/**
 * Dependents are found by the patient identifier as the matcher normalises
 * it: Harbor's orthochartMrn strips leading zeros, so an S12 with MRN
 * 12345 is the same patient as an A04 with 00012345, and is retried after
 * it, before the DFT it books the appointment for.
 */
describe("reprocess dependents with leadingZeros: strip", () => {
  it("an A04 with 00012345 waiting on its plan; the S12 (12345) and the DFT (00012345) behind it follow in receipt order", async () => {
    const store = await harborStore();
    const pack = loadHarbor();
    await receive(
      pack,
      store,
      adt({ control: "A1", mrn: "00012345", plan: ["ACME-9", "Acme Health", "1 Acme Way"] }),
    );
    await receive(pack, store, siu({ control: "S1", visit: "00331", mrn: "12345" }), 1);
    await receive(pack, store, dft("D1", "00331", "29881", "00012345"), 2);
    expect(
      (await store.messages()).map((m) => m.outcome?.errors.map((e) => e.code).join()),
    ).toEqual(["UNMAPPED_INSURANCE", "PATIENT_NOT_FOUND", "PATIENT_NOT_FOUND"]);

    const copy = copyHarbor();
    addMappingRow(copy, "insurancePlan", ACME_PLAN, "00312");
    const selection = await selectBlockedOn(store, "UNMAPPED_INSURANCE", ACME_PLAN);
    if (!selection.ok) throw new Error(selection.message);
    const attempts = await reprocessMessages(loadHarbor(copy.pack), store, selection.messages, {
      clock: () => LATER,
      actor: "amy",
      force: false,
    });

    expect(attempts.map((a) => `${a.messageId} ${a.messageType} ${a.to} ${a.after ?? ""}`)).toEqual(
      [
        "q-000001 ADT^A04 PROCESSED ",
        "q-000002 SIU^S12 PROCESSED q-000001",
        "q-000003 DFT^P03 PROCESSED q-000001",
      ],
    );
  });
});
