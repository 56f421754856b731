import { afterEach, describe, expect, it } from "vitest";
import type {
  AppointmentChange,
  ChargeAdd,
  ClaimCreate,
  PatientCreate,
  TypedAction,
} from "../../engine/model/actions.js";
import { EMPTY_MASTER_DATA, type MasterData } from "../../engine/model/master-data.js";
import type { Outcome, QueueState } from "../../engine/model/outcome.js";
import type { Policy } from "../../engine/model/records.js";
import { StoreActionError, UnknownMessageError } from "../../engine/store/errors.js";
import type { Completion, ReceivedMessage, Store, StoreView } from "../../engine/store/types.js";

/**
 * The Store contract, run against every implementation (memory.test.ts,
 * sqlite.test.ts). Each test builds a fresh store, applies outcomes through
 * the public API only, and asserts the exact stored records.
 */

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The attempt of a message completed on receipt; the store never reads the clock. */
export const RECEIVED: Completion = { kind: "receive", now: "2026-01-01T00:00:00.000Z" };

export function received(overrides: Partial<ReceivedMessage> = {}): ReceivedMessage {
  return {
    raw: bytes("MSH|^~\\&|EHR|FAC|PM|FAC|20260101120000||ADT^A04|CTRL1|P|2.5.1\rPID|1||123\r"),
    receivedAt: "2026-01-01T12:00:00.000Z",
    sender: "file:test.hl7",
    controlId: "CTRL1",
    messageType: "ADT^A04",
    direction: "inbound",
    ...overrides,
  };
}

export function outcomeOf(
  messageId: string,
  actions: readonly TypedAction[],
  state: QueueState = "PROCESSED",
): Outcome {
  return {
    messageId,
    controlId: "CTRL1",
    messageType: "ADT^A04",
    state,
    actions,
    errors:
      state === "ERROR"
        ? [{ code: "REQUIRED_FIELD_MISSING", severity: "error", message: "dob", field: "PID.7" }]
        : [],
    review: [],
    trace: [],
  };
}

/** The view a decision would read, opened now. */
export const view = async (store: Store): Promise<StoreView> => (await store.openView()).view;

/** Receive a message and complete it with these actions; returns its message ID. */
export async function apply(
  store: Store,
  actions: readonly TypedAction[],
  state: QueueState = "PROCESSED",
): Promise<string> {
  const id = await store.receive(received());
  await store.complete(outcomeOf(id, actions, state), RECEIVED);
  return id;
}

export const ALICE: PatientCreate["patient"] = {
  id: "1001",
  lastName: "Smith",
  firstName: "Alice",
  dob: "1980-02-14",
  sex: "F",
  ssn: "123-45-6789",
  address: { line1: "1 Main St", city: "Springfield", state: "NY", zip: "12345" },
  phones: { home: "(555) 123-4567", mobile: "555-000-1111" },
};

export const createPatient = (patient: PatientCreate["patient"] = ALICE): PatientCreate => ({
  type: "patient.create",
  patient,
});

const PPO: Policy = {
  sequence: 1,
  packageId: "4471",
  foreignKey: "HMP-100",
  policyNumber: "P-1",
  relationshipToInsured: "self",
  insured: { lastName: "Smith", firstName: "Alice" },
};

const APPOINTMENT = {
  id: "1001",
  patientId: "1001",
  start: "2026-03-02T09:30:00-05:00",
  durationMinutes: 15,
  providerId: "101",
  departmentId: "1",
  type: "12",
  status: "f" as const,
};

const CLAIM: ClaimCreate["claim"] = {
  id: "1001",
  status: "unbilled",
  patientId: "1001",
  serviceDate: "2026-03-02",
  renderingProviderId: "104",
  supervisingProviderId: "102",
  departmentId: "1",
  diagnoses: ["M17.11"],
  lines: [{ procedure: "99213", modifiers: [], units: 1, diagnosisPointers: [1] }],
};

/** Run `fn`, expecting a StoreActionError with this code. */
async function expectStoreError(
  fn: () => Promise<unknown>,
  code: StoreActionError["code"],
): Promise<StoreActionError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StoreActionError);
    expect((e as StoreActionError).code).toBe(code);
    return e as StoreActionError;
  }
  throw new Error(`expected a StoreActionError ${code}, nothing was thrown`);
}

/** A maker of stores for one describe block, each closed after its test. */
export function freshStores(make: () => Store): () => Store {
  const opened: Store[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });
  return () => {
    const store = make();
    opened.push(store);
    return store;
  };
}

