import type { Policy } from "../../model/records.js";
import { localDay } from "../../model/time.js";
import type { SupervisingOption } from "../../pack/charges.js";
import { type MessageContext, tracing } from "../context.js";
import { type ExtractedRecord, extractRecord, type FieldValue } from "../extract.js";
import { checkRequired } from "../required.js";
import type { StoredAppointment } from "./appointment.js";
import type { ChargeLineInput } from "./lines.js";

/**
 * Table 18 - Data derived from the matching appointment
 * (docs/pack-language.md §18): the claim fields of one charge line, each
 * from exactly one chain per option. msg(x) is the pack's field rule for
 * claim field x, evaluated in the line's FT1 group, and only when the chain
 * reaches it (a value the appointment supplies is never read, nor mapped).
 *
 * | claim field           | fromAppointment, matched                        | otherwise (insuranceFromAppointment, freeStanding, the unmatched fallback) |
 * | renderingProviderId   | appointment.providerId | msg                    | msg (FT1.20)                                                 |
 * | supervisingProviderId | supervisorOf(appointment.providerId) | right    | providerTable: supervisorOf(msg(rendering)); message: msg (FT1.21) |
 * | departmentId          | appointment.departmentId | msg                  | msg (FT1.16 | FT1.13)                                        |
 * | serviceDate           | date of appointment.start | msg                 | msg (FT1.4)                                                  |
 *
 * supervisorOf(p) is the provider table's supervising provider of p, and p
 * itself when "this relationship isn't defined". Insurance Logic: a
 * matched appointment's policies; a free-standing claim's are the patient's
 * current ones (sequence 1 primary, 2 secondary).
 *
 * The required rules of Table 16 are checked on the result, and a provider
 * or department taken from the appointment is checked against master data
 * as mapped codes are (UNKNOWN_PROVIDER, UNKNOWN_DEPARTMENT).
 */
export interface ClaimHeader {
  readonly serviceDate: string;
  readonly renderingProviderId: string;
  readonly supervisingProviderId: string;
  readonly departmentId: string;
  readonly appointmentId?: string;
  readonly primaryPolicy?: Policy;
  readonly secondaryPolicy?: Policy;
}

type ClaimField = "serviceDate" | "renderingProviderId" | "supervisingProviderId" | "departmentId";

const FIELDS: readonly ClaimField[] = [
  "renderingProviderId",
  "supervisingProviderId",
  "departmentId",
  "serviceDate",
];

/** Each claim field's canonical name (`claim.serviceDate`), made once rather than per line. */
const CANONICAL: Readonly<Record<ClaimField, string>> = {
  renderingProviderId: "claim.renderingProviderId",
  supervisingProviderId: "claim.supervisingProviderId",
  departmentId: "claim.departmentId",
  serviceDate: "claim.serviceDate",
};

/** Where a derived value came from, as a chain alternative (the trace's `ref`). */
const APPOINTMENT_SOURCE: Readonly<Partial<Record<ClaimField, string>>> = {
  renderingProviderId: "appointment.providerId",
  supervisingProviderId: "supervisorOf(appointment.providerId)",
  departmentId: "appointment.departmentId",
  serviceDate: "appointment.start",
};

export async function deriveClaim(
  ctx: MessageContext,
  line: ChargeLineInput,
  appointment: StoredAppointment | undefined,
  patientId: string,
): Promise<ClaimHeader | undefined> {
  const { mode, supervisingProvider } = ctx.pack.charges.derivation;
  const fromAppointment = mode === "fromAppointment" ? appointment : undefined;
  const derived: Partial<Record<ClaimField, string>> = {};
  const rendering = present(fromAppointment?.providerId);
  if (rendering !== undefined) {
    derived.renderingProviderId = rendering;
    derived.supervisingProviderId = supervisorOf(ctx, rendering);
  }
  const department = present(fromAppointment?.departmentId);
  if (department !== undefined) derived.departmentId = department;
  const start = present(fromAppointment?.start);
  // The practice's calendar day of the start, whatever offset it was recorded with.
  if (start !== undefined && /^\d{4}-\d{2}-\d{2}T/.test(start))
    derived.serviceDate = localDay(start, ctx.timeZone);
  else if (start !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(start)) derived.serviceDate = start;

  const supervising: SupervisingOption | "appointment" =
    rendering !== undefined ? "appointment" : supervisingProvider;
  const needed = new Set<string>();
  for (const f of FIELDS) {
    if (derived[f] !== undefined) continue;
    if (f !== "supervisingProviderId" || supervising === "message") needed.add(CANONICAL[f]);
  }
  if (supervising === "providerTable") needed.add(CANONICAL.renderingProviderId);
  const message = await extractRecord(ctx, "claim", { ...line.scope, only: needed });

  const fields = new Map<string, FieldValue>();
  const claim: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const value = derived[field];
    const fieldValue: FieldValue =
      value !== undefined
        ? { kind: "value", value, hl7Field: APPOINTMENT_SOURCE[field] as string }
        : field === "supervisingProviderId" && supervising === "providerTable"
          ? supervisorOfMessage(ctx, message)
          : (message.fields.get(CANONICAL[field]) ?? { kind: "absent" });
    fields.set(CANONICAL[field], fieldValue);
    if (fieldValue.kind === "value") claim[field] = fieldValue.value;
  }
  for (const field of tracing(ctx) ? FIELDS : []) {
    const value = fields.get(CANONICAL[field]) as FieldValue;
    const chain = chainOf(ctx, field, fromAppointment !== undefined, supervisingProvider);
    ctx.found.trace.push({
      step: "decide",
      rule: "charges.derivation",
      at: ctx.pack.charges.at,
      options: [{ path: "charges.derivation" }],
      ...(value.kind !== "absent" && value.hl7Field && { ref: value.hl7Field }),
      detail: `claim.${field} = ${chain} (${mode}, ${appointment ? `appointment ${appointment.id}` : "no appointment"}): ${value.kind}`,
    });
  }

  const known = checkAppointmentCodes(ctx, derived, fromAppointment);
  const record: ExtractedRecord = {
    kind: "claim",
    fields,
    record: claim,
    complete: message.complete,
  };
  const required = await checkRequired(ctx, record, "create", line.read, "charge");
  if (!known || !required || !message.complete) return undefined;
  const text = (field: ClaimField): string | undefined => {
    const value = fields.get(CANONICAL[field]);
    return value?.kind === "value" ? String(value.value) : undefined;
  };
  const values = {
    serviceDate: text("serviceDate"),
    renderingProviderId: text("renderingProviderId"),
    supervisingProviderId: text("supervisingProviderId"),
    departmentId: text("departmentId"),
  };
  // A pack that removed a Table 16 rule still needs these four for a claim.
  for (const [field, value] of Object.entries(values)) {
    if (value === undefined) {
      ctx.found.errors.push({
        code: "REQUIRED_FIELD_MISSING",
        severity: "error",
        message: `a claim needs its ${field}, and none was derived (charges.derivation ${mode})`,
        field: fields.get(`claim.${field}`)?.hl7Field ?? `claim.${field}`,
      });
      return undefined;
    }
  }
  return {
    ...(values as Record<ClaimField, string>),
    ...(appointment && { appointmentId: appointment.id }),
    ...insuranceOf(ctx, appointment, patientId),
  };
}

