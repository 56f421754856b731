import { parseHl7 } from "../../../engine/hl7/parse.js";
import { processMessage } from "../../../engine/inbound/process.js";
import type { TypedAction } from "../../../engine/model/actions.js";
import type { MasterData } from "../../../engine/model/master-data.js";
import type { Outcome } from "../../../engine/model/outcome.js";
import type { Appointment, Claim, Policy } from "../../../engine/model/records.js";
import type { CompiledPack } from "../../../engine/pack/compiled.js";
import { createMemoryStore } from "../../../engine/store/memory.js";
import type { LocalStore as Store } from "../../../engine/store/types.js";
import { fixturePackLoader } from "../../support/fixture-packs.js";

/**
 * The charge tests' world: fixture packs (test/fixtures/charges/<id>/), a
 * memory store with the tests' master data and a patient with two
 * policies, inline DFT^P03 messages, and prior state written by actions.
 */

export const NOW = new Date("2026-01-15T18:00:00Z");

export const FIXTURES = "test/fixtures/charges";

/** A fixture pack, loaded once; a load error fails the test. */
export const chargePack = fixturePackLoader(FIXTURES);

/**
 * Providers: 104 (a PA) is supervised by 102 and 105 (an NP) by 101; 101 and
 * 102 have no supervisor defined, so each supervises itself.
 */
export const MASTER_DATA: MasterData = {
  providers: [
    { id: "101", npi: "1482736505", name: "Susan Nguyen, MD" },
    { id: "102", npi: "1593847613", name: "Douglas Adams, MD" },
    { id: "104", npi: "1375069832", name: "Mary Jones, PA-C", supervisingProviderId: "102" },
    { id: "105", npi: "1706170945", name: "Aaron Atwood, NP", supervisingProviderId: "101" },
  ],
  departments: [
    { id: "1", name: "Main" },
    { id: "2", name: "East" },
    { id: "3", name: "Surgery Center" },
  ],
  insurancePackages: [
    { id: "4471", name: "Harbor Mutual PPO", casePolicy: false },
    { id: "00312", name: "Blue Cross Choice", casePolicy: false },
    { id: "5120", name: "MVP Health Plan", casePolicy: false },
  ],
  appointmentTypes: [{ id: "12", name: "Follow-Up 15", billingSlipRequired: true }],
  procedures: [],
};

/** The patient every test starts with, and her current policies. */
export const PATIENT_ID = "1001";
export const PRIMARY: Policy = { sequence: 1, packageId: "4471", policyNumber: "HMP-1" };
export const SECONDARY: Policy = { sequence: 2, packageId: "00312", policyNumber: "BCC-2" };

/** The policies the appointments were made with (they differ from the current ones). */
export const APPOINTMENT_PRIMARY: Policy = {
  sequence: 1,
  packageId: "5120",
  policyNumber: "MVP-9",
};

/** Another patient, for appointments that are not Jane's. */
export const OTHER_PATIENT_ID = "1002";

export async function newStore(master: MasterData = MASTER_DATA): Promise<Store> {
  const store = createMemoryStore();
  await store.loadMasterData(master);
  await seed(store, [
    {
      type: "patient.create",
      patient: { id: PATIENT_ID, lastName: "Doe", firstName: "Jane", dob: "1980-02-14", sex: "F" },
    },
    { type: "insurance.add", patientId: PATIENT_ID, policy: PRIMARY },
    { type: "insurance.add", patientId: PATIENT_ID, policy: SECONDARY },
    {
      type: "patient.create",
      patient: { id: OTHER_PATIENT_ID, lastName: "Roe", firstName: "Rita", dob: "1975-06-30" },
    },
  ]);
  return store;
}

/** Prior state: actions applied as if an earlier message had decided them. */
export async function seed(store: Store, actions: readonly TypedAction[]): Promise<void> {
  const messageId = await store.receive({
    raw: new Uint8Array(),
    receivedAt: NOW.toISOString(),
    sender: "seed",
    controlId: "SEED",
    messageType: "",
    direction: "inbound",
  });
  await store.complete(
    {
      messageId,
      controlId: "SEED",
      messageType: "",
      state: "PROCESSED",
      actions,
      errors: [],
      review: [],
      trace: [],
    },
    { kind: "receive", now: NOW.toISOString() },
  );
}

/** Jane's appointment 2001: provider 104 (supervised by 102), department 2, checked in. */
export const APPOINTMENT: Appointment & { id: string } = {
  id: "2001",
  patientId: PATIENT_ID,
  start: "2026-01-14T09:30:00-06:00",
  durationMinutes: 15,
  providerId: "104",
  departmentId: "2",
  type: "12",
  status: "2",
  primaryPolicy: APPOINTMENT_PRIMARY,
};