export function storeContract(name: string, make: () => Store): void {
  describe(`Store contract: ${name}`, () => {
    const fresh = freshStores(make);

    describe("messages", () => {
      it("receive gives q- IDs from q-000001 and records the message as NEW", async () => {
        const store = fresh();
        const message = received({ sender: "mllp:127.0.0.1:5000", controlId: "X9" });
        expect(await store.receive(message)).toBe("q-000001");
        expect(await store.receive(received())).toBe("q-000002");
        const stored = await store.message("q-000001");
        expect(stored).toEqual({
          ...message,
          messageId: "q-000001",
          sequence: 1,
          state: "NEW",
          stateAt: message.receivedAt,
        });
        expect(stored?.outcome).toBeUndefined();
        expect(Array.from(stored?.raw ?? [])).toEqual(Array.from(message.raw));
      });

      it("keeps raw bytes exactly, including bytes that are not UTF-8", async () => {
        const store = fresh();
        const raw = new Uint8Array([0x0b, 0x4d, 0x53, 0x48, 0xe9, 0x00, 0xff, 0x1c, 0x0d]);
        const id = await store.receive(received({ raw }));
        expect(Array.from((await store.message(id))?.raw ?? [])).toEqual(Array.from(raw));
      });

      it("complete records the final state and the outcome", async () => {
        const store = fresh();
        const id = await store.receive(received());
        const outcome = outcomeOf(id, [createPatient()]);
        await store.complete(outcome, RECEIVED);
        expect((await store.message(id))?.state).toBe("PROCESSED");
        expect((await store.message(id))?.outcome).toEqual(outcome);
      });

      it("lists messages in the order received, optionally by state", async () => {
        const store = fresh();
        const a = await apply(store, [], "PROCESSED");
        const b = await apply(store, [], "ERROR");
        const c = await store.receive(received({ controlId: "C" }));
        const d = await apply(store, [], "ERROR");
        expect((await store.messages()).map((m) => m.messageId)).toEqual([a, b, c, d]);
        expect((await store.messages({ state: "ERROR" })).map((m) => m.messageId)).toEqual([b, d]);
        expect((await store.messages({ state: "NEW" })).map((m) => m.controlId)).toEqual(["C"]);
        expect(await store.messages({ state: "DELETED" })).toEqual([]);
      });

      it("a message can be completed again (reprocessing) and keeps the last outcome", async () => {
        const store = fresh();
        const id = await apply(store, [], "ERROR");
        await store.complete(outcomeOf(id, [createPatient()], "PROCESSED"), RECEIVED);
        expect((await store.message(id))?.state).toBe("PROCESSED");
        expect((await store.message(id))?.outcome?.actions).toHaveLength(1);
        expect((await view(store)).patientById("1001")).toBeDefined();
      });

      it("an unknown message ID reads as undefined and cannot be completed", async () => {
        const store = fresh();
        expect(await store.message("q-000404")).toBeUndefined();
        await expect(
          async () => await store.complete(outcomeOf("q-000404", [createPatient()]), RECEIVED),
        ).rejects.toThrow(UnknownMessageError);
        await expect(
          async () => await store.complete(outcomeOf("q-000404", [], "ERROR"), RECEIVED),
        ).rejects.toThrow(UnknownMessageError);
        expect((await view(store)).patientById("1001")).toBeUndefined();
      });
    });

    describe("queueOutbound: per-pack control numbers taken with the queued message", () => {
      const built = (sequence: number) => ({
        raw: bytes(
          `MSH|^~\\&|RULEPACK|F|R||20260101120000||SIU^S12^SIU_S12|H${sequence}|P|2.5.1\r`,
        ),
        receivedAt: "2026-01-01T12:00:00.000Z",
        sender: "outbound:harbor",
        controlId: `H${sequence}`,
        messageType: "SIU^S12",
      });

      it("numbers each pack from 1 and stores the message as NEW, direction outbound", async () => {
        const store = fresh();
        const inbound = await store.receive(received());
        const a = await store.queueOutbound("harbor", built);
        const b = await store.queueOutbound("harbor", built);
        const c = await store.queueOutbound("lakeside", built);
        expect([inbound, a, b, c]).toEqual(["q-000001", "q-000002", "q-000003", "q-000004"]);
        expect(await store.message(a)).toEqual({
          ...built(1),
          direction: "outbound",
          messageId: a,
          sequence: 2,
          state: "NEW",
          stateAt: built(1).receivedAt,
        });
        expect((await store.message(b))?.controlId).toBe("H2");
        expect((await store.message(c))?.controlId).toBe("H1");
        expect((await store.messages({ state: "NEW" })).map((m) => m.direction)).toEqual([
          "inbound",
          "outbound",
          "outbound",
          "outbound",
        ]);
      });

      it("a build that throws takes no number and queues nothing", async () => {
        const store = fresh();
        await expect(
          async () =>
            await store.queueOutbound("harbor", () => {
              throw new Error("boom");
            }),
        ).rejects.toThrow("boom");
        expect(await store.messages()).toEqual([]);
        expect((await store.message(await store.queueOutbound("harbor", built)))?.controlId).toBe(
          "H1",
        );
      });
    });

    describe("states that do not apply actions", () => {
      for (const state of ["ERROR", "CBOERROR", "ATHENAERROR", "DELETED"] as const) {
        it(`${state}: nothing applied, state and outcome recorded`, async () => {
          const store = fresh();
          const id = await store.receive(received());
          const outcome = outcomeOf(id, [createPatient()], state);
          await store.complete(outcome, RECEIVED);
          expect((await view(store)).patientById("1001")).toBeUndefined();
          expect((await view(store)).nextId("patient")).toBe("1001");
          expect((await store.message(id))?.state).toBe(state);
          expect((await store.message(id))?.outcome).toEqual(outcome);
        });
      }

      it("NEW (an outbound message waiting to be sent) applies its actions", async () => {
        const store = fresh();
        await apply(store, [createPatient()], "NEW");
        expect((await view(store)).patientById("1001")).toBeDefined();
      });
    });

    describe("transactions", () => {
      it("a failing action rolls back every action of the message", async () => {
        const store = fresh();
        await apply(store, [createPatient()]);
        const id = await store.receive(received());
        const bob: PatientCreate["patient"] = {
          id: "1002",
          lastName: "Jones",
          dob: "1975-05-05",
          externalIds: { mrn: "M-2" },
        };
        const actions: TypedAction[] = [
          createPatient(bob),
          { type: "insurance.add", patientId: "1001", policy: PPO },
          { type: "patient.update", patientId: "1001", patient: { lastName: "Changed" } },
          {
            type: "externalId.set",
            record: "patient",
            recordId: "1001",
            name: "mrn",
            value: "007",
            key: "7",
          },
          createPatient(), // duplicate ID 1001
        ];
        const error = await expectStoreError(
          async () => await store.complete(outcomeOf(id, actions), RECEIVED),
          "DUPLICATE_ID",
        );
        expect(error.actionIndex).toBe(4);
        expect(error.actionType).toBe("patient.create");
        expect(error.message).toMatch(/1001/);
        expect((await view(store)).patientById("1002")).toBeUndefined();
        expect((await view(store)).patientById("1001")?.lastName).toBe("Smith");
        expect((await view(store)).policiesOf("1001")).toEqual([]);
        expect((await view(store)).patientsByExternalId("mrn", "7")).toEqual([]);
        expect((await view(store)).patientsByExternalId("mrn", "M-2")).toEqual([]);
        expect((await view(store)).patientCandidates({ passes: ["dob:19750505"] })).toEqual([]);
        expect((await view(store)).nextId("patient")).toBe("1002");
        expect((await store.message(id))?.state).toBe("NEW");
        expect((await store.message(id))?.outcome).toBeUndefined();
      });

      it("after a failure the caller records ATHENAERROR with nothing applied", async () => {
        const store = fresh();
        await apply(store, [createPatient()]);
        const id = await store.receive(received());
        const failing = outcomeOf(id, [createPatient({ ...ALICE, id: "2000" }), createPatient()]);
        await expect(async () => await store.complete(failing, RECEIVED)).rejects.toThrow(
          StoreActionError,
        );
        const athena: Outcome = { ...failing, state: "ATHENAERROR", actions: [] };
        await store.complete(athena, RECEIVED);
        expect((await store.message(id))?.state).toBe("ATHENAERROR");
        expect((await store.message(id))?.outcome).toEqual(athena);
        expect((await view(store)).patientById("2000")).toBeUndefined();
        expect((await view(store)).nextId("patient")).toBe("1002");
      });

      it("rolls back appointments, claims, charges and self-pay too", async () => {
        const store = fresh();
        await apply(store, [
          createPatient(),
          { type: "insurance.add", patientId: "1001", policy: PPO },
          { type: "appointment.create", appointment: APPOINTMENT },
          { type: "claim.create", claim: CLAIM },
        ]);
        const charge: ChargeAdd = {
          type: "charge.add",
          claimId: "1001",
          charge: { procedure: "73560", modifiers: [], units: 1, diagnosisPointers: [2] },
          diagnoses: ["S83.2"],
        };
        const id = await store.receive(received());
        await expect(
          async () =>
            await store.complete(
              outcomeOf(id, [
                { type: "insurance.selfPay", patientId: "1001" },
                charge,
                {
                  type: "appointment.checkIn",
                  appointmentId: "1001",
                  appointment: { status: "2" },
                },
                {
                  type: "appointment.create",
                  appointment: { ...APPOINTMENT, id: "1002", patientId: "9999" },
                },
              ]),
              RECEIVED,
            ),
        ).rejects.toThrow(StoreActionError);
        expect((await view(store)).policiesOf("1001")).toEqual([PPO]);
        expect((await view(store)).insuranceHistory("1001").selfPay).toBe(false);
        expect(await store.claimById("1001")).toEqual(CLAIM);
        expect((await view(store)).appointmentById("1001")?.status).toBe("f");
        expect((await view(store)).appointmentById("1002")).toBeUndefined();
        expect((await view(store)).nextId("appointment")).toBe("1002");
      });
    });

    describe("IDs", () => {
      it("each kind counts from 1001", async () => {
        const store = fresh();
        expect((await view(store)).nextId("patient")).toBe("1001");
        expect((await view(store)).nextId("appointment")).toBe("1001");
        expect((await view(store)).nextId("claim")).toBe("1001");
      });

      it("nextId only reads; the ID is taken when the create is applied", async () => {
        const store = fresh();
        expect((await view(store)).nextId("patient")).toBe("1001");
        expect((await view(store)).nextId("patient")).toBe("1001");
        await apply(store, [
          createPatient({ ...ALICE, id: (await view(store)).nextId("patient") }),
        ]);
        expect((await view(store)).nextId("patient")).toBe("1002");
        expect((await view(store)).nextId("appointment")).toBe("1001");
      });

      it("a create with a larger numeric ID moves the counter past it; other IDs leave it", async () => {
        const store = fresh();
        await apply(store, [createPatient({ ...ALICE, id: "5000" })]);
        expect((await view(store)).nextId("patient")).toBe("5001");
        await apply(store, [createPatient({ ...ALICE, id: "1200" })]);
        expect((await view(store)).nextId("patient")).toBe("5001");
        await apply(store, [createPatient({ ...ALICE, id: "P-77" })]);
        expect((await view(store)).nextId("patient")).toBe("5001");
        expect((await view(store)).patientById("P-77")?.id).toBe("P-77");
        await apply(store, [
          {
            type: "appointment.create",
            appointment: { ...APPOINTMENT, id: "2001", patientId: "5000" },
          },
          { type: "claim.create", claim: { ...CLAIM, id: "3001", patientId: "5000" } },
        ]);
        expect((await view(store)).nextId("appointment")).toBe("2002");
        expect((await view(store)).nextId("claim")).toBe("3002");
      });

      it("a duplicate appointment or claim ID is an error", async () => {
        const store = fresh();
        await apply(store, [
          createPatient(),
          { type: "appointment.create", appointment: APPOINTMENT },
          { type: "claim.create", claim: CLAIM },
        ]);
        const a = await store.receive(received());
        await expectStoreError(
          async () =>
            await store.complete(
              outcomeOf(a, [{ type: "appointment.create", appointment: APPOINTMENT }]),
              RECEIVED,
            ),
          "DUPLICATE_ID",
        );
        await expectStoreError(
          async () =>
            await store.complete(outcomeOf(a, [{ type: "claim.create", claim: CLAIM }]), RECEIVED),
          "DUPLICATE_ID",
        );
      });
    });

    describe("patient.create", () => {
      it("stores the record as given, without nulls or empty maps", async () => {
        const store = fresh();
        await apply(store, [
          createPatient({
            ...ALICE,
            middleName: null,
            phones: { home: "(555) 123-4567", mobile: "555-000-1111", work: null },
            nextOfKin: {},
            externalIds: { mrn: "00123" },
          }),
        ]);
        expect((await view(store)).patientById("1001")).toEqual({
          ...ALICE,
          externalIds: { mrn: "00123" },
        });
        expect((await view(store)).patientById("1001")).not.toHaveProperty("middleName");
        expect((await view(store)).patientById("1001")).not.toHaveProperty("nextOfKin");
        expect((await view(store)).patientById("1002")).toBeUndefined();
      });

      it("a record read before an update keeps the values it was read with", async () => {
        const store = fresh();
        await apply(store, [createPatient()]);
        const before = (await view(store)).patientById("1001");
        await apply(store, [
          { type: "patient.update", patientId: "1001", patient: { lastName: "Z" } },
        ]);
        expect(before?.lastName).toBe("Smith");
        expect((await view(store)).patientById("1001")?.lastName).toBe("Z");
      });
    });

    describe("patient.update", () => {
      it("merges: a value replaces, null clears, a missing key keeps, nested maps merge", async () => {
        const store = fresh();
        await apply(store, [
          createPatient({ ...ALICE, guarantor: { lastName: "Smith", relationship: "self" } }),
        ]);
        await apply(store, [
          {
            type: "patient.update",
            patientId: "1001",
            patient: {
              firstName: "Alicia",
              sex: null,
              address: { line1: "2 Oak Ave", zip: null },
              phones: { mobile: null, work: "555-999-8888" },
              guarantor: { firstName: "Alice" },
              language: "en",
            },
          },
        ]);
        expect((await view(store)).patientById("1001")).toEqual({
          id: "1001",
          lastName: "Smith",
          firstName: "Alicia",
          dob: "1980-02-14",
          ssn: "123-45-6789",
          address: { line1: "2 Oak Ave", city: "Springfield", state: "NY" },
          phones: { home: "(555) 123-4567", work: "555-999-8888" },
          guarantor: { lastName: "Smith", firstName: "Alice", relationship: "self" },
          language: "en",
        });
      });

      it("a nested map whose every key is cleared is removed", async () => {
        const store = fresh();
        await apply(store, [
          createPatient({ id: "1001", lastName: "Smith", phones: { home: "1" } }),
        ]);
        await apply(store, [
          { type: "patient.update", patientId: "1001", patient: { phones: { home: null } } },
        ]);
        expect((await view(store)).patientById("1001")).toEqual({ id: "1001", lastName: "Smith" });
      });

      it("cannot change the patient's ID", async () => {
        const store = fresh();
        await apply(store, [createPatient()]);
        await apply(store, [
          { type: "patient.update", patientId: "1001", patient: { id: "9", lastName: "Doe" } },
        ]);
        expect((await view(store)).patientById("1001")?.lastName).toBe("Doe");
        expect((await view(store)).patientById("9")).toBeUndefined();
      });

      it("an unknown patient is NOT_FOUND", async () => {
        const store = fresh();
        const id = await store.receive(received());
        await expectStoreError(
          async () =>
            await store.complete(
              outcomeOf(id, [{ type: "patient.update", patientId: "42", patient: { sex: "M" } }]),
              RECEIVED,
            ),
          "NOT_FOUND",
        );
      });
    });

    describe("externalId.set", () => {
      const setId = (recordId: string, value: string, key: string, record = "patient") =>
        ({
          type: "externalId.set",
          record,
          recordId,
          name: "mrn",
          value,
          key,
        }) as TypedAction;

      it("stores the value verbatim on the patient and indexes the key", async () => {
        const store = fresh();
        await apply(store, [createPatient(), setId("1001", "000123", "123")]);
        const patient = (await view(store)).patientById("1001");
        expect(patient?.externalIds).toEqual({ mrn: "000123" });
        expect((await view(store)).patientsByExternalId("mrn", "123")).toEqual([patient]);
        expect((await view(store)).patientsByExternalId("mrn", "000123")).toEqual([]);
        expect((await view(store)).patientsByExternalId("chart", "123")).toEqual([]);
      });

      it("a new value moves the key; other names are kept", async () => {
        const store = fresh();
        await apply(store, [
          createPatient({ ...ALICE, externalIds: { chart: "C-1" } }),
          setId("1001", "0123", "123"),
        ]);
        await apply(store, [setId("1001", "0456", "456")]);
        expect((await view(store)).patientById("1001")?.externalIds).toEqual({
          chart: "C-1",
          mrn: "0456",
        });
        expect((await view(store)).patientsByExternalId("mrn", "123")).toEqual([]);
        expect((await view(store)).patientsByExternalId("mrn", "456").map((p) => p.id)).toEqual([
          "1001",
        ]);
        expect((await view(store)).patientsByExternalId("chart", "C-1").map((p) => p.id)).toEqual([
          "1001",
        ]);
      });

      it("IDs written by create or update are indexed under their value", async () => {
        const store = fresh();
        await apply(store, [createPatient({ ...ALICE, externalIds: { mrn: "00123" } })]);
        expect((await view(store)).patientsByExternalId("mrn", "00123").map((p) => p.id)).toEqual([
          "1001",
        ]);
        await apply(store, [
          { type: "patient.update", patientId: "1001", patient: { externalIds: { mrn: "00999" } } },
        ]);
        expect((await view(store)).patientsByExternalId("mrn", "00123")).toEqual([]);
        expect((await view(store)).patientsByExternalId("mrn", "00999").map((p) => p.id)).toEqual([
          "1001",
        ]);
      });

      it("an update that leaves the value alone keeps the normalized key; null removes it", async () => {
        const store = fresh();
        await apply(store, [createPatient(), setId("1001", "000123", "123")]);
        await apply(store, [
          {
            type: "patient.update",
            patientId: "1001",
            patient: { firstName: "Al", externalIds: { mrn: "000123" } },
          },
        ]);
        expect(
          (await view(store)).patientsByExternalId("mrn", "123").map((p) => p.firstName),
        ).toEqual(["Al"]);
        await apply(store, [
          { type: "patient.update", patientId: "1001", patient: { externalIds: { mrn: null } } },
        ] as unknown as TypedAction[]);
        expect((await view(store)).patientsByExternalId("mrn", "123")).toEqual([]);
        expect((await view(store)).patientById("1001")).not.toHaveProperty("externalIds");
      });

      it("several patients may share a key: all are returned, oldest first", async () => {
        const store = fresh();
        await apply(store, [
          createPatient({ id: "1002", lastName: "B" }),
          createPatient({ id: "1001", lastName: "A" }),
          createPatient({ id: "1003", lastName: "C" }),
          setId("1001", "7", "7"),
          setId("1002", "07", "7"),
        ]);
        expect((await view(store)).patientsByExternalId("mrn", "7").map((p) => p.id)).toEqual([
          "1002",
          "1001",
        ]);
      });

      it("works on appointments", async () => {
        const store = fresh();
        await apply(store, [
          createPatient(),
          {
            type: "appointment.create",
            appointment: { ...APPOINTMENT, externalIds: { visit: "V1" } },
          },
          setId("1001", "0042", "42", "appointment"),
        ]);
        const appointment = (await view(store)).appointmentById("1001");
        expect(appointment?.externalIds).toEqual({ visit: "V1", mrn: "0042" });
        expect((await view(store)).appointmentsByExternalId("mrn", "42")).toEqual([appointment]);
        expect((await view(store)).appointmentsByExternalId("visit", "V1")).toEqual([appointment]);
        expect((await view(store)).patientsByExternalId("mrn", "42")).toEqual([]);
      });

      it("an unknown record is NOT_FOUND", async () => {
        const store = fresh();
        const id = await store.receive(received());
        await expectStoreError(
          async () =>
            await store.complete(outcomeOf(id, [setId("1001", "1", "1", "appointment")]), RECEIVED),
          "NOT_FOUND",
        );
      });
    });

    describe("patientCandidates (blocking)", () => {
      const people: PatientCreate["patient"][] = [
        ALICE,
        { id: "1002", firstName: "Ann", lastName: "Smyth", dob: "1990-01-01" },
        { id: "1003", lastName: "Jones", dob: "1980-02-14" },
        { id: "1004", lastName: "Brown", ssn: "123456789" },
        { id: "1005", lastName: "Green", phones: { work: "+1 555 123 4567" } },
        { id: "1006", lastName: "White", dob: "2001-01-01" },
      ];

      it("finds patients sharing any one key, oldest first", async () => {
        const store = fresh();
        await apply(
          store,
          people.map((p) => createPatient(p)),
        );
        const candidates = await view(store);
        const ids = (block: Parameters<StoreView["patientCandidates"]>[0]) =>
          candidates.patientCandidates(block).map((p) => p.id);
        expect(ids({ passes: ["dob:19800214"] })).toEqual(["1001", "1003"]);
        expect(ids({ passes: ["ssn:123456789"] })).toEqual(["1001", "1004"]);
        expect(ids({ passes: ["phone:5551234567"] })).toEqual(["1001", "1005"]);
        // Soundex of the last name with the first initial: Smith, Alice and Smyth, Ann share S530|A.
        expect(ids({ passes: ["lastNameSoundex+firstInitial:S530|A"] })).toEqual(["1001", "1002"]);
        expect(ids({ passes: ["dob:20010101", "lastNameSoundex+birthYear:J520|1980"] })).toEqual([
          "1003",
          "1006",
        ]);
        expect(
          ids({
            passes: [
              "dob:19800214",
              "ssn:123456789",
              "phone:5551234567",
              "lastNameSoundex+firstInitial:S530|A",
            ],
          }),
        ).toEqual(["1001", "1002", "1003", "1004", "1005"]);
        expect(ids({ passes: ["dob:19000101"] })).toEqual([]);
        expect(ids({})).toEqual([]);
      });

      it("returns the stored records", async () => {
        const store = fresh();
        await apply(store, [createPatient()]);
        expect((await view(store)).patientCandidates({ passes: ["dob:19800214"] })).toEqual([
          ALICE,
        ]);
      });

      it("finds a patient by the sender's patient ID (senderId) with all five keys given", async () => {
        const store = fresh();
        await apply(store, [
          createPatient({ id: "1001", lastName: "Doe", senderPatientId: " E-5001 " }),
          createPatient({ id: "1002", lastName: "Roe", dob: "1980-02-14" }),
        ]);
        const candidates = await view(store);
        const ids = (block: Parameters<StoreView["patientCandidates"]>[0]) =>
          candidates.patientCandidates(block).map((p) => p.id);
        expect(await ids({ senderId: "E-5001" })).toEqual(["1001"]);
        expect(await ids({ senderId: "E-9999" })).toEqual([]);
        expect(
          ids({
            passes: [
              "dob:19800214",
              "ssn:123456789",
              "phone:5551234567",
              "lastNameSoundex+firstInitial:S530|A",
            ],
            senderId: "E-5001",
          }),
        ).toEqual(["1001", "1002"]);
      });

      it("follows updates: old keys no longer find the patient", async () => {
        const store = fresh();
        await apply(store, [createPatient()]);
        await apply(store, [
          {
            type: "patient.update",
            patientId: "1001",
            patient: { dob: "1981-03-15", lastName: "Jones", ssn: null },
          },
        ]);
        const candidates = await view(store);
        const ids = (...passes: string[]) =>
          candidates.patientCandidates({ passes }).map((p) => p.id);
        expect(ids("dob:19800214")).toEqual([]);
        expect(ids("ssn:123456789")).toEqual([]);
        expect(ids("lastNameSoundex+firstInitial:S530|A")).toEqual([]);
        expect(ids("dob:19810315")).toEqual(["1001"]);
        expect(ids("lastNameSoundex+firstInitial:J520|A")).toEqual(["1001"]);
        expect(ids("phone:5551234567")).toEqual(["1001"]);
      });
    });

    describe("insurance.add", () => {
      it("inserts a policy at its sequence; policiesOf lists active policies by sequence", async () => {
        const store = fresh();
        const secondary: Policy = { sequence: 2, packageId: "00312", policyNumber: null };
        const casePolicy: Policy = { sequence: 0, packageId: "7788" };
        await apply(store, [
          createPatient(),
          { type: "insurance.add", patientId: "1001", policy: secondary },
          { type: "insurance.add", patientId: "1001", policy: PPO },
          { type: "insurance.add", patientId: "1001", policy: casePolicy },
        ]);
        expect((await view(store)).policiesOf("1001")).toEqual([
          casePolicy,
          PPO,
          { sequence: 2, packageId: "00312" },
        ]);
        expect((await view(store)).policiesOf("9999")).toEqual([]);
      });

      it("a sequence that already holds an active policy is a CONFLICT", async () => {
        const store = fresh();
        await apply(store, [
          createPatient(),
          { type: "insurance.add", patientId: "1001", policy: PPO },
        ]);
        const id = await store.receive(received());
        await expectStoreError(
          async () =>
            await store.complete(
              outcomeOf(id, [
                { type: "insurance.add", patientId: "1001", policy: { ...PPO, packageId: "5120" } },
              ]),
              RECEIVED,
            ),
          "CONFLICT",
        );
      });

      it("an unknown patient is NOT_FOUND", async () => {
        const store = fresh();
        const id = await store.receive(received());
        await expectStoreError(
          async () =>
            await store.complete(
              outcomeOf(id, [{ type: "insurance.add", patientId: "1", policy: PPO }]),
              RECEIVED,
            ),
          "NOT_FOUND",
        );
      });
    });

    describe("insurance.update", () => {
      it("merges into the active policy of that sequence", async () => {
        const store = fresh();
        await apply(store, [
          createPatient(),
          { type: "insurance.add", patientId: "1001", policy: PPO },
        ]);
        await apply(store, [
          {
            type: "insurance.update",
            patientId: "1001",
            policy: {
              sequence: 1,
              packageId: "4471",
              policyNumber: "P-2",
              relationshipToInsured: null,
              insured: { dob: "1980-02-14" },
            },
          },
        ]);
        const { relationshipToInsured: _cleared, ...rest } = PPO;
        expect((await view(store)).policiesOf("1001")).toEqual([
          {
            ...rest,
            policyNumber: "P-2",
            insured: { lastName: "Smith", firstName: "Alice", dob: "1980-02-14" },
          },
        ]);
        expect((await view(store)).insuranceHistory("1001").policies).toHaveLength(1);
      });

      it("no active policy at the sequence is NOT_FOUND; another package is a CONFLICT", async () => {
        const store = fresh();
        await apply(store, [
          createPatient(),
          { type: "insurance.add", patientId: "1001", policy: PPO },
        ]);
        const id = await store.receive(received());
        const update = (sequence: number, packageId: string): TypedAction[] => [
          { type: "insurance.update", patientId: "1001", policy: { sequence, packageId } },
        ];
        await expectStoreError(
          async () => await store.complete(outcomeOf(id, update(2, "4471")), RECEIVED),
          "NOT_FOUND",
        );
        await expectStoreError(
          async () => await store.complete(outcomeOf(id, update(1, "5120")), RECEIVED),
          "CONFLICT",
        );
      });
    });

    describe("insurance.replace", () => {
      it("cancels the active policy at the sequence and inserts the new one", async () => {
        const store = fresh();
        const secondary: Policy = { sequence: 2, packageId: "00312" };
        await apply(store, [
          createPatient(),
          { type: "insurance.add", patientId: "1001", policy: PPO },
          { type: "insurance.add", patientId: "1001", policy: secondary },
        ]);
        const mvp: Policy = { sequence: 1, packageId: "5120", policyNumber: "MVP-9" };
        await apply(store, [
          { type: "insurance.replace", patientId: "1001", policy: mvp, replacedPackageId: "4471" },
        ]);
        expect((await view(store)).policiesOf("1001")).toEqual([mvp, secondary]);
        expect((await view(store)).insuranceHistory("1001")).toEqual({
          selfPay: false,
          policies: [
            { policy: PPO, cancelled: true },
            { policy: secondary, cancelled: false },
            { policy: mvp, cancelled: false },
          ],
        });
      });

      it("a replaced package that is not the active one is a CONFLICT", async () => {
        const store = fresh();
        await apply(store, [
          createPatient(),
          { type: "insurance.add", patientId: "1001", policy: PPO },
        ]);
        const id = await store.receive(received());
        await expectStoreError(
          async () =>
            await store.complete(
              outcomeOf(id, [
                {
                  type: "insurance.replace",
                  patientId: "1001",
                  policy: { sequence: 1, packageId: "5120" },
                  replacedPackageId: "3",
                },
              ]),
              RECEIVED,
            ),
          "CONFLICT",
        );
        expect((await view(store)).policiesOf("1001")).toEqual([PPO]);
      });
    });

    describe("insurance.selfPay", () => {
      it("cancels every active policy and records the patient as self-pay", async () => {
        const store = fresh();
        await apply(store, [
          createPatient(),
          { type: "insurance.add", patientId: "1001", policy: PPO },
          { type: "insurance.add", patientId: "1001", policy: { sequence: 2, packageId: "3" } },
        ]);
        await apply(store, [{ type: "insurance.selfPay", patientId: "1001" }]);
        expect((await view(store)).policiesOf("1001")).toEqual([]);
        const history = (await view(store)).insuranceHistory("1001");
        expect(history.selfPay).toBe(true);
        expect(history.policies.map((p) => p.cancelled)).toEqual([true, true]);
      });

      it("a policy added later ends self-pay", async () => {
        const store = fresh();
        await apply(store, [createPatient(), { type: "insurance.selfPay", patientId: "1001" }]);
        expect((await view(store)).insuranceHistory("1001").selfPay).toBe(true);
        await apply(store, [{ type: "insurance.add", patientId: "1001", policy: PPO }]);
        expect((await view(store)).insuranceHistory("1001")).toEqual({
          selfPay: false,
          policies: [{ policy: PPO, cancelled: false }],
        });
      });

      it("an unknown patient has no insurance history", async () => {
        const store = fresh();
        expect((await view(store)).insuranceHistory("1001")).toEqual({
          selfPay: false,
          policies: [],
        });
      });
    });

    describe("privacy.set", () => {
      it("sets both privacy boxes", async () => {
        const store = fresh();
        await apply(store, [
          createPatient(),
          {
            type: "privacy.set",
            patientId: "1001",
            privacy: { releaseOfBillingInformation: true, assignmentOfBenefits: false },
          },
        ]);
        expect((await view(store)).patientById("1001")).toEqual({
          ...ALICE,
          privacy: { releaseOfBillingInformation: true, assignmentOfBenefits: false },
        });
      });
    });

    describe("guarantor.set", () => {
      it("sets the guarantor whole, replacing the stored one", async () => {
        const store = fresh();
        await apply(store, [
          createPatient({
            ...ALICE,
            guarantor: { lastName: "Old", firstName: "Guy", phone: "555" },
          }),
        ]);
        await apply(store, [
          {
            type: "guarantor.set",
            patientId: "1001",
            guarantor: {
              lastName: "Smith",
              firstName: "Bob",
              relationship: "parent",
              address: { line1: "1 Main St", city: null },
            },
          },
        ]);
        expect((await view(store)).patientById("1001")).toEqual({
          ...ALICE,
          guarantor: {
            lastName: "Smith",
            firstName: "Bob",
            relationship: "parent",
            address: { line1: "1 Main St" },
          },
        });
      });
    });

    describe("appointment.create", () => {
      it("stores the appointment", async () => {
        const store = fresh();
        await apply(store, [
          createPatient(),
          { type: "appointment.create", appointment: { ...APPOINTMENT, notes: null } },
        ]);
        expect((await view(store)).appointmentById("1001")).toEqual(APPOINTMENT);
        expect((await view(store)).appointmentById("1002")).toBeUndefined();
        expect((await view(store)).nextId("appointment")).toBe("1002");
      });

      it("an unknown patient is NOT_FOUND", async () => {
        const store = fresh();
        const id = await store.receive(received());
        await expectStoreError(
          async () =>
            await store.complete(
              outcomeOf(id, [{ type: "appointment.create", appointment: APPOINTMENT }]),
              RECEIVED,
            ),
          "NOT_FOUND",
        );
      });
    });

    const changes: [AppointmentChange["type"], AppointmentChange["appointment"], object][] = [
      [
        "appointment.update",
        { durationMinutes: 30, notes: "bring x-rays", providerId: null, status: "4" },
        { durationMinutes: 30, notes: "bring x-rays", status: "4" },
      ],
      [
        "appointment.cancel",
        { status: "x", cancelReason: "patient request" },
        { status: "x", cancelReason: "patient request" },
      ],
      ["appointment.checkIn", { status: "2" }, { status: "2" }],
      ["appointment.checkOut", { status: "3" }, { status: "3" }],
    ];
    for (const [type, patch, effect] of changes) {
      describe(type, () => {
        it("merges the action's appointment into the stored one", async () => {
          const store = fresh();
          await apply(store, [
            createPatient(),
            { type: "appointment.create", appointment: APPOINTMENT },
          ]);
          await apply(store, [{ type, appointmentId: "1001", appointment: { ...patch, id: "7" } }]);
          const { providerId: _p, ...withoutProvider } = APPOINTMENT;
          const base = "providerId" in patch ? withoutProvider : APPOINTMENT;
          expect((await view(store)).appointmentById("1001")).toEqual({ ...base, ...effect });
        });

        it("an unknown appointment is NOT_FOUND", async () => {
          const store = fresh();
          const id = await store.receive(received());
          await expectStoreError(
            async () =>
              await store.complete(
                outcomeOf(id, [{ type, appointmentId: "1001", appointment: { status: "x" } }]),
                RECEIVED,
              ),
            "NOT_FOUND",
          );
        });
      });
    }

    describe("claim.create", () => {
      it("stores the claim; unbilledClaims finds it by patient and service date", async () => {
        const store = fresh();
        await apply(store, [
          createPatient(),
          { type: "appointment.create", appointment: APPOINTMENT },
          { type: "claim.create", claim: { ...CLAIM, appointmentId: "1001" } },
          { type: "claim.create", claim: { ...CLAIM, id: "1002", primaryPolicy: null } },
          { type: "claim.create", claim: { ...CLAIM, id: "1003", status: "billed" } },
          { type: "claim.create", claim: { ...CLAIM, id: "1004", serviceDate: "2026-03-03" } },
        ]);
        expect(await store.claimById("1001")).toEqual({ ...CLAIM, appointmentId: "1001" });
        expect((await store.claimById("1003"))?.status).toBe("billed");
        expect((await view(store)).unbilledClaims("1001", "2026-03-02").map((c) => c.id)).toEqual([
          "1001",
          "1002",
        ]);
        expect((await view(store)).unbilledClaims("1001", "2026-03-02")[1]).toEqual({
          ...CLAIM,
          id: "1002",
        });
        expect((await view(store)).unbilledClaims("1001", "2026-03-03").map((c) => c.id)).toEqual([
          "1004",
        ]);
        expect((await view(store)).unbilledClaims("1002", "2026-03-02")).toEqual([]);
        expect((await view(store)).nextId("claim")).toBe("1005");
      });

      it("an unknown patient or appointment is NOT_FOUND", async () => {
        const store = fresh();
        await apply(store, [createPatient()]);
        const id = await store.receive(received());
        await expectStoreError(
          async () =>
            await store.complete(
              outcomeOf(id, [{ type: "claim.create", claim: { ...CLAIM, patientId: "9" } }]),
              RECEIVED,
            ),
          "NOT_FOUND",
        );
        await expectStoreError(
          async () =>
            await store.complete(
              outcomeOf(id, [{ type: "claim.create", claim: { ...CLAIM, appointmentId: "9" } }]),
              RECEIVED,
            ),
          "NOT_FOUND",
        );
      });
    });

    describe("charge.add", () => {
      it("appends a line and appends the diagnoses to the claim header", async () => {
        const store = fresh();
        await apply(store, [createPatient(), { type: "claim.create", claim: CLAIM }]);
        const line = { procedure: "73560", modifiers: ["RT"], units: 1, diagnosisPointers: [1, 2] };
        await apply(store, [
          { type: "charge.add", claimId: "1001", charge: line, diagnoses: ["S83.2"] },
          {
            type: "charge.add",
            claimId: "1001",
            charge: { procedure: "20610", modifiers: [], units: 2, diagnosisPointers: [1] },
          },
        ]);
        expect(await store.claimById("1001")).toEqual({
          ...CLAIM,
          diagnoses: ["M17.11", "S83.2"],
          lines: [
            ...CLAIM.lines,
            line,
            { procedure: "20610", modifiers: [], units: 2, diagnosisPointers: [1] },
          ],
        });
      });

      it("an unknown claim is NOT_FOUND; a billed claim is a CONFLICT", async () => {
        const store = fresh();
        await apply(store, [
          createPatient(),
          { type: "claim.create", claim: { ...CLAIM, status: "billed" } },
        ]);
        const charge = (claimId: string): ChargeAdd => ({
          type: "charge.add",
          claimId,
          charge: { procedure: "99213", modifiers: [], units: 1, diagnosisPointers: [] },
        });
        const id = await store.receive(received());
        await expectStoreError(
          async () => await store.complete(outcomeOf(id, [charge("2000")]), RECEIVED),
          "NOT_FOUND",
        );
        await expectStoreError(
          async () => await store.complete(outcomeOf(id, [charge("1001")]), RECEIVED),
          "CONFLICT",
        );
      });
    });

    describe("charge.replace", () => {
      it("replaces the line at lineIndex (0-based)", async () => {
        const store = fresh();
        const second = { procedure: "73560", modifiers: [], units: 1, diagnosisPointers: [1] };
        await apply(store, [
          createPatient(),
          { type: "claim.create", claim: { ...CLAIM, lines: [...CLAIM.lines, second] } },
        ]);
        const line = { procedure: "73562", modifiers: ["LT"], units: 1, diagnosisPointers: [1, 2] };
        await apply(store, [
          {
            type: "charge.replace",
            claimId: "1001",
            lineIndex: 1,
            charge: line,
            diagnoses: ["S83.2"],
          },
        ]);
        expect(await store.claimById("1001")).toEqual({
          ...CLAIM,
          diagnoses: ["M17.11", "S83.2"],
          lines: [CLAIM.lines[0], line],
        });
      });

      it("a line index outside the claim is NOT_FOUND", async () => {
        const store = fresh();
        await apply(store, [createPatient(), { type: "claim.create", claim: CLAIM }]);
        const id = await store.receive(received());
        for (const lineIndex of [1, -1, undefined]) {
          await expectStoreError(
            async () =>
              await store.complete(
                outcomeOf(id, [
                  {
                    type: "charge.replace",
                    claimId: "1001",
                    ...(lineIndex !== undefined && { lineIndex }),
                    charge: { procedure: "1", modifiers: [], units: 1, diagnosisPointers: [] },
                  },
                ]),
                RECEIVED,
              ),
            "NOT_FOUND",
          );
        }
        expect(await store.claimById("1001")).toEqual(CLAIM);
      });
    });

    describe("unknown actions", () => {
      it("an action type the store does not know is INVALID_ACTION", async () => {
        const store = fresh();
        const id = await store.receive(received());
        await expectStoreError(
          async () =>
            await store.complete(
              outcomeOf(id, [{ type: "patient.delete" } as unknown as TypedAction]),
              RECEIVED,
            ),
          "INVALID_ACTION",
        );
      });
    });

    describe("appointmentsMissingSlips (the Missing Slips worklist)", () => {
      const TYPES: MasterData = {
        ...EMPTY_MASTER_DATA,
        appointmentTypes: [
          { id: "12", name: "Follow-Up 15" },
          { id: "14", name: "Post-Op", billingSlipRequired: false },
          { id: "16", name: "Urgent", billingSlipRequired: true },
        ],
      };
      const at = (id: string, status: "f" | "2" | "3" | "4" | "x", type?: string) => ({
        type: "appointment.create" as const,
        appointment: {
          ...APPOINTMENT,
          id,
          status,
          ...(type === undefined ? { type: null } : { type }),
        },
      });

      it("lists appointments in 2 or 3 whose type requires a slip (not No, or not in master data), oldest first", async () => {
        const store = fresh();
        await store.loadMasterData(TYPES);
        await apply(store, [
          createPatient(),
          at("1001", "2", "12"),
          at("1002", "3", "16"),
          at("1003", "2", "14"), // Billing Slip Required: No
          at("1004", "f", "12"),
          at("1005", "4", "12"),
          at("1006", "x", "12"),
          at("1007", "3", "99"), // a type master data does not list
          at("1008", "2"), // no type
        ]);
        expect((await store.appointmentsMissingSlips()).map((a) => a.id)).toEqual([
          "1001",
          "1002",
          "1007",
          "1008",
        ]);
        expect((await store.appointmentsMissingSlips())[0]).toEqual({
          ...APPOINTMENT,
          status: "2",
        });
      });

      it("follows the status: charges entered (4) or a cancel take it off, a check-in puts it on", async () => {
        const store = fresh();
        await store.loadMasterData(TYPES);
        await apply(store, [createPatient(), at("1001", "2", "12"), at("1002", "f", "12")]);
        await apply(store, [
          { type: "appointment.update", appointmentId: "1001", appointment: { status: "4" } },
          { type: "appointment.checkIn", appointmentId: "1002", appointment: { status: "2" } },
        ]);
        expect((await store.appointmentsMissingSlips()).map((a) => a.id)).toEqual(["1002"]);
        await apply(store, [
          { type: "appointment.cancel", appointmentId: "1002", appointment: { status: "x" } },
        ]);
        expect(await store.appointmentsMissingSlips()).toEqual([]);
      });

      it("reads the type table when asked: a later master-data load decides", async () => {
        const store = fresh();
        await apply(store, [createPatient(), at("1001", "2", "14")]);
        expect((await store.appointmentsMissingSlips()).map((a) => a.id)).toEqual(["1001"]);
        await store.loadMasterData(TYPES);
        expect(await store.appointmentsMissingSlips()).toEqual([]);
      });
    });

    describe("master data", () => {
      const DATA: MasterData = {
        providers: [
          { id: "101", npi: "1482736505", name: "Susan Nguyen, MD" },
          { id: "104", name: "Mary Jones, PA-C", supervisingProviderId: "101" },
        ],
        departments: [{ id: "1", name: "Harbor Main" }],
        insurancePackages: [{ id: "7788", name: "Workers' Comp", casePolicy: true }],
        appointmentTypes: [{ id: "14", name: "Post-Op", billingSlipRequired: false }],
        procedures: [{ code: "99213" }],
      };

      it("is empty until loaded", async () => {
        expect((await view(fresh())).masterData).toEqual(EMPTY_MASTER_DATA);
      });

      it("round-trips and a second load replaces the first", async () => {
        const store = fresh();
        await store.loadMasterData(DATA);
        expect((await view(store)).masterData).toEqual(DATA);
        const next: MasterData = { ...EMPTY_MASTER_DATA, departments: [{ id: "2" }] };
        await store.loadMasterData(next);
        expect((await view(store)).masterData).toEqual(next);
      });

      it("holds its own copy", async () => {
        const store = fresh();
        const data = structuredClone(DATA) as unknown as { providers: { id: string }[] };
        await store.loadMasterData(data as unknown as MasterData);
        (data.providers[0] as { id: string }).id = "changed";
        expect((await view(store)).masterData.providers[0]?.id).toBe("101");
      });
    });

    describe("close", () => {
      it("a closed store refuses further use", async () => {
        const store = make();
        await store.close();
        await expect(async () => (await view(store)).patientById("1001")).rejects.toThrow();
        await expect(async () => await store.receive(received())).rejects.toThrow();
      });
    });
  });
}
