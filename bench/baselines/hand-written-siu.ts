/**
 * The hand-written baseline of the SIU pipeline benchmark
 * (bench/suites/siu-pipeline.ts): Harbor Orthopedics' appointment messages
 * (rules/practices/harbor-ortho/pack.yaml over rules/base.yaml) processed by
 * plain, synchronous TypeScript, with Harbor's configuration written into
 * the code.
 *
 * It does what `receiveBytes` does for that pack: parse with our parseHl7,
 * store the message, match the appointment by the OrthoChart visit ID (SCH.1,
 * leading zeros stripped) and its patient (the appointment's, else the MRN),
 * decide the event (S12 create or resend, S13 cancel-and-create, S14 by the
 * mapped SCH.25, S15/S17 cancel, S26 no-show cancel), read the fields each
 * event uses by fixed index, map them through plain Maps built from the same
 * mapping files, check master data, check Table 14's required fields, build
 * the same actions and complete the message in the store. What it lacks is
 * what the interpreter adds: compiled references and rules walked per field,
 * the generic mapping step, the trace, enablement lists, async plumbing.
 *
 * It follows the handler's order of checks and error codes for the messages
 * the benchmark sends; the suite compares the two pipelines' outcomes
 * message by message and prints how many agree. A Harbor pack change must be
 * made here by hand too.
 */
import { join } from "node:path";
import { controlId, leafValue, messageType, messageTypeName } from "../../engine/hl7/access.js";
import { parseHl7 } from "../../engine/hl7/parse.js";
import type { Hl7Message, Hl7Segment } from "../../engine/hl7/tree.js";
import type { ExternalIdSet, TypedAction } from "../../engine/model/actions.js";
import type { MasterData } from "../../engine/model/master-data.js";
import { decideState, type Outcome, type OutcomeError } from "../../engine/model/outcome.js";
import type { Appointment, AppointmentStatus, Patient } from "../../engine/model/records.js";
import { localDay, toDateTime } from "../../engine/model/time.js";
import type { LocalStore as Store } from "../../engine/store/types.js";
import { loadHarborTable, type Table } from "./harbor-tables.js";

const TIME_ZONE = "America/New_York";
const VISIT = "orthochartVisit";
const MRN = "orthochartMrn";
const NO_SHOW_REASON = "NOSHOW";
const SIU_TRIGGERS = new Set(["S12", "S13", "S14", "S15", "S17", "S26"]);
const UPDATE_EVENTS: Readonly<Record<string, "checkIn" | "checkOut" | "cancel">> = {
  "2": "checkIn",
  "3": "checkOut",
  x: "cancel",
};

export interface HarborSiu {
  readonly provider: Table;
  readonly department: Table;
  readonly appointmentType: Table;
  readonly appointmentStatus: Table;
  readonly providers: ReadonlySet<string>;
  readonly departments: ReadonlySet<string>;
  readonly appointmentTypes: ReadonlySet<string>;
}

/** Harbor's tables and master-data sets, built once. `root` is the repository. */
export function loadHarborSiu(root: string, masterData: MasterData): HarborSiu {
  const dir = join(root, "mappings");
  return {
    provider: loadHarborTable(dir, "provider"),
    department: loadHarborTable(dir, "department"),
    appointmentType: loadHarborTable(dir, "appointmentType"),
    appointmentStatus: loadHarborTable(dir, "appointmentStatus"),
    providers: new Set(masterData.providers.map((p) => p.id)),
    departments: new Set(masterData.departments.map((d) => d.id)),
    appointmentTypes: new Set(masterData.appointmentTypes.map((t) => t.id)),
  };
}

// --- reading ------------------------------------------------------------------

function first(message: Hl7Message, name: string): Hl7Segment | undefined {
  for (const s of message.segments) if (s.name === name) return s;
  return undefined;
}

/** A leaf as the engine's references read it: a value, null (`""`) or undefined (absent). */
function leaf(s: Hl7Segment | undefined, f: number, c = 1): string | null | undefined {
  const value = leafValue(s, f, 1, c);
  return value === "" ? undefined : value;
}

