import { parseHl7 } from "../../engine/hl7/parse.js";
import { processMessage } from "../../engine/inbound/process.js";
import type { MasterData } from "../../engine/model/master-data.js";
import type { Outcome } from "../../engine/model/outcome.js";
import type { CompiledPack } from "../../engine/pack/compiled.js";
import { receiveBytes } from "../../engine/queue/intake.js";
import { createMemoryStore } from "../../engine/store/memory.js";
import type { LocalStore as Store } from "../../engine/store/types.js";
import { fixturePackLoader } from "../support/fixture-packs.js";

/**
 * Small inline HL7 messages, the fixture packs of test/fixtures/inbound/ and
 * a memory store with the tests' master data.
 */

/** The run's clock, fixed (`--now`). */
export const NOW = new Date("2026-01-15T18:00:00Z");

export const FIXTURES = "test/fixtures/inbound";

/** A fixture pack (`test/fixtures/inbound/<id>/pack.yaml`), loaded once; a load error fails the test. */
export const fixturePack = fixturePackLoader(FIXTURES);

/** The practice system's records the tests check codes against. */
export const MASTER_DATA: MasterData = {
  providers: [
    { id: "101", npi: "1482736505", name: "Susan Nguyen, MD" },
    { id: "102", npi: "1593847613", name: "Douglas Adams, MD" },
  ],
  departments: [
    { id: "1", name: "Main" },
    { id: "2", name: "East" },
  ],
  insurancePackages: [
    { id: "4471", name: "Harbor Mutual PPO", casePolicy: false },
    { id: "00312", name: "Blue Cross Choice", casePolicy: false },
    { id: "7788", name: "State Workers Comp", casePolicy: true },
  ],
  appointmentTypes: [],
  procedures: [],
};

export async function newStore(): Promise<Store> {
  const store = createMemoryStore();
  await store.loadMasterData(MASTER_DATA);
  return store;
}

/** HL7 fields by standard number, each written as it travels (`DOE^JANE`, `""`). */
export type Fields = Readonly<Record<number, string>>;

/** One segment: `segment("PID", { 5: "DOE^JANE", 7: "19800101" })` -> `PID|||||DOE^JANE||19800101`. */
export function segment(name: string, fields: Fields): string {
  const last = Math.max(0, ...Object.keys(fields).map(Number));
  const values = Array.from({ length: last }, (_, i) => fields[i + 1] ?? "");
  return [name, ...values].join("|");
}

export interface MessageParts {
  /** MSH-9, e.g. `ADT^A04`. */
  readonly type: string;
  readonly controlId?: string;
  readonly pid?: Fields;
  readonly pd1?: Fields;
  readonly pv1?: Fields;
  readonly gt1?: Fields;
  /** One IN1 per policy, each optionally followed by its IN2. */
  readonly insurance?: readonly { readonly in1: Fields; readonly in2?: Fields }[];
  /** Extra segments, appended verbatim. */
  readonly more?: readonly string[];
}

let controlCounter = 0;

/** An HL7 message: MSH, EVN, PID, PD1, PV1, GT1, IN1/IN2 (those given), CR-separated. */
export function message(parts: MessageParts): string {
  const [code] = parts.type.split("^");
  const controlId = parts.controlId ?? `CTRL${++controlCounter}`;
  const segments = [
    `MSH|^~\\&|EHR|CLINIC|PRACTICE|PS|20260115120000||${parts.type}|${controlId}|P|2.5.1`,
    ...(code === "ADT" ? [segment("EVN", { 2: "20260115120000" })] : []),
    ...(parts.pid ? [segment("PID", parts.pid)] : []),
    ...(parts.pd1 ? [segment("PD1", parts.pd1)] : []),
    ...(parts.pv1 ? [segment("PV1", parts.pv1)] : []),
    ...(parts.gt1 ? [segment("GT1", parts.gt1)] : []),
    ...(parts.insurance ?? []).flatMap((p) => [
      segment("IN1", p.in1),
      ...(p.in2 ? [segment("IN2", p.in2)] : []),
    ]),
    ...(parts.more ?? []),
  ];
  return `${segments.join("\r")}\r`;
}

/** Jane Doe's PID: practice ID (PID.2) absent, patient ID in PID.3, name, DOB, sex. */
export const JANE: Fields = {
  1: "1",
  3: "E-5001^^^EHR^PI",
  5: "Doe^Jane^Q",
  7: "19800214",
  8: "F",
  11: "12 Elm St^Apt 3^Springfield^IL^62701",
  13: "(217)555-0101^PRN^PH",
  19: "123-45-6789",
};

/** A complete, mapped primary policy (IN1.2+IN1.4+IN1.5 has a row), patient is the insured. */
export const HARBOR_PPO: Fields = {
  1: "1",
  2: "HMP-100",
  4: "Harbor Mutual PPO",
  5: "100 Main St^^Boston^MA^02110",
  16: "Doe^Jane",
  17: "SEL",
  18: "19800214",
  36: "POL-0001",
};

/**
 * One message through the pure core against the store, without applying
 * it: what `processMessage` decides. The store's queue gets the message as
 * NEW, so `await store.complete(outcome)` can apply it afterwards.
 */
export async function decide(
  pack: CompiledPack,
  store: Store,
  hl7: string,
  options: { readonly trace?: boolean } = {},
): Promise<Outcome> {
  const doc = parseHl7(hl7);
  const parsed = doc.messages[0];
  if (!parsed) throw new Error(`no message in ${JSON.stringify(hl7)}`);
  const messageId = await store.receive({
    raw: new TextEncoder().encode(hl7),
    receivedAt: NOW.toISOString(),
    sender: "test",
    controlId: "",
    messageType: "",
    direction: "inbound",
  });
  return processMessage(pack, parsed, store, NOW, messageId, doc.issues, options);
}

/** Decide and apply (`store.complete`), as the intake does. */
export async function apply(pack: CompiledPack, store: Store, hl7: string): Promise<Outcome> {
  const outcome = await decide(pack, store, hl7);
  await store.complete(outcome, { kind: "receive", now: NOW.toISOString() });
  return outcome;
}

/** Through the queue intake (`receiveBytes`): stored NEW, processed, completed. */
export async function receive(pack: CompiledPack, store: Store, hl7: string): Promise<Outcome> {
  const outcomes = await receiveBytes(pack, store, new TextEncoder().encode(hl7), {
    now: NOW,
    sender: "test",
  });
  if (outcomes.length !== 1) throw new Error(`expected one outcome, got ${outcomes.length}`);
  return outcomes[0] as Outcome;
}

/** The errors of an outcome without their messages (code, severity, field, table, value). */
export function errorsOf(outcome: Outcome): object[] {
  return outcome.errors.map(({ message: _message, ...rest }) => rest);
}

/** Jane Doe (JANE) as the canonical patient record. */
export const JANE_RECORD = {
  lastName: "Doe",
  firstName: "Jane",
  middleName: "Q",
  dob: "1980-02-14",
  sex: "F",
  ssn: "123-45-6789",
  address: { line1: "12 Elm St", line2: "Apt 3", city: "Springfield", state: "IL", zip: "62701" },
  phones: { home: "(217)555-0101" },
} as const;

/** Jane as a create stores her: JANE_RECORD and the sender's patient ID, PID-3's first (E-5001). */
export const JANE_CREATED = { ...JANE_RECORD, senderPatientId: "E-5001" } as const;

/** Table 13's automatic privacy boxes, both checked. */
export const PRIVACY_CHECKED = {
  releaseOfBillingInformation: true,
  assignmentOfBenefits: true,
} as const;
