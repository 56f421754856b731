import type { OutcomeError, TraceEntry } from "../model/outcome.js";
import type { Appointment, Patient } from "../model/records.js";
import type { CompiledPack } from "../pack/compiled.js";
import type { OutboundEvent } from "../pack/enablement.js";
import type { OutboundFilter } from "../pack/outbound-options.js";
import type { KeptOutboundEvent } from "../store/outbound-events.js";
import type { Store, StoreView } from "../store/types.js";
import {
  type BuildInput,
  buildAppointmentMessage,
  buildPatientMessage,
  controlIdOf,
} from "./build.js";
import { CodeTranslator } from "./codes.js";
import { encodeMessage, fieldAt } from "./encoding.js";
import type { PracticeEvent } from "./events.js";
import { applyOutboundFields } from "./field-rules.js";
import { messageText, type Segment } from "./segments.js";
import { buildTrace, sendingTrace } from "./trace-options.js";

/**
 * The outbound flow (ARCHITECTURE.md): practice event -> enabled (§7) ->
 * filtered (Table 7)? -> built (standard layout, then `outbound.fields`) ->
 * queued as NEW, direction outbound, with the control number taken in the
 * same transaction. Every leg of an event ends in exactly one queue entry:
 * a message not sent (not enabled, filtered, or stopped by an error) is
 * recorded too, direction outbound, its message type the leg's event kind.
 */

export interface OutboundResult {
  readonly event: OutboundEvent;
  /** NEW: built and queued; PROCESSED: not sent (FILTERED, OUTBOUND_NOT_ENABLED); ERROR: nothing sent. */
  readonly state: "NEW" | "PROCESSED" | "ERROR";
  /** The HL7 message type (`SIU^S12`), when the event is enabled. */
  readonly messageType?: string;
  /** The queue entry: the message, or the record of why none was sent. */
  readonly messageId: string;
  readonly controlId?: string;
  /** The message, segments terminated by CR. */
  readonly text?: string;
  readonly errors: readonly OutcomeError[];
  /** With `SendOptions.trace`: the options that decided and built the leg. */
  readonly trace?: readonly TraceEntry[];
}

type AppointmentRecord = Appointment & { readonly id: string };

/** The legs of an event: a reschedule is a cancel of the old appointment and a create of the new one. */
function legs(event: PracticeEvent): { event: OutboundEvent; appointment?: AppointmentRecord }[] {
  const appointment = event.appointment;
  if (event.kind === "patientAdd" || event.kind === "patientUpdate") return [{ event: event.kind }];
  if (event.kind === "appointmentReschedule") {
    const previous = event.previous as AppointmentRecord;
    return [
      { event: "appointmentCancel", appointment: previous },
      ...(appointment ? [{ event: "appointmentSchedule" as const, appointment }] : []),
    ];
  }
  return [{ event: event.kind, ...(appointment && { appointment }) }];
}

/** The master-data entry list a filter names, and which of its names none of them has. */
function filterMatch(
  filter: OutboundFilter,
  view: StoreView,
  values: readonly (string | null | undefined)[],
): { matches: boolean; unknown: readonly string[] } {
  const list = filter.by === "provider" ? view.masterData.providers : view.masterData.departments;
  const names = new Set(filter.names.map((n) => n.toLowerCase()));
  const matches = values.some((id) => {
    if (!id) return false;
    const entry = list.find((e) => e.id === id);
    return names.has(id.toLowerCase()) || (!!entry?.name && names.has(entry.name.toLowerCase()));
  });
  const known = new Set(list.flatMap((e) => [e.id.toLowerCase(), (e.name ?? "").toLowerCase()]));
  return { matches, unknown: filter.names.filter((n) => !known.has(n.toLowerCase())) };
}