export async function withAppointment(
  store: Store,
  changes: Partial<Appointment> & { id?: string } = {},
): Promise<Appointment & { id: string }> {
  const appointment = { ...APPOINTMENT, ...changes };
  await seed(store, [{ type: "appointment.create", appointment }]);
  return appointment;
}

/** A stored claim (as an earlier message created it). */
export async function withClaim(store: Store, claim: Claim & { id: string }): Promise<void> {
  await seed(store, [{ type: "claim.create", claim }]);
}

/** HL7 fields by standard number, written as they travel. */
export type Fields = Readonly<Record<number, string>>;

export function segment(name: string, fields: Fields): string {
  const last = Math.max(0, ...Object.keys(fields).map(Number));
  return [name, ...Array.from({ length: last }, (_, i) => fields[i + 1] ?? "")].join("|");
}

/** Jane's PID: the practice patient ID in PID.2, name, DOB, sex. */
export const JANE_PID: Fields = { 1: "1", 2: PATIENT_ID, 5: "Doe^Jane", 7: "19800214", 8: "F" };

/**
 * One CG line: service date 2026-01-15, 99213, rendering 105 (FT1.20, its
 * supervisor is 101), FT1.21 102, department 1 (FT1.16), two diagnoses.
 */
export const LINE: Fields = {
  1: "1",
  4: "20260115",
  6: "CG",
  10: "1",
  16: "1",
  19: "M17.11^Osteoarthritis right knee^I10~M25.561^Pain in right knee^I10",
  20: "105^Atwood^Aaron",
  21: "102^Adams^Douglas",
  25: "99213^Office visit^CPT",
};

export interface DftParts {
  readonly controlId?: string;
  readonly pid?: Fields;
  /** PV1; PV1.19 holds the practice appointment ID by default. */
  readonly pv1?: Fields;
  /** One FT1 per line (each a change of LINE), optionally followed by its PR1. */
  readonly lines?: readonly (Fields & { readonly pr1?: Fields })[];
  /** DG1 segments (message-level), after the lines. */
  readonly dg1?: readonly Fields[];
  /** Extra segments, appended verbatim. */
  readonly more?: readonly string[];
}

let counter = 0;

/** A DFT^P03: MSH, EVN, PID, PV1 (when given), FT1 (+PR1) per line, DG1, extras. */
export function dft(parts: DftParts = {}): string {
  const controlId = parts.controlId ?? `DFT${++counter}`;
  const segments = [
    `MSH|^~\\&|EHR|CLINIC|PRACTICE|PS|20260115120000||DFT^P03|${controlId}|P|2.5.1`,
    segment("EVN", { 1: "P03", 2: "20260115120000" }),
    segment("PID", parts.pid ?? JANE_PID),
    ...(parts.pv1 ? [segment("PV1", parts.pv1)] : []),
    ...(parts.lines ?? [{}]).flatMap(({ pr1, ...line }, i) => [
      segment("FT1", { ...LINE, 1: String(i + 1), ...line }),
      ...(pr1 ? [segment("PR1", pr1)] : []),
    ]),
    ...(parts.dg1 ?? []).map((d) => segment("DG1", d)),
    ...(parts.more ?? []),
  ];
  return `${segments.join("\r")}\r`;
}

/** PV1 with the practice appointment ID in PV1.19. */
export const visit = (appointmentId: string): Fields => ({ 1: "1", 2: "O", 19: appointmentId });

/** What the pure core decides, not applied (the store queues the message as NEW). */
export async function decide(pack: CompiledPack, store: Store, hl7: string): Promise<Outcome> {
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
  return processMessage(pack, parsed, store, NOW, messageId, doc.issues, { trace: true });
}

/** Decide and apply, as the intake does. */
export async function apply(pack: CompiledPack, store: Store, hl7: string): Promise<Outcome> {
  const outcome = await decide(pack, store, hl7);
  await store.complete(outcome, { kind: "receive", now: NOW.toISOString() });
  return outcome;
}

/** The errors of an outcome without their messages. */
export function errorsOf(outcome: Outcome): object[] {
  return outcome.errors.map(({ message: _message, ...rest }) => rest);
}

/** A claim as claim.create carries it, from the parts a test names. */
export function claim(parts: Partial<Claim> & { id: string }): Claim & { id: string } {
  return {
    status: "unbilled",
    patientId: PATIENT_ID,
    serviceDate: "2026-01-15",
    renderingProviderId: "105",
    supervisingProviderId: "101",
    departmentId: "1",
    primaryPolicy: PRIMARY,
    secondaryPolicy: SECONDARY,
    diagnoses: ["M17.11", "M25.561"],
    lines: [{ procedure: "99213", modifiers: [], units: 1, diagnosisPointers: [1, 2] }],
    ...parts,
  };
}