/** The option's chain for one claim field, as the trace shows it; msg(x) spelled as the rule's `from`. */
function chainOf(
  ctx: MessageContext,
  field: ClaimField,
  fromAppointment: boolean,
  option: SupervisingOption,
): string {
  const msg = (f: ClaimField) =>
    ctx.pack.fields.find((r) => r.field === `claim.${f}` && !r.when)?.from?.source ?? `msg(${f})`;
  const right =
    field !== "supervisingProviderId"
      ? msg(field)
      : option === "providerTable"
        ? `supervisorOf(${msg("renderingProviderId")})`
        : msg("supervisingProviderId");
  return fromAppointment ? `${APPOINTMENT_SOURCE[field]} | ${right}` : right;
}

function present(value: string | null | undefined): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The provider table's supervising provider; the provider itself when none is defined. */
function supervisorOf(ctx: MessageContext, providerId: string): string {
  const provider = ctx.view.masterData.providers.find((p) => p.id === providerId);
  return provider?.supervisingProviderId ?? providerId;
}

/**
 * providerTable: supervisorOf(msg(rendering)). Without a rendering provider
 * there is none either, and the rendering's own error (required, unmapped)
 * is the one to report: "invalid" keeps the required check quiet.
 */
function supervisorOfMessage(ctx: MessageContext, message: ExtractedRecord): FieldValue {
  const rendering = message.fields.get("claim.renderingProviderId") ?? { kind: "absent" };
  const hl7Field = `supervisorOf(${rendering.hl7Field ?? "claim.renderingProviderId"})`;
  if (rendering.kind !== "value") return { kind: "invalid", hl7Field };
  return { kind: "value", value: supervisorOf(ctx, String(rendering.value)), hl7Field };
}

/**
 * A stored appointment's provider and department are the practice's own
 * codes, but master data may have changed since: checked like mapped codes.
 */
function checkAppointmentCodes(
  ctx: MessageContext,
  derived: Partial<Record<ClaimField, string>>,
  appointment: StoredAppointment | undefined,
): boolean {
  const { providers, departments } = ctx.view.masterData;
  let ok = true;
  const provider = derived.renderingProviderId;
  if (provider !== undefined && providers.length > 0 && !providers.some((p) => p.id === provider)) {
    ok = false;
    ctx.found.errors.push({
      code: "UNKNOWN_PROVIDER",
      severity: "error",
      message: `provider '${provider}' of appointment ${appointment?.id} is not in the practice's master data`,
      field: "appointment.providerId",
      value: provider,
    });
  }
  const department = derived.departmentId;
  if (
    department !== undefined &&
    departments.length > 0 &&
    !departments.some((d) => d.id === department)
  ) {
    ok = false;
    ctx.found.errors.push({
      code: "UNKNOWN_DEPARTMENT",
      severity: "error",
      message: `department '${department}' of appointment ${appointment?.id} is not in the practice's master data`,
      field: "appointment.departmentId",
      value: department,
    });
  }
  return ok;
}

/**
 * Insurance Logic: "If a charge matches to an appointment, the claim is
 * created with insurance from the existing appointment. When a freestanding
 * claim is created, insurance is pulled from the patients Quickview."
 */
function insuranceOf(
  ctx: MessageContext,
  appointment: StoredAppointment | undefined,
  patientId: string,
): { primaryPolicy?: Policy; secondaryPolicy?: Policy } {
  const [primary, secondary] = appointment
    ? [appointment.primaryPolicy, appointment.secondaryPolicy]
    : (() => {
        const policies = ctx.view.policiesOf(patientId);
        return [policies.find((p) => p.sequence === 1), policies.find((p) => p.sequence === 2)];
      })();
  if (tracing(ctx))
    ctx.found.trace.push({
      step: "decide",
      rule: "charges insurance",
      detail: `${appointment ? `appointment ${appointment.id}` : "the patient's current policies"}: primary ${primary?.packageId ?? "none"}, secondary ${secondary?.packageId ?? "none"}`,
    });
  return {
    ...(primary && { primaryPolicy: primary }),
    ...(secondary && { secondaryPolicy: secondary }),
  };
}