function filterValues(
  filter: OutboundFilter,
  records: readonly (Patient | Appointment | undefined)[],
): (string | null | undefined)[] {
  return records.map((r) => {
    if (!r) return undefined;
    if ("primaryProviderId" in r || "primaryDepartmentId" in r) {
      const p = r as Patient;
      return filter.by === "provider" ? p.primaryProviderId : p.primaryDepartmentId;
    }
    const a = r as Appointment;
    return filter.by === "provider" ? a.providerId : a.departmentId;
  });
}

export interface SendOptions {
  /** MSH-7, and EVN-2 when the event carries no time. */
  readonly now: Date;
  /** Keep each leg's trace (rule tests' coverage); off by default. */
  readonly trace?: boolean;
  /** Only these legs of the event (`reprocess` rebuilding one message); all by default. */
  readonly legs?: readonly OutboundEvent[];
  /**
   * The view filters and builds read (master data), opened by the caller for
   * many events (a backfill's page); by default one is opened for this event.
   */
  readonly view?: StoreView;
}

/** Why a leg sends nothing: the info that ends it PROCESSED, or undefined to build it. */
function notSent(
  pack: CompiledPack,
  view: StoreView,
  event: PracticeEvent,
  leg: OutboundEvent,
  messageType: string | null,
): OutcomeError | undefined {
  if (!messageType)
    return {
      code: "OUTBOUND_NOT_ENABLED",
      severity: "info",
      message: `${leg} is not enabled for outbound (enabled.outbound.${leg})`,
    };
  const isPatient = leg === "patientAdd" || leg === "patientUpdate";
  const { filters } = pack.outbound;
  const filter = isPatient ? filters.patients : filters.appointments;
  if (!filter) return undefined;
  const records = isPatient
    ? [event.patient]
    : [event.appointment, event.previous as Appointment | undefined];
  const { matches, unknown } = filterMatch(filter, view, filterValues(filter, records));
  if (matches) return undefined;
  const section = isPatient ? "patients" : "appointments";
  return {
    code: "FILTERED",
    severity: "info",
    message: `not sent: the ${isPatient ? "patient's" : "appointment's"} ${filter.by} is not one of outbound.filters.${section}.names${unknown.length > 0 ? ` (no master-data ${filter.by} is named ${unknown.map((n) => `'${n}'`).join(", ")})` : ""}`,
  };
}

