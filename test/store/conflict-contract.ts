import { describe, expect, it } from "vitest";
import { formatPackError } from "../../engine/documents/errors.js";
import { parseHl7 } from "../../engine/hl7/parse.js";
import type { Outcome } from "../../engine/model/outcome.js";
import { loadMasterData } from "../../engine/pack/master-data-load.js";
import { decide, decideAndComplete } from "../../engine/queue/intake.js";
import { StaleViewError } from "../../engine/store/errors.js";
import { subjectPatientId } from "../../engine/store/queue-records.js";
import type { ReadBasis } from "../../engine/store/read-keys.js";
import type { Completion, Store } from "../../engine/store/types.js";
import { decideFilling } from "../../engine/store/view-miss.js";
import { adt, HARBOR_MASTER_DATA, loadHarbor, RECEIVED } from "../queue/harbor-queue.js";

/**
 * Which decisions refuse each other (docs/decisions/0037): `complete` with
 * the view's `basis` refuses a decision only when a key it read (a patient,
 * an identifier or blocking key it searched, the next ID it took) was
 * written since, so different patients' decisions commit side by side and
 * two decisions creating one person never both commit. Run on every store.
 */

const pack = loadHarbor();
const COMPLETION: Completion = { kind: "receive", now: RECEIVED.toISOString() };
const utf8 = new TextEncoder();

/** Stored NEW, as the listener stores it before a worker claims it. */
function receiveOnly(store: Store, text: string): Promise<string> {
  return store.receive({
    raw: utf8.encode(text),
    receivedAt: RECEIVED.toISOString(),
    sender: "test",
    controlId: /\|ADT\^A\d\d\|([^|]*)\|/.exec(text)?.[1] ?? "",
    messageType: "ADT",
    direction: "inbound",
  });
}

const decideMessage = (text: string, messageId: string) => {
  const [message] = parseHl7(utf8.encode(text)).messages;
  if (!message) throw new Error("no message");
  return (view: Parameters<typeof decide>[1]) =>
    decide(pack, view, message, messageId, [], { now: RECEIVED });
};

/** A decision taken on a view opened now, not completed: its outcome and basis. */
async function decided(
  store: Store,
  text: string,
  messageId: string,
): Promise<{ outcome: Outcome; basis: ReadBasis }> {
  const opened = await store.openView({ lazy: true });
  const outcome = await decideFilling(opened, () => decideMessage(text, messageId)(opened.view));
  if (!opened.basis) throw new Error("the message path's view records no basis");
  return { outcome, basis: opened.basis };
}

/** Received and decided to the end, as a worker does (decided again when refused). */
async function processed(store: Store, text: string): Promise<Outcome> {
  const messageId = await receiveOnly(store, text);
  return decideAndComplete(store, decideMessage(text, messageId), COMPLETION, {
    messageId,
    at: RECEIVED.toISOString(),
  });
}

const types = (o: Outcome) => o.actions.map((a) => a.type);

