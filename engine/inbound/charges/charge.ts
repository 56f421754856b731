import { messageTypeName } from "../../hl7/access.js";
import type { AppointmentChange, TypedAction } from "../../model/actions.js";
import { isInboundEnabled } from "../../pack/enablement.js";
import type { MessageContext } from "../context.js";
import { checkInsured } from "../insured.js";
import { enabledInbound } from "../trace-options.js";
import { type ChargeAppointment, chargeAppointment } from "./appointment.js";
import { deriveClaim } from "./claim-derivation.js";
import { type PlannedLine, planClaims } from "./claim-plan.js";
import { chargeLines, lineContext, reportLine } from "./lines.js";
import { chargePatient } from "./patient.js";

/**
 * Inbound charges, DFT^P03 (docs/pack-language.md §18; Tables 16, 17, 18):
 *
 * 1. the `charge` event must be enabled (Table 4);
 * 2. the patient is matched (`matching.order.charge`), never created or
 *    updated: PATIENT_NOT_FOUND otherwise; a patient with no policy and not
 *    self-pay is NO_INSURANCE (`charges.requireInsurance`);
 * 3. the CG lines are read (other FT1.6 types: TRANSACTION_SKIPPED), with
 *    Table 16's procedure and diagnosis, and the procedure checked;
 * 4. per line, the appointment is matched (Table 17); an unmatched line is
 *    APPOINTMENT_NOT_MATCHED, or becomes a free-standing claim;
 * 5. per line, the claim fields are derived (Table 18) and checked;
 * 6. combining, grouping and diagnoses make the claims (claim-plan.ts);
 * 7. every matched appointment in f, 2 or 3 moves to 4 (charges entered).
 *
 * Any error stops the message before any action: the state decides (billing
 * errors are CBOERROR, process.ts).
 */
export async function chargeMessage(ctx: MessageContext): Promise<TypedAction[]> {
  const type = messageTypeName(ctx.message);
  ctx.found.trace.push({
    step: "decide",
    rule: "enabled.inbound.charge",
    detail: `charge (${type})`,
    event: "charge",
    options: [enabledInbound(ctx.pack, "charge")],
  });
  if (!isInboundEnabled(ctx.pack.enabled, "charge", type)) {
    ctx.found.errors.push({
      code: "EVENT_NOT_ENABLED",
      severity: "error",
      message: `charge is not enabled inbound for ${type} (enabled.inbound.charge, Table 4 - Interface Enablement)`,
    });
    return [];
  }
  const patientId = await chargePatient(ctx);
  if (patientId === undefined) return [];
  // Refused without insurance, but the lines are still read: the queue shows every problem at once.
  checkInsured(
    ctx,
    patientId,
    "charges.requireInsurance",
    ctx.pack.charges.requireInsurance,
    "charge entry",
  );
  const lines = await chargeLines(ctx);
  if (lines.length === 0) {
    ctx.found.trace.push({ step: "decide", detail: "no charge lines: nothing to do" });
    return [];
  }

  const { unmatched } = ctx.pack.charges;
  const planned: PlannedLine[] = [];
  const appointments = new Map<string, ChargeAppointment & { kind: "matched" }>();
  const notMatched = new Set<string>();
  for (const line of lines) {
    const quiet = lineContext(ctx);
    const match = chargeAppointment(quiet, line.read, patientId);
    if (match.kind === "unmatched" && unmatched === "error") {
      // One error per distinct reason: every line of a visit usually shares the ID.
      if (!notMatched.has(match.reason)) {
        notMatched.add(match.reason);
        ctx.found.errors.push({
          code: "APPOINTMENT_NOT_MATCHED",
          severity: "error",
          message: `${match.reason}; charges.unmatched is error, so no free-standing claim is created: fix the ID (or the appointment) and reprocess`,
          field: match.field,
          ...(match.value !== undefined && { value: match.value }),
        });
      }
      continue;
    }
    if (match.kind === "unmatched") {
      quiet.found.trace.push({
        step: "decide",
        rule: "charges.unmatched",
        detail: `charge line ${line.number}: free-standing claim (${match.reason})`,
      });
    }
    const appointment = match.kind === "matched" ? match.appointment : undefined;
    const header = await deriveClaim(quiet, line, appointment, patientId);
    reportLine(ctx, quiet, line.number);
    if (!header) continue;
    if (match.kind === "matched") appointments.set(match.appointment.id, match);
    planned.push({ line, header });
  }
  if (hasErrors(ctx)) return [];

  const actions = planClaims(ctx, patientId, planned);
  if (!actions) return [];
  return [...actions, ...chargesEntered(ctx, appointments)];
}

function hasErrors(ctx: MessageContext): boolean {
  return ctx.found.errors.some((e) => e.severity === "error");
}

/**
 * "athenaNet moves the appointment status from 2 (checked-in) or 3 (checked
 * out) to 4 (charges entered)"; `f` too (§23 open question 4). An
 * appointment already in 4 stays as it is.
 */
function chargesEntered(
  ctx: MessageContext,
  matched: ReadonlyMap<string, ChargeAppointment & { kind: "matched" }>,
): AppointmentChange[] {
  const updates: AppointmentChange[] = [];
  for (const { appointment } of matched.values()) {
    if (appointment.status !== "f" && appointment.status !== "2" && appointment.status !== "3") {
      continue;
    }
    ctx.found.trace.push({
      step: "decide",
      rule: "charges.appointmentMatching",
      detail: `appointment ${appointment.id}: ${appointment.status} -> 4 (charges entered)`,
    });
    updates.push({
      type: "appointment.update",
      appointmentId: appointment.id,
      appointment: { status: "4" },
    });
  }
  return updates;
}