const stripZeros = (v: string) => v.replace(/^0+/, "") || (v === "" ? "" : "0");

/** PID.3[5=MR].1 */
function mrn(pid: Hl7Segment | undefined): string | undefined {
  for (const repetition of pid?.fields[2] ?? []) {
    if (repetition[4]?.[0]?.value === "MR") return repetition[0]?.[0]?.value || undefined;
  }
  return undefined;
}

class Found {
  readonly errors: OutcomeError[] = [];
  error(code: OutcomeError["code"], message: string, more: Partial<OutcomeError> = {}): void {
    this.errors.push({ code, severity: "error", message, ...more });
  }
}

/** Map a code (mapping required) and check master data; undefined after reporting a failure. */
function mapped(
  found: Found,
  table: Table,
  name: string,
  known: ReadonlySet<string> | undefined,
  code: string,
  field: string,
): string | undefined {
  const practice = table.rows.get(table.caseInsensitive ? code.toUpperCase() : code);
  if (practice === undefined) {
    found.error(
      "UNMAPPED_CODE",
      `'${code}' has no row in mapping table ${name} (${field}); add one and reprocess`,
      { field, table: name, value: code },
    );
    return undefined;
  }
  if (known && known.size > 0 && !known.has(practice)) {
    found.error(
      name === "provider"
        ? "UNKNOWN_PROVIDER"
        : name === "department"
          ? "UNKNOWN_DEPARTMENT"
          : "INVALID_VALUE",
      `${name} '${practice}' is not in the practice's master data`,
      { field, table: name, value: practice },
    );
    return undefined;
  }
  return practice;
}

interface Fields {
  readonly record: Appointment;
  readonly complete: boolean;
}

/** The appointment's own fields (Harbor: type from SCH.7, notes from NTE.3). */
function readFields(harbor: HarborSiu, message: Hl7Message, found: Found): Fields {
  const before = found.errors.length;
  const sch = first(message, "SCH");
  const tq1 = first(message, "TQ1");
  const ais = first(message, "AIS");
  const pv1 = first(message, "PV1");
  const record: Record<string, unknown> = {};
  const startText = leaf(tq1, 7) ?? leaf(sch, 11, 4) ?? leaf(ais, 4);
  if (startText) {
    const start = toDateTime(startText, TIME_ZONE);
    if (start === undefined) {
      found.error(
        "INVALID_VALUE",
        `appointment.start '${startText}' is not a date-time to the minute (YYYYMMDDHHMM)`,
      );
    } else record.start = start;
  }
  const duration = leaf(tq1, 6) ?? leaf(sch, 9) ?? leaf(ais, 7);
  if (duration && /^[+-]?\d+$/.test(duration.trim())) {
    record.durationMinutes = Number.parseInt(duration, 10);
  }
  const provider = leaf(pv1, 7);
  if (provider) {
    const id = mapped(found, harbor.provider, "provider", harbor.providers, provider, "PV1.7");
    if (id !== undefined) record.providerId = id;
  }
  const department = leaf(pv1, 3);
  if (department) {
    const id = mapped(
      found,
      harbor.department,
      "department",
      harbor.departments,
      department,
      "PV1.3.1",
    );
    if (id !== undefined) record.departmentId = id;
  }
  const type = leaf(sch, 7);
  if (type) {
    const id = mapped(
      found,
      harbor.appointmentType,
      "appointmentType",
      harbor.appointmentTypes,
      type,
      "SCH.7",
    );
    if (id !== undefined) record.type = id;
  }
  const notes = leafValue(first(message, "NTE"), 3);
  if (notes) record.notes = notes;
  return { record: record as Appointment, complete: found.errors.length === before };
}

/** Table 14 (to create) plus Harbor's SCH.1. */
function requiredToCreate(message: Hl7Message, record: Appointment, found: Found): boolean {
  const missing: [string, string][] = [];
  if (record.start === undefined)
    missing.push(["appointment date/time", "TQ1.7 | SCH.11.4 | AIS.4"]);
  if (record.providerId === undefined) missing.push(["appointment provider", "PV1.7"]);
  if (record.departmentId === undefined) missing.push(["appointment department", "PV1.3.1"]);
  if (record.type === undefined) missing.push(["appointment type", "SCH.7"]);
  if (!leaf(first(message, "SCH"), 1)) missing.push(["OrthoChart visit ID", "SCH.1"]);
  for (const [label, field] of missing) {
    found.error(
      "REQUIRED_FIELD_MISSING",
      `${label} (${field}) is required to create an appointment`,
      { field },
    );
  }
  return missing.length === 0;
}

