import { controlId, messageType, messageTypeName } from "../hl7/access.js";
import type { Hl7Message, ParseIssue } from "../hl7/tree.js";
import type { TypedAction } from "../model/actions.js";
import { decideState, type Outcome, type ReviewDecision } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import type { StoreView } from "../store/types.js";
import { ViewMiss } from "../store/view-miss.js";
import { APPOINTMENT_TRIGGERS, appointmentMessage } from "./appointments/appointment.js";
import { chargeMessage } from "./charges/charge.js";
import { type MessageContext, messageContext } from "./context.js";
import { patientMessage } from "./patients/patient.js";
import { keepStoredValues, type StaleReprocess, staleWarning } from "./stale.js";

/**
 * One inbound message through the pure core: route by MSH-9 to its handler,
 * which extracts, maps, matches, checks and decides; the findings decide the
 * queue state. `(pack, tree, store view, now) -> Outcome`: no I/O, no clock.
 */
type Handler = (ctx: MessageContext) => Promise<TypedAction[]>;

/** Message types each handler takes (ARCHITECTURE.md "route"). */
const HANDLERS: Readonly<
  Record<
    string,
    { readonly triggers: readonly string[]; readonly handler: Handler; readonly charge: boolean }
  >
> = {
  ADT: {
    triggers: ["A01", "A04", "A05", "A08", "A28", "A31"],
    handler: patientMessage,
    charge: false,
  },
  SIU: { triggers: APPOINTMENT_TRIGGERS, handler: appointmentMessage, charge: false },
  // "athenaNet processes charge data only from inbound P03 charge messages."
  DFT: { triggers: ["P03"], handler: chargeMessage, charge: true },
};

export interface ProcessOptions {
  /** Keep the trace (explain, tests); off by default since it carries patient data. */
  readonly trace?: boolean;
  /** A person's decision on the message's review (`rulepack review`). */
  readonly review?: ReviewDecision;
  /** Reprocessing a message older than what the store applied to its patient (engine/queue/reprocess.ts). */
  readonly stale?: StaleReprocess;
}

export async function processMessage(
  pack: CompiledPack,
  message: Hl7Message,
  view: StoreView,
  now: Date,
  messageId: string,
  issues: readonly ParseIssue[] = [],
  options: ProcessOptions = {},
): Promise<Outcome> {
  const ctx = messageContext(pack, message, view, now, options.review, options.trace === true);
  const type = messageType(message);
  // Own keys only: MSH-9.1 `__proto__` or `toString` named Object's, and threw.
  const route = Object.hasOwn(HANDLERS, type.code) ? HANDLERS[type.code] : undefined;
  let actions: TypedAction[] = [];
  for (const issue of issues) {
    ctx.found.errors.push({
      code: issue.severity === "error" ? "PARSE_ERROR" : "PARSE_WARNING",
      severity: issue.severity,
      message: `line ${issue.line}: ${issue.message}`,
      ...(issue.field && { field: issue.field }),
    });
  }
  if (!issues.some((i) => i.severity === "error")) {
    if (!route?.triggers.includes(type.trigger)) {
      ctx.found.errors.push({
        code: "MESSAGE_TYPE_NOT_SUPPORTED",
        severity: "error",
        message: `no handler takes ${messageTypeName(message) || "a message without MSH-9"}`,
        field: "MSH.9",
      });
    } else {
      ctx.found.trace.push({
        step: "route",
        detail: `${messageTypeName(message)} -> ${type.code} handler`,
      });
      try {
        actions = await route.handler(ctx);
      } catch (e) {
        if (e instanceof ViewMiss) throw e; // the caller fetches the reads and decides again
        ctx.found.errors.push({
          code: "INTERNAL_ERROR",
          severity: "error",
          message: `internal error in the ${type.code} handler: ${e instanceof Error ? e.message : String(e)}`,
        });
      }
    }
  }
  const { stale } = options;
  if (stale) ctx.found.errors.push(staleWarning(stale));
  const state = decideState(ctx.found.errors, route?.charge ?? false);
  if (stale && !stale.force) actions = keepStoredValues(actions, view, stale.patientId);
  return {
    messageId,
    controlId: controlId(message),
    messageType: messageTypeName(message),
    state,
    actions: state === "PROCESSED" ? actions : [],
    errors: ctx.found.errors,
    review: ctx.found.review,
    trace: options.trace ? ctx.found.trace : [],
  };
}

/** The outcome of input that held no message at all (no MSH, empty, junk). */
export function unparseableOutcome(messageId: string, issues: readonly ParseIssue[]): Outcome {
  return {
    messageId,
    controlId: "",
    messageType: "",
    state: "ERROR",
    actions: [],
    errors: issues
      .filter((i) => i.severity === "error")
      .map((i) => ({
        code: "PARSE_ERROR" as const,
        severity: "error" as const,
        message: `line ${i.line}: ${i.message}`,
      })),
    review: [],
    trace: [],
  };
}
