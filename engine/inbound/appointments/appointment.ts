import { messageType, messageTypeName } from "../../hl7/access.js";
import type { AppointmentChange, ExternalIdSet, TypedAction } from "../../model/actions.js";
import { normalizeRecord } from "../../model/merge.js";
import type { Appointment, AppointmentStatus, Patient } from "../../model/records.js";
import { localDay } from "../../model/time.js";
import type { AppointmentChangeEvent } from "../../pack/appointments.js";
import type { CompiledPack } from "../../pack/compiled.js";
import { isInboundEnabled } from "../../pack/enablement.js";
import type { ReadContext } from "../../paths/types.js";
import type { MessageContext } from "../context.js";
import { matchingKey, type ReceivedExternalId, readExternalIds } from "../external-ids.js";
import { type ExtractedRecord, extractRecord } from "../extract.js";
import { checkInsured } from "../insured.js";
import { matchPatient } from "../patients/match-patient.js";
import { checkRequired } from "../required.js";
import { appointmentDecision } from "../trace-options.js";

/**
 * Inbound appointment messages (SIU S12 new; S14 update, check-in,
 * check-out; S15 cancel; S13 reschedule, S17 deletion and S26 no-show when
 * enabled), docs/pack-language.md §17:
 *
 * 1. match the appointment (Table 15: the practice ID or the external ID),
 *    then its patient by ID only (`matching.order.appointment`: never
 *    demographics, never a new patient; PID, PV1 demographics and IN1 are
 *    not processed);
 * 2. decide the event from the trigger and, for S14/S26, the mapped status
 *    (`updateEvents`); check that event's enablement (Table 4);
 * 3. extract only the fields the event uses (a cancel reads its reason, an
 *    S14 its status; SCH.6 on an S12 is an event reason, not a cancel
 *    reason), check Table 14's required fields for a create or an update;
 * 4. build the actions.
 */

type StoredAppointment = Appointment & { readonly id: string };
type StoredPatient = Patient & { readonly id: string };

/** What the message does, decided before any field but the status is read. */
type Plan =
  | { readonly kind: "create"; readonly event: "appointmentSchedule" }
  /** An S12 for an appointment that exists: a resend, taken as an update. */
  | {
      readonly kind: "resend";
      readonly event: "appointmentSchedule";
      readonly appointment: StoredAppointment;
    }
  | {
      readonly kind: "change";
      readonly event: AppointmentChangeEvent;
      readonly appointment: StoredAppointment;
      /** What decided the event: the status field of an S14, else the trigger (MSH.9). */
      readonly decidedBy: string;
    }
  /** S13 with `reschedule: cancelAndCreate`. */
  | {
      readonly kind: "cancelAndCreate";
      readonly event: "appointmentUpdate";
      readonly appointment: StoredAppointment;
    };

/** The status each event sets; an update never changes the status. */
const EVENT_STATUS: Readonly<Partial<Record<AppointmentChangeEvent, AppointmentStatus>>> = {
  appointmentCheckIn: "2",
  appointmentCheckOut: "3",
  appointmentCancel: "x",
};

const ACTION_OF: Readonly<Record<AppointmentChangeEvent, AppointmentChange["type"]>> = {
  appointmentUpdate: "appointment.update",
  appointmentCancel: "appointment.cancel",
  appointmentCheckIn: "appointment.checkIn",
  appointmentCheckOut: "appointment.checkOut",
};

/** The triggers this handler takes; process.ts routes them here. */
export const APPOINTMENT_TRIGGERS = ["S12", "S13", "S14", "S15", "S17", "S26"] as const;