type Stored = Appointment & { readonly id: string };

function createActions(
  store: Store,
  record: Appointment,
  patientId: string,
  visit: string | undefined,
  now: Date,
): TypedAction[] {
  const id = store.nextId("appointment");
  const policies = store.policiesOf(patientId);
  const primary = policies.find((p) => p.sequence === 1);
  const secondary = policies.find((p) => p.sequence === 2);
  const start = record.start;
  const status: AppointmentStatus =
    typeof start === "string" && localDay(start, TIME_ZONE) > localDay(now, TIME_ZONE) ? "f" : "2";
  const appointment = {
    ...record,
    patientId,
    ...(visit !== undefined && { externalIds: { [VISIT]: visit } }),
    ...(primary && { primaryPolicy: primary }),
    ...(secondary && { secondaryPolicy: secondary }),
    status,
    id,
  };
  const actions: TypedAction[] = [{ type: "appointment.create", appointment }];
  if (visit !== undefined && stripZeros(visit) !== visit) {
    actions.push(setVisit(id, visit));
  }
  return actions;
}

const setVisit = (recordId: string, value: string): ExternalIdSet => ({
  type: "externalId.set",
  record: "appointment",
  recordId,
  name: VISIT,
  value,
  key: stripZeros(value),
});

function siuMessage(
  harbor: HarborSiu,
  store: Store,
  message: Hl7Message,
  found: Found,
  now: Date,
): TypedAction[] {
  const type = messageTypeName(message);
  const trigger = messageType(message).trigger;
  const sch = first(message, "SCH");
  const visit = leaf(sch, 1) ?? undefined;
  let stored: Stored | undefined;
  if (visit === undefined) {
    if (trigger !== "S12") {
      found.error(
        "APPOINTMENT_NOT_FOUND",
        `${type} changes an existing appointment, but the message has no external appointment ID ${VISIT} in SCH.1 (appointments.matching, Table 15 - Appointment message matching options)`,
        { field: "SCH.1" },
      );
      return [];
    }
  } else {
    const held = store.appointmentsByExternalId(VISIT, stripZeros(visit));
    if (held.length > 1) {
      found.error(
        "INVALID_VALUE",
        `external appointment ID ${VISIT} '${visit}' is held by ${held.length} appointments`,
        {
          field: "SCH.1",
          value: visit,
        },
      );
      return [];
    }
    stored = held[0] as Stored | undefined;
    if (!stored && trigger !== "S12") {
      found.error(
        "APPOINTMENT_NOT_FOUND",
        `${type} changes an existing appointment, but no appointment holds ${VISIT} '${visit}' (SCH.1) (appointments.matching, Table 15 - Appointment message matching options)`,
        { field: "SCH.1", value: visit },
      );
      return [];
    }
  }
  let patient: Patient | undefined =
    stored?.patientId === undefined ? undefined : store.patientById(stored.patientId);
  if (!patient) {
    const id = mrn(first(message, "PID"));
    const matches = id === undefined ? [] : store.patientsByExternalId(MRN, stripZeros(id));
    if (matches.length > 1) {
      found.error(
        "REVIEW_REQUIRED",
        "a person must decide which patient this appointment belongs to",
      );
      return [];
    }
    patient = matches[0];
  }
  if (patient?.id === undefined) {
    found.error(
      "PATIENT_NOT_FOUND",
      "no patient matches by appointment, externalId (matching.order.appointment); an appointment message never creates a patient: send the patient first",
    );
    return [];
  }
  const patientId = patient.id;

  if (!stored) {
    const fields = readFields(harbor, message, found);
    if (!fields.complete || !requiredToCreate(message, fields.record, found)) return [];
    return createActions(store, fields.record, patientId, visit, now);
  }
  let event: "update" | "checkIn" | "checkOut" | "cancel" | "reschedule" | "resend";
  switch (trigger) {
    case "S12":
      event = "resend";
      break;
    case "S13":
      event = "reschedule";
      break;
    case "S15":
    case "S17":
    case "S26":
      event = "cancel";
      break;
    default: {
      const status = leaf(sch, 25);
      let code: string | undefined;
      if (status) {
        code = mapped(
          found,
          harbor.appointmentStatus,
          "appointmentStatus",
          undefined,
          status,
          "SCH.25",
        );
        if (code === undefined) return [];
      }
      event = (code !== undefined ? UPDATE_EVENTS[code] : undefined) ?? "update";
    }
  }
  if (event === "cancel") {
    const reason = leafValue(sch, 6);
    const cancelReason = reason === "" ? undefined : reason === null ? null : reason;
    const fallback = trigger === "S26" ? NO_SHOW_REASON : undefined;
    const chosen = cancelReason === undefined ? fallback : cancelReason;
    return [
      {
        type: "appointment.cancel",
        appointmentId: stored.id,
        appointment: { status: "x", ...(chosen !== undefined && { cancelReason: chosen }) },
      },
    ];
  }
  const fields = readFields(harbor, message, found);
  if (!fields.complete) return [];
  if (event === "reschedule") {
    if (!requiredToCreate(message, fields.record, found)) return [];
    const carried = stored.externalIds ?? {};
    const cleared = Object.fromEntries(Object.keys(carried).map((n) => [n, null]));
    return [
      {
        type: "appointment.cancel",
        appointmentId: stored.id,
        appointment: {
          status: "x",
          ...(Object.keys(cleared).length > 0 && { externalIds: cleared }),
        } as Appointment,
      },
      ...createActions(store, fields.record, patientId, visit, now),
    ];
  }
  const changed =
    visit !== undefined &&
    (stored.externalIds?.[VISIT] === undefined ||
      stripZeros(stored.externalIds[VISIT] as string) !== stripZeros(visit));
  const more = changed && visit !== undefined ? [setVisit(stored.id, visit)] : [];
  const status = event === "checkIn" ? "2" : event === "checkOut" ? "3" : undefined;
  const actionType =
    event === "checkIn"
      ? "appointment.checkIn"
      : event === "checkOut"
        ? "appointment.checkOut"
        : "appointment.update";
  return [
    {
      type: actionType,
      appointmentId: stored.id,
      appointment: { ...fields.record, ...(status && { status }) },
    },
    ...more,
  ];
}