/** Build, filter and queue the messages of one practice event. */
export async function sendEvent(
  pack: CompiledPack,
  store: Store,
  event: PracticeEvent,
  { now, trace: keepTrace = false, legs: only, view: given }: SendOptions,
): Promise<OutboundResult[]> {
  const occurredAt = event.occurredAt ? new Date(event.occurredAt) : now;
  const view = given ?? (await store.openView()).view;
  const out: OutboundResult[] = [];
  let trace: TraceEntry[] = [];
  /** A leg that sends nothing, recorded in the queue in its final state. */
  const record = async (
    leg: OutboundEvent,
    state: "PROCESSED" | "ERROR",
    errors: readonly OutcomeError[],
    messageType: string | null,
  ) => {
    const messageId = await store.record(
      {
        raw: new TextEncoder().encode(JSON.stringify(event)),
        receivedAt: now.toISOString(),
        sender: `outbound:${pack.id}`,
        controlId: "",
        messageType: leg,
        direction: "outbound",
        ...(event.patient.id && { patientKey: event.patient.id }),
      },
      (id) => ({
        messageId: id,
        controlId: "",
        messageType: leg,
        state,
        actions: [],
        errors,
        review: [],
        trace: [],
      }),
      { kind: "receive", now: now.toISOString() },
    );
    out.push({
      event: leg,
      state,
      ...(messageType && { messageType }),
      messageId,
      errors,
      ...(keepTrace && { trace }),
    });
  };
  for (const leg of legs(event)) {
    if (only && !only.includes(leg.event)) continue;
    const messageType = pack.enabled.outbound[leg.event];
    trace = sendingTrace(pack, leg.event, messageType);
    const info = notSent(pack, view, event, leg.event, messageType);
    if (info || !messageType) {
      await record(leg.event, "PROCESSED", info ? [info] : [], messageType);
      continue;
    }
    const input: BuildInput = {
      pack,
      masterData: view.masterData,
      event: leg.event,
      messageType,
      now,
      occurredAt,
      patient: event.patient,
      ...(event.policies && { policies: event.policies }),
      ...(leg.appointment && { appointment: leg.appointment }),
    };
    const isPatient = leg.event === "patientAdd" || leg.event === "patientUpdate";
    const built = isPatient ? buildPatientMessage(input) : buildAppointmentMessage(input);
    trace.push(...buildTrace(pack, leg.event, messageType));
    if (!built.ok) {
      await record(leg.event, "ERROR", built.errors, messageType);
      continue;
    }
    const segments = [...built.segments];
    const ruleErrors = await applyFieldRules(pack, segments, input);
    if (ruleErrors.length > 0) {
      await record(leg.event, "ERROR", ruleErrors, messageType);
      continue;
    }
    const charset = pack.outbound.msh.charset ?? declaredCharset(segments);
    const unwritable = encodeMessage(messageText(segments), charset);
    if (!unwritable.ok) {
      const field = fieldAt(messageText(segments), unwritable.index);
      await record(
        leg.event,
        "ERROR",
        [
          {
            code: "INVALID_VALUE",
            severity: "error",
            message: `'${unwritable.char}' (${field}) has no byte in the character set MSH-18 names (outbound.msh.charset ${charset}); nothing is sent`,
            field,
            value: unwritable.char,
          },
        ],
        messageType,
      );
      continue;
    }
    const [msh] = segments;
    let controlId = "";
    let text = "";
    const messageId = await store.queueOutbound(pack.id, (sequence) => {
      controlId = controlIdOf(pack.outbound.msh.controlIdPrefix, sequence);
      msh?.set(10, 1, controlId);
      text = messageText(segments);
      const encoded = encodeMessage(text, charset);
      if (!encoded.ok) throw new Error(`MSH-10 ${controlId} is not in ${charset}`);
      return {
        raw: encoded.bytes,
        receivedAt: now.toISOString(),
        sender: `outbound:${pack.id}`,
        controlId,
        messageType,
        // Delivery keeps one patient's messages in order (decision 0025).
        ...(event.patient.id && { patientKey: event.patient.id }),
        // What it was built from, so `reprocess` can build it again (decision 0035).
        event: JSON.stringify({ leg: leg.event, event } satisfies KeptOutboundEvent),
      };
    });
    out.push({
      event: leg.event,
      state: "NEW",
      messageType,
      messageId,
      controlId,
      text,
      errors: [],
      ...(keepTrace && { trace }),
    });
  }
  return out;
}

async function applyFieldRules(
  pack: CompiledPack,
  segments: Segment[],
  input: BuildInput,
): Promise<OutcomeError[]> {
  const rules = pack.outbound.fields;
  if (rules.length === 0) return [];
  const codes = new CodeTranslator(pack.outbound.mappings);
  const errors = await applyOutboundFields(rules, segments, {
    messageType: input.messageType,
    now: input.now,
    codes,
    input: {
      patient: input.patient,
      ...(input.appointment && { appointment: input.appointment }),
      policies: input.policies ?? [],
      event: { kind: input.event, occurredAt: input.occurredAt.toISOString() },
    },
  });
  return [...errors, ...codes.errors];
}

/**
 * Without `outbound.msh.charset` a message is sent without MSH-18 — which
 * HL7 reads as ASCII — as long as it is ASCII; one holding other characters
 * says what it is (`UNICODE UTF-8`, the bytes written), so a strict receiver
 * does not read UTF-8 as ASCII.
 */
function declaredCharset(segments: readonly Segment[]): string | undefined {
  if (!NON_ASCII_TEXT.test(messageText(segments))) return undefined;
  segments[0]?.set(18, 1, UTF8_NAME);
  return UTF8_NAME;
}

const NON_ASCII_TEXT = /[^\x00-\x7f]/;
const UTF8_NAME = "UNICODE UTF-8";