export async function appointmentMessage(ctx: MessageContext): Promise<TypedAction[]> {
  const read: ReadContext = { message: ctx.message };
  const trigger = messageType(ctx.message).trigger;
  const type = messageTypeName(ctx.message);
  const ids = readExternalIds(ctx.pack.externalIds.appointment, read);

  const match = matchAppointment(ctx, ids, read);
  if (match.kind === "error") return [];
  const stored = match.kind === "matched" ? match.appointment : undefined;
  if (trigger !== "S12" && !stored) {
    ctx.found.errors.push({
      code: "APPOINTMENT_NOT_FOUND",
      severity: "error",
      message: `${type} changes an existing appointment, but ${match.kind === "none" ? match.why : "none matched"} (appointments.matching, Table 15 - Appointment message matching options)`,
      ...(match.kind === "none" && match.field && { field: match.field }),
      ...(match.kind === "none" && match.value !== undefined && { value: match.value }),
    });
    return [];
  }

  const patient = matchAppointmentPatient(ctx, stored, read);
  if (!patient) return [];

  // `patient.<field>` and `appointment.<field>` alternatives read the matched records.
  const derived: ReadContext["derived"] = {
    patient: { ...patient },
    ...(stored && { appointment: { ...stored } }),
  };
  const plan = await decide(ctx, trigger, stored, derived);
  if (!plan) return [];
  ctx.found.trace.push({
    step: "decide",
    detail: describe(plan, type),
    event: plan.event,
    options: appointmentDecision(ctx.pack, plan.event, trigger, stored !== undefined, ids),
  });
  if (!isInboundEnabled(ctx.pack.enabled, plan.event, type)) {
    ctx.found.errors.push({
      code: "EVENT_NOT_ENABLED",
      severity: "error",
      message: `${plan.event} is not enabled inbound for ${type} (enabled.inbound.${plan.event}, Table 4 - Interface Enablement)`,
    });
    return [];
  }

  if (!checkTransition(ctx, plan, type)) return [];
  const creates = plan.kind === "create" || plan.kind === "cancelAndCreate";
  const insured =
    !creates ||
    checkInsured(
      ctx,
      patient.id,
      "appointments.requireInsurance",
      ctx.pack.appointments.requireInsurance,
      "scheduling an appointment",
    );

  const cancels = plan.kind === "change" && plan.event === "appointmentCancel";
  const scoped = scopedContext(ctx, cancels ? "cancel" : "record");
  const extracted = await extractRecord(scoped, "appointment", { derived });
  if (!extracted.complete) return [];
  const requiredOk = await checkRequired(
    scoped,
    extracted,
    creates ? "create" : "update",
    { ...read, derived },
    plan.event,
  );
  if (!requiredOk || !insured) return [];

  switch (plan.kind) {
    case "create":
      return createActions(ctx, extracted, patient.id, ids, {});
    case "resend":
      return [
        {
          type: "appointment.update",
          appointmentId: plan.appointment.id,
          appointment: extracted.record as Appointment,
        },
        ...changedIds(ctx, ids, plan.appointment),
      ];
    case "cancelAndCreate": {
      const old = plan.appointment;
      const moved = old.externalIds ?? {};
      const cleared = Object.fromEntries(Object.keys(moved).map((name) => [name, null]));
      const cancel: AppointmentChange = {
        type: "appointment.cancel",
        appointmentId: old.id,
        appointment: {
          status: "x",
          ...(Object.keys(cleared).length > 0 && { externalIds: cleared }),
        } as Appointment,
      };
      return [cancel, ...createActions(ctx, extracted, patient.id, ids, moved)];
    }
    case "change":
      return changeActions(ctx, plan, extracted, trigger, ids);
  }
}

type AppointmentMatch =
  | { readonly kind: "matched"; readonly appointment: StoredAppointment }
  | {
      readonly kind: "none";
      /** Why nothing matched, for APPOINTMENT_NOT_FOUND. */
      readonly why: string;
      readonly field?: string;
      readonly value?: string;
    }
  | { readonly kind: "error" };

const withId = <T extends { readonly id?: string }>(r: T | undefined) =>
  r?.id === undefined ? undefined : (r as T & { readonly id: string });

