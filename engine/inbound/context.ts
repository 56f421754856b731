import { controlId, leafValue, messageType, versionId } from "../hl7/access.js";
import type { Hl7Message } from "../hl7/tree.js";
import type { OutcomeError, ReviewDecision, ReviewItem, TraceEntry } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import type { StoreView } from "../store/types.js";

/**
 * Everything one message's decisions may read: the compiled pack, the tree,
 * a read-only store view and the clock. Findings are collected in `found`,
 * local to this message.
 */
export interface MessageContext {
  readonly pack: CompiledPack;
  readonly message: Hl7Message;
  readonly view: StoreView;
  readonly now: Date;
  readonly timeZone: string;
  /** A person's decision on this message's review (`rulepack review`); absent on receipt. */
  readonly decision?: ReviewDecision;
  /** What JSONata sees as `$`: plain frozen data about the message and the practice. */
  readonly expressionInput: unknown;
  readonly found: Findings;
}

export interface Findings {
  readonly errors: OutcomeError[];
  readonly review: ReviewItem[];
  /** The trace when one was asked for (explain, tests, review); else `NO_TRACE`, which keeps nothing. */
  readonly trace: TraceEntry[];
}

/**
 * The trace of a message nobody asked to explain: an array that keeps
 * nothing pushed onto it, so decisions write their entries unconditionally
 * and pay only for building them (`tracing` guards the costly ones).
 */
class DiscardedTrace extends Array<TraceEntry> {
  override push(): number {
    return 0;
  }
}
const NO_TRACE: TraceEntry[] = Object.freeze(new DiscardedTrace()) as unknown as TraceEntry[];

/** Whether this message's trace is kept: build costly entries (strings per line) only then. */
export function tracing(ctx: { readonly found: Findings }): boolean {
  return ctx.found.trace !== NO_TRACE;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export function messageContext(
  pack: CompiledPack,
  message: Hl7Message,
  view: StoreView,
  now: Date,
  decision?: ReviewDecision,
  trace = true,
): MessageContext {
  const type = messageType(message);
  const msh = message.segments[0];
  return {
    pack,
    message,
    view,
    now,
    timeZone: pack.practice?.timeZone ?? "UTC",
    ...(decision && { decision }),
    // Frozen by hand: the message part holds only strings, the practice is frozen once per pack.
    expressionInput: Object.freeze({
      message: Object.freeze({
        type: type.code,
        trigger: type.trigger,
        structure: type.structure,
        controlId: controlId(message),
        version: versionId(message),
        sentAt: leafValue(msh, 7) ?? null,
        sendingApplication: leafValue(msh, 3) ?? null,
        sendingFacility: leafValue(msh, 4) ?? null,
      }),
      practice: deepFreeze(pack.practice ?? null),
    }),
    found: { errors: [], review: [], trace: trace ? [] : NO_TRACE },
  };
}

export function report(ctx: MessageContext, error: OutcomeError): void {
  ctx.found.errors.push(error);
}