/** `receiveBytes` for Harbor's SIU messages, by hand: one message per input, synchronous. */
export async function receiveSiuBytes(
  harbor: HarborSiu,
  store: Store,
  bytes: Uint8Array,
  options: { readonly now: Date; readonly sender: string },
): Promise<Outcome[]> {
  const doc = parseHl7(bytes);
  const outcomes: Outcome[] = [];
  for (const message of doc.messages) {
    const type = messageTypeName(message);
    const messageId = await store.receive({
      raw: bytes,
      receivedAt: options.now.toISOString(),
      sender: options.sender,
      controlId: controlId(message),
      messageType: type,
      direction: "inbound",
    });
    const found = new Found();
    let actions: TypedAction[] = [];
    const { code, trigger } = messageType(message);
    if (code !== "SIU" || !SIU_TRIGGERS.has(trigger)) {
      found.error("MESSAGE_TYPE_NOT_SUPPORTED", `no handler takes ${type}`, { field: "MSH.9" });
    } else {
      actions = siuMessage(harbor, store, message, found, options.now);
    }
    const state = decideState(found.errors, false);
    const outcome: Outcome = {
      messageId,
      controlId: controlId(message),
      messageType: type,
      state,
      actions: state === "PROCESSED" ? actions : [],
      errors: found.errors,
      review: [],
      trace: [],
    };
    await store.complete(outcome, { kind: "receive", now: options.now.toISOString() });
    outcomes.push(outcome);
  }
  return outcomes;
}