/** Table 15: the practice system's appointment ID, or the external ID used for matching. */
function matchAppointment(
  ctx: MessageContext,
  ids: readonly ReceivedExternalId[],
  read: ReadContext,
): AppointmentMatch {
  const matching = ctx.pack.appointments.matching;
  if (matching.by === "practiceId") {
    const result = matching.from.read(read);
    const field = matching.from.source;
    if (result.kind !== "value" || typeof result.value !== "string") {
      trace(ctx, "practiceId", field, "no appointment ID in the message");
      return { kind: "none", why: `the message has no appointment ID in ${field}`, field };
    }
    const appointment = withId(ctx.view.appointmentById(result.value));
    trace(ctx, "practiceId", result.alternative, appointment ? "found" : "no such appointment");
    return appointment
      ? { kind: "matched", appointment }
      : {
          kind: "none",
          why: `no appointment has the ID '${result.value}' (${result.alternative})`,
          field: result.alternative,
          value: result.value,
        };
  }
  const config = matching.externalId;
  const field = config.from.source;
  const id = ids.find((i) => i.name === config.name);
  if (!id) {
    trace(ctx, "externalId", field, `no ${config.name} in the message`);
    return {
      kind: "none",
      why: `the message has no external appointment ID ${config.name} in ${field}`,
      field,
    };
  }
  const found = ctx.view.appointmentsByExternalId(id.name, id.key);
  trace(ctx, "externalId", field, `${id.name} ${id.key}: ${found.length} appointment(s)`);
  if (found.length > 1) {
    ctx.found.errors.push({
      code: "INVALID_VALUE",
      severity: "error",
      message: `external appointment ID ${id.name} '${id.value}' is held by ${found.length} appointments (${found.map((a) => a.id).join(", ")}); external IDs must be unique and non-changing`,
      field,
      value: id.value,
    });
    return { kind: "error" };
  }
  const appointment = withId(found[0]);
  return appointment
    ? { kind: "matched", appointment }
    : {
        kind: "none",
        why: `no appointment holds ${id.name} '${id.value}' (${field})`,
        field,
        value: id.value,
      };
}

function trace(ctx: MessageContext, rule: string, ref: string, detail: string): void {
  ctx.found.trace.push({
    step: "match",
    rule: `appointment.${rule}`,
    ref,
    detail,
    options: [{ path: "appointments.matching" }],
  });
}

/**
 * The patient, by ID only (`matching.order.appointment`). An appointment
 * message never creates a patient: no match is PATIENT_NOT_FOUND.
 */
function matchAppointmentPatient(
  ctx: MessageContext,
  appointment: StoredAppointment | undefined,
  read: ReadContext,
): StoredPatient | undefined {
  const patientIds = readExternalIds(ctx.pack.externalIds.patient, read);
  let patient: StoredPatient | undefined;
  for (const strategy of ctx.pack.matching.order.appointment) {
    if (strategy === "appointment") {
      const id = appointment?.patientId;
      patient = id === undefined ? undefined : withId(ctx.view.patientById(id));
      ctx.found.trace.push({
        step: "match",
        rule: "appointment",
        detail: patient ? `the appointment's patient ${patient.id}` : "no matched appointment",
      });
    } else {
      const match = matchPatient(ctx, [strategy], {}, patientIds);
      if (match.kind === "review") {
        ctx.found.errors.push({
          code: "REVIEW_REQUIRED",
          severity: "error",
          message:
            "a person must decide which patient this appointment belongs to (the patient external ID is held by several patients); nothing was applied",
        });
        return undefined;
      }
      patient = match.kind === "matched" ? match.patient : undefined;
    }
    if (patient) break;
  }
  if (!patient) {
    ctx.found.errors.push({
      code: "PATIENT_NOT_FOUND",
      severity: "error",
      message: `no patient matches by ${ctx.pack.matching.order.appointment.join(", ")} (matching.order.appointment); an appointment message never creates a patient: send the patient first`,
    });
    return undefined;
  }
  if (appointment?.patientId !== undefined && appointment.patientId !== patient.id) {
    ctx.found.errors.push({
      code: "APPOINTMENT_NOT_FOUND",
      severity: "error",
      message: `appointment ${appointment.id} belongs to patient ${appointment.patientId}, not to the message's patient ${patient.id}`,
    });
    return undefined;
  }
  return patient;
}

