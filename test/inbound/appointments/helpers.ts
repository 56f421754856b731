import type { TypedAction } from "../../../engine/model/actions.js";
import type { MasterData } from "../../../engine/model/master-data.js";
import type { Outcome } from "../../../engine/model/outcome.js";
import type { Appointment, Patient, Policy } from "../../../engine/model/records.js";
import { receiveBytes } from "../../../engine/queue/intake.js";
import { createMemoryStore } from "../../../engine/store/memory.js";
import type { LocalStore as Store } from "../../../engine/store/types.js";
import { fixturePackLoader } from "../../support/fixture-packs.js";

/**
 * Inline SIU messages, the fixture packs of test/fixtures/appointments/ and a
 * memory store holding the tests' master data, one patient (1001, MRN
 * 000777) with a primary and a secondary policy, and what each test adds.
 */

/**
 * The run's clock: 2026-03-10 13:00 in Chicago (CDT, -05:00), 2026-03-11
 * 07:00 in Auckland. An appointment on 2026-03-11 is tomorrow in Chicago.
 */
export const NOW = new Date("2026-03-10T18:00:00Z");

/** A fixture pack (`test/fixtures/appointments/<id>/pack.yaml`), loaded once. */
export const pack = fixturePackLoader("test/fixtures/appointments");

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
    { id: "4471", name: "Harbor Mutual PPO" },
    { id: "00312", name: "Blue Cross Choice" },
  ],
  appointmentTypes: [
    { id: "12", name: "Follow-Up 15" },
    { id: "14", name: "Post-Op Visit", billingSlipRequired: false },
  ],
  procedures: [],
};

export const PRIMARY: Policy = { sequence: 1, packageId: "4471", policyNumber: "HM-1" };
export const SECONDARY: Policy = { sequence: 2, packageId: "00312", policyNumber: "BC-2" };

export const PATIENT: Patient & { id: string } = {
  id: "1001",
  lastName: "Rivera",
  firstName: "Ana",
  dob: "1980-02-14",
  externalIds: { mrn: "000777" },
};

/** A store with the master data and patient 1001 (two policies); `more` actions after. */
export async function newStore(more: readonly TypedAction[] = []): Promise<Store> {
  const store = createMemoryStore();
  await store.loadMasterData(MASTER_DATA);
  await seed(store, [
    { type: "patient.create", patient: PATIENT },
    { type: "insurance.add", patientId: "1001", policy: PRIMARY },
    { type: "insurance.add", patientId: "1001", policy: SECONDARY },
    ...more,
  ]);
  return store;
}

/** Apply actions as one processed message (the store's own rules apply). */
export async function seed(store: Store, actions: readonly TypedAction[]): Promise<void> {
  const messageId = await store.receive({
    raw: new TextEncoder().encode("seed"),
    receivedAt: NOW.toISOString(),
    sender: "test:seed",
    controlId: "SEED",
    messageType: "SEED",
    direction: "inbound",
  });
  await store.complete(
    {
      messageId,
      controlId: "SEED",
      messageType: "SEED",
      state: "PROCESSED",
      actions,
      errors: [],
      review: [],
      trace: [],
    },
    { kind: "receive", now: NOW.toISOString() },
  );
}

/** A stored appointment of patient 1001: tomorrow 09:00 Chicago, status f, no external IDs. */
export const STORED: Appointment & { id: string } = {
  id: "2001",
  patientId: "1001",
  start: "2026-03-11T09:00:00-05:00",
  durationMinutes: 15,
  providerId: "101",
  departmentId: "1",
  type: "12",
  status: "f",
};

export const storedAppointment = (
  changes: Partial<Appointment> = {},
): { type: "appointment.create"; appointment: Appointment & { id: string } } => ({
  type: "appointment.create",
  appointment: { ...STORED, ...changes },
});

/** HL7 fields by standard number, as they travel (`DOE^JANE`, `""`). */
export type Fields = Readonly<Record<number, string>>;

export function segment(name: string, fields: Fields): string {
  const last = Math.max(0, ...Object.keys(fields).map(Number));
  return [name, ...Array.from({ length: last }, (_, i) => fields[i + 1] ?? "")].join("|");
}

export interface SiuParts {
  readonly controlId?: string;
  /** Merged over the default SCH; a key set to `undefined` drops that field. */
  readonly sch?: Readonly<Record<number, string | undefined>>;
  /** Merged over the default TQ1; `null` leaves the segment out. */
  readonly tq1?: Readonly<Record<number, string | undefined>> | null;
  readonly pid?: Readonly<Record<number, string | undefined>>;
  readonly pv1?: Readonly<Record<number, string | undefined>>;
  /** Segments after PV1 (RGS, AIS, NTE, IN1...), verbatim. */
  readonly more?: readonly string[];
}

/**
 * The default appointment: visit V100 in SCH.1, no practice ID in SCH.2,
 * type 12 in SCH.8, notes in SCH.7.2, TQ1 tomorrow 09:00 Chicago for 15
 * minutes, patient 1001 (PID.2) with MRN 000777, department 1, provider 101.
 */
const SCH: Fields = { 1: "V100", 7: "^knee pain", 8: "12" };
const TQ1: Fields = { 6: "15^min", 7: "202603110900" };
const PID: Fields = { 2: "1001", 3: "000777^^^OC^MR", 5: "RIVERA^ANA", 7: "19800214" };
const PV1: Fields = { 2: "O", 3: "1", 7: "101^Nguyen^Susan" };

function merged(
  base: Fields,
  over: Readonly<Record<number, string | undefined>> = {},
): Record<number, string> {
  const out: Record<number, string> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete out[Number(k)];
    else out[Number(k)] = v;
  }
  return out;
}

/** An SIU message (`SIU^S12`...), segments separated by CR. */
export function siu(trigger: string, parts: SiuParts = {}): string {
  const controlId = parts.controlId ?? `C-${trigger}`;
  const segments = [
    `MSH|^~\\&|EHR|CLINIC|PM|PRACTICE|20260310120000||SIU^${trigger}^SIU_S12|${controlId}|P|2.5.1`,
    segment("SCH", merged(SCH, parts.sch)),
    ...(parts.tq1 === null ? [] : [segment("TQ1", merged(TQ1, parts.tq1))]),
    segment("PID", merged(PID, parts.pid)),
    segment("PV1", merged(PV1, parts.pv1)),
    ...(parts.more ?? []),
  ];
  return segments.join("\r");
}

/** Process one message into the store (as `rulepack run` does) and return its outcome. */
export async function run(
  packId: string,
  store: Store,
  message: string,
  now: Date = NOW,
): Promise<Outcome> {
  const outcomes = await receiveBytes(pack(packId), store, new TextEncoder().encode(message), {
    now,
    sender: "test",
  });
  const [outcome] = outcomes;
  if (!outcome || outcomes.length !== 1)
    throw new Error(`expected one outcome, got ${outcomes.length}`);
  return outcome;
}

/** `code(field)` of every error, as the CLI's text line shows them. */
export const codes = (o: Outcome): string[] =>
  o.errors.map((e) => (e.field ? `${e.code}(${e.field})` : e.code));