export function conflictContract(name: string, open: () => Store | Promise<Store>): void {
  const withStore = async (test: (store: Store) => Promise<void>) => {
    const store = await open();
    const master = loadMasterData(HARBOR_MASTER_DATA);
    if (!master.ok) throw new Error(master.errors.map(formatPackError).join("\n"));
    await store.loadMasterData(master.data);
    try {
      await test(store);
    } finally {
      await store.close();
    }
  };

  describe(`complete(outcome, completion, basis) on ${name}`, () => {
    it("two decisions about different patients both commit, neither refused", () =>
      withStore(async (store) => {
        const first = await processed(store, adt({ control: "P1", mrn: "111", name: "Ames^Ann" }));
        const second = await processed(
          store,
          adt({ control: "P2", mrn: "222", name: "Bell^Bo", dob: "19700101" }),
        );
        const ann = adt({
          control: "U1",
          type: "A08",
          mrn: "111",
          name: "Ames^Ann",
          address: "1 Elm St^^Salem^OR^97301",
        });
        const bo = adt({
          control: "U2",
          type: "A08",
          mrn: "222",
          name: "Bell^Bo",
          dob: "19700101",
          address: "2 Oak St^^Bend^OR^97701",
        });
        const a = await decided(store, ann, await receiveOnly(store, ann));
        const b = await decided(store, bo, await receiveOnly(store, bo));
        expect(types(a.outcome)).toEqual(["patient.update"]);
        expect(types(b.outcome)).toEqual(["patient.update"]);
        await store.complete(a.outcome, COMPLETION, a.basis);
        await store.complete(b.outcome, COMPLETION, b.basis);
        expect(subjectPatientId(a.outcome)).toBe(subjectPatientId(first));
        expect(subjectPatientId(b.outcome)).toBe(subjectPatientId(second));
        expect((await store.message(b.outcome.messageId))?.state).toBe("PROCESSED");
      }));

    it("two decisions creating one person (same identifier): one commits, the other is refused and, decided again, updates the first's", () =>
      withStore(async (store) => {
        const once = adt({ control: "C1" });
        const twice = adt({ control: "C2" });
        const a = await decided(store, once, await receiveOnly(store, once));
        const secondId = await receiveOnly(store, twice);
        const b = await decided(store, twice, secondId);
        expect(types(a.outcome)).toContain("patient.create");
        expect(types(b.outcome)).toContain("patient.create");
        await store.complete(a.outcome, COMPLETION, a.basis);
        await expect(store.complete(b.outcome, COMPLETION, b.basis)).rejects.toBeInstanceOf(
          StaleViewError,
        );
        expect((await store.message(secondId))?.state).toBe("NEW");
        const again = await decideAndComplete(store, decideMessage(twice, secondId), COMPLETION, {
          messageId: secondId,
          at: RECEIVED.toISOString(),
        });
        expect(types(again)).not.toContain("patient.create");
        expect(subjectPatientId(again)).toBe(subjectPatientId(a.outcome));
        expect((await store.patientPage(0, 10)).records).toHaveLength(1);
      }));

    it("two decisions creating one person found only by demographics (same blocking keys): the second is refused", () =>
      withStore(async (store) => {
        const once = adt({ control: "D1", mrn: "555" });
        const twice = adt({ control: "D2", mrn: "556" });
        const a = await decided(store, once, await receiveOnly(store, once));
        const secondId = await receiveOnly(store, twice);
        const b = await decided(store, twice, secondId);
        expect(types(a.outcome)).toContain("patient.create");
        expect(types(b.outcome)).toContain("patient.create");
        await store.complete(a.outcome, COMPLETION, a.basis);
        await expect(store.complete(b.outcome, COMPLETION, b.basis)).rejects.toBeInstanceOf(
          StaleViewError,
        );
        const again = await decideAndComplete(store, decideMessage(twice, secondId), COMPLETION, {
          messageId: secondId,
          at: RECEIVED.toISOString(),
        });
        // Decided again, it finds the first: matched, or held for a person to review; never a silent second.
        expect(types(again)).not.toContain("patient.create");
      }));

    it("an update to patient X committed while a decision read X refuses that decision", () =>
      withStore(async (store) => {
        const created = await processed(store, adt({ control: "X1" }));
        const patientId = subjectPatientId(created) ?? "";
        const update = adt({ control: "X2", type: "A08", address: "9 Pine St^^Salem^OR^97301" });
        const read = await decided(store, update, await receiveOnly(store, update));
        expect(subjectPatientId(read.outcome)).toBe(patientId);
        const other = await receiveOnly(store, adt({ control: "X3", type: "A08" }));
        await store.complete(
          {
            messageId: other,
            controlId: "X3",
            messageType: "ADT^A08",
            state: "PROCESSED",
            actions: [{ type: "patient.update", patientId, patient: { firstName: "Lin" } }],
            errors: [],
            review: [],
            trace: [],
          },
          COMPLETION,
        );
        await expect(store.complete(read.outcome, COMPLETION, read.basis)).rejects.toBeInstanceOf(
          StaleViewError,
        );
      }));

    it("an update to another patient does not refuse it", () =>
      withStore(async (store) => {
        const created = await processed(store, adt({ control: "Y1" }));
        const other = await processed(
          store,
          adt({ control: "Y2", mrn: "999", name: "Cole^Cy", dob: "19600606" }),
        );
        const update = adt({ control: "Y3", type: "A08", address: "9 Pine St^^Salem^OR^97301" });
        const read = await decided(store, update, await receiveOnly(store, update));
        expect(subjectPatientId(read.outcome)).toBe(subjectPatientId(created));
        const otherUpdate = await receiveOnly(store, adt({ control: "Y4", type: "A08" }));
        await store.complete(
          {
            messageId: otherUpdate,
            controlId: "Y4",
            messageType: "ADT^A08",
            state: "PROCESSED",
            actions: [
              {
                type: "patient.update",
                patientId: subjectPatientId(other) ?? "",
                patient: { firstName: "Cyrus" },
              },
            ],
            errors: [],
            review: [],
            trace: [],
          },
          COMPLETION,
        );
        await store.complete(read.outcome, COMPLETION, read.basis);
        expect((await store.message(read.outcome.messageId))?.state).toBe("PROCESSED");
      }));
  });
}