/** The event, from the trigger and (S14, S26) the status (§17 "Events from SIU triggers"). */
async function decide(
  ctx: MessageContext,
  trigger: string,
  stored: StoredAppointment | undefined,
  derived: ReadContext["derived"],
): Promise<Plan | undefined> {
  const options = ctx.pack.appointments;
  if (!stored) return { kind: "create", event: "appointmentSchedule" };
  switch (trigger) {
    case "S12":
      return { kind: "resend", event: "appointmentSchedule", appointment: stored };
    case "S13":
      return options.reschedule === "cancelAndCreate"
        ? { kind: "cancelAndCreate", event: "appointmentUpdate", appointment: stored }
        : { kind: "change", event: "appointmentUpdate", appointment: stored, decidedBy: "MSH.9" };
    case "S15":
    case "S17":
      return {
        kind: "change",
        event: "appointmentCancel",
        appointment: stored,
        decidedBy: "MSH.9",
      };
    case "S26":
      return {
        kind: "change",
        event: options.updateEvents[options.noShow.status] ?? "appointmentUpdate",
        appointment: stored,
        decidedBy: "MSH.9",
      };
    default: {
      // S14: "Appointment Status (if applicable) SCH.25", mapped to the practice's code.
      const status = await extractRecord(scopedContext(ctx, "status"), "appointment", {
        derived,
      });
      if (!status.complete) return undefined;
      const value = status.fields.get("appointment.status");
      const code = value?.kind === "value" ? String(value.value) : undefined;
      const field =
        value?.hl7Field ??
        ctx.pack.fields.find((r) => r.field === "appointment.status" && !r.when)?.from?.source ??
        "SCH.25";
      const event = statusEvent(ctx, code, field, stored);
      return { kind: "change", event, appointment: stored, decidedBy: field };
    }
  }
}

/** The practice system's appointment statuses (records.ts), in words for errors and traces. */
const STATUS_WORDS: Readonly<Record<AppointmentStatus, string>> = {
  f: "future",
  "2": "checked in",
  "3": "checked out",
  "4": "charges entered",
  x: "cancelled",
};

const isStatus = (code: string): code is AppointmentStatus => Object.hasOwn(STATUS_WORDS, code);

/**
 * An S14's event from its status (`appointments.updateEvents`). A status
 * that decides nothing — absent, a practice status no event is mapped to,
 * or a value that is no practice status at all (Table 8's `ARRIVED` with
 * mapping off) — is a plain update, and the outcome says so: a trace
 * entry, and for a value that is no status the warning STATUS_NOT_APPLIED.
 */
function statusEvent(
  ctx: MessageContext,
  code: string | undefined,
  field: string,
  stored: StoredAppointment,
): AppointmentChangeEvent {
  const stays = `appointmentUpdate (the status stays ${stored.status ?? "unset"})`;
  const note = (detail: string) =>
    ctx.found.trace.push({
      step: "decide",
      rule: "appointments.updateEvents",
      at: ctx.pack.appointments.at,
      ref: field,
      detail,
    });
  if (code === undefined) {
    note(`no status in ${field}: ${stays}`);
    return "appointmentUpdate";
  }
  if (!isStatus(code)) {
    const mapped = ctx.pack.mappings.appointmentStatus?.mappingRequired === true;
    ctx.found.errors.push({
      code: "STATUS_NOT_APPLIED",
      severity: "warning",
      message: `${field} '${code}' is not a practice appointment status (f, 2, 3, 4, x), so it decides no check-in, check-out or cancel: the message is a plain update and the status stays ${stored.status ?? "unset"}${mapped ? " (fix the row of the appointmentStatus table)" : "; with mappings.appointmentStatus.mappingRequired: true, the standard table maps Table 8's words and HL7 table 0278"}`,
      field,
      value: code,
    });
    note(`status '${code}' (${field}) is no practice status: ${stays}`);
    return "appointmentUpdate";
  }
  const event = ctx.pack.appointments.updateEvents[code];
  if (event === undefined) {
    note(`status ${code} (${field}) decides no event in appointments.updateEvents: ${stays}`);
    return "appointmentUpdate";
  }
  note(`status ${code} (${field}): ${event}`);
  return event;
}

const EVENT_WORDS: Readonly<Record<AppointmentChangeEvent, string>> = {
  appointmentUpdate: "an update",
  appointmentCancel: "a cancel",
  appointmentCheckIn: "a check-in",
  appointmentCheckOut: "a check-out",
};

/** Cancelled and charged appointments are final for the events that set a status. */
const FINAL: ReadonlySet<AppointmentStatus> = new Set(["x", "4"]);

/**
 * Appointment status moves (docs/pack-language.md §17): a check-in,
 * check-out or cancel (a reschedule by cancel-and-create included) of an
 * appointment in x (cancelled) or 4 (charges entered) is
 * INVALID_APPOINTMENT_TRANSITION, naming the current status. The same
 * status again (a cancel of a cancelled appointment) is a resend, not a
 * move; an update sets no status and is never refused.
 */
function checkTransition(ctx: MessageContext, plan: Plan, type: string): boolean {
  if (plan.kind === "create" || plan.kind === "resend") return true;
  const target = plan.kind === "cancelAndCreate" ? "x" : EVENT_STATUS[plan.event];
  const current = plan.appointment.status;
  if (target === undefined || current === undefined || !FINAL.has(current) || current === target) {
    return true;
  }
  const event =
    plan.kind === "cancelAndCreate"
      ? "a cancel (reschedule: cancelAndCreate)"
      : EVENT_WORDS[plan.event];
  const name = plan.kind === "cancelAndCreate" ? "appointmentUpdate" : plan.event;
  ctx.found.errors.push({
    code: "INVALID_APPOINTMENT_TRANSITION",
    severity: "error",
    message: `${name} (${type}) would move appointment ${plan.appointment.id} from ${current} (${STATUS_WORDS[current]}) to ${target} (${STATUS_WORDS[target]}); ${current} is final for ${event}: nothing was applied`,
    field: plan.kind === "change" ? plan.decidedBy : "MSH.9",
    value: current,
  });
  return false;
}

function describe(plan: Plan, type: string): string {
  switch (plan.kind) {
    case "create":
      return `${plan.event}: appointment.create (${type}, no matching appointment)`;
    case "resend":
      return `${plan.event}: appointment.update of ${plan.appointment.id} (${type} for an existing appointment: a resend)`;
    case "cancelAndCreate":
      return `${plan.event}: appointment.cancel of ${plan.appointment.id} + appointment.create (reschedule: cancelAndCreate)`;
    case "change":
      return `${plan.event}: ${ACTION_OF[plan.event]} of ${plan.appointment.id} (${type})`;
  }
}

function createActions(
  ctx: MessageContext,
  extracted: ExtractedRecord,
  patientId: string,
  ids: readonly ReceivedExternalId[],
  carried: Readonly<Record<string, string>>,
): TypedAction[] {
  const id = ctx.view.nextId("appointment");
  const received = Object.fromEntries(ids.map((i) => [i.name, i.value]));
  const externalIds = { ...carried, ...received };
  const policies = ctx.view.policiesOf(patientId);
  const primary = policies.find((p) => p.sequence === 1);
  const secondary = policies.find((p) => p.sequence === 2);
  const appointment = normalizeRecord({
    ...(extracted.record as Appointment),
    patientId,
    ...(Object.keys(externalIds).length > 0 && { externalIds }),
    ...(primary && { primaryPolicy: primary }),
    ...(secondary && { secondaryPolicy: secondary }),
    status: statusOnCreate(ctx, extracted),
  });
  // The store indexes the IDs of a create by their value; a normalized matching key needs its own action.
  const keyed = Object.entries(externalIds).flatMap(([name, value]): ExternalIdSet[] => {
    const key = matchingKey(value, leadingZerosOf(ctx, name));
    return key === value ? [] : [externalIdSet(name, value, key, id)];
  });
  return [{ type: "appointment.create", appointment: { ...appointment, id } }, ...keyed];
}

/** Future appointments (f) / Past or present appointments (2), by calendar day in the practice's zone. */
function statusOnCreate(ctx: MessageContext, extracted: ExtractedRecord): AppointmentStatus {
  const { future, pastOrPresent } = ctx.pack.appointments.statusOnCreate;
  const start = extracted.fields.get("appointment.start");
  if (start?.kind !== "value" || typeof start.value !== "string") return pastOrPresent;
  const day = localDay(start.value, ctx.timeZone);
  const today = localDay(ctx.now, ctx.timeZone);
  const status = day > today ? future : pastOrPresent;
  ctx.found.trace.push({
    step: "decide",
    detail: `status ${status}: the appointment is on ${day}, ${day > today ? "after" : "on or before"} ${today} (${ctx.timeZone})`,
    options: [
      {
        path: `appointments.statusOnCreate.${day > today ? "future" : "pastOrPresent"}`,
        value: status,
      },
      { path: "practice.timeZone", value: ctx.timeZone },
    ],
  });
  return status;
}

function changeActions(
  ctx: MessageContext,
  plan: Extract<Plan, { kind: "change" }>,
  extracted: ExtractedRecord,
  trigger: string,
  ids: readonly ReceivedExternalId[],
): TypedAction[] {
  const status = EVENT_STATUS[plan.event];
  const type = ACTION_OF[plan.event];
  const appointmentId = plan.appointment.id;
  if (plan.event === "appointmentCancel") {
    const reason = extracted.fields.get("appointment.cancelReason");
    const fallback = trigger === "S26" ? ctx.pack.appointments.noShow.cancelReason : undefined;
    const cancelReason =
      reason?.kind === "value" ? String(reason.value) : reason?.kind === "null" ? null : fallback;
    return [
      {
        type,
        appointmentId,
        appointment: { status: "x", ...(cancelReason !== undefined && { cancelReason }) },
      },
    ];
  }
  return [
    {
      type,
      appointmentId,
      appointment: { ...(extracted.record as Appointment), ...(status && { status }) },
    },
    ...changedIds(ctx, ids, plan.appointment),
  ];
}

function leadingZerosOf(ctx: MessageContext, name: string): "keep" | "strip" {
  return ctx.pack.externalIds.appointment.find((i) => i.name === name)?.leadingZeros ?? "keep";
}

/** externalId.set for each received ID that is new or whose matching key differs from the stored one. */
function changedIds(
  ctx: MessageContext,
  ids: readonly ReceivedExternalId[],
  stored: StoredAppointment,
): ExternalIdSet[] {
  return ids
    .filter((id) => {
      const current = stored.externalIds?.[id.name];
      return current === undefined || matchingKey(current, leadingZerosOf(ctx, id.name)) !== id.key;
    })
    .map((id) => externalIdSet(id.name, id.value, id.key, stored.id));
}

function externalIdSet(name: string, value: string, key: string, recordId: string): ExternalIdSet {
  return { type: "externalId.set", record: "appointment", recordId, name, value, key };
}

/**
 * The fields each kind of event reads (§17, Table 14's "if applicable"
 * rows): a cancel only its reason, an S14's decision only the status, every
 * other event the appointment's own fields. A field the event does not read
 * is neither mapped (no UNMAPPED_CODE for it) nor required.
 */
type FieldSet = "record" | "cancel" | "status";

const FIELD_SETS: Readonly<Record<FieldSet, (field: string) => boolean>> = {
  record: (f) => f !== "appointment.cancelReason" && f !== "appointment.status",
  cancel: (f) => f === "appointment.cancelReason",
  status: (f) => f === "appointment.status",
};

const scopedPacks = new WeakMap<CompiledPack, Map<FieldSet, CompiledPack>>();

/** The context with the pack's appointment field and required rules narrowed to a field set. */
function scopedContext(ctx: MessageContext, set: FieldSet): MessageContext {
  let bySet = scopedPacks.get(ctx.pack);
  if (!bySet) {
    bySet = new Map();
    scopedPacks.set(ctx.pack, bySet);
  }
  let pack = bySet.get(set);
  if (!pack) {
    const keep = FIELD_SETS[set];
    pack = {
      ...ctx.pack,
      fields: ctx.pack.fields.filter((r) => r.record !== "appointment" || keep(r.field)),
      required: ctx.pack.required.filter(
        (r) =>
          r.record !== "appointment" || (r.field === undefined ? set !== "status" : keep(r.field)),
      ),
    };
    bySet.set(set, pack);
  }
  return { ...ctx, pack };
}
