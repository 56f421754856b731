import type { Outcome, QueueState } from "../model/outcome.js";
import type { PracticeEvent } from "../outbound/events.js";
import { sendEvent } from "../outbound/send.js";
import type { CompiledPack } from "../pack/compiled.js";
import type { OutboundEvent } from "../pack/enablement.js";
import type { KeptOutboundEvent } from "../store/outbound-events.js";
import type { Store, StoredMessage } from "../store/types.js";

/**
 * `reprocess` of an outbound message in ERROR (decision 0035): after a fix
 * (a mapping row, a filter, the receiver's complaint answered), the message
 * is built again from the practice event it was built from, through the
 * current pack's filters, mappings and field rules, as a new message would
 * be: a new queue entry with a new MSH-10, sent in its turn. The old one is
 * marked replaced (DELETED, its history naming the new message). A message
 * that was never built (an error while building) keeps its event as its
 * bytes; one built and queued keeps it beside them (schema 13 / migration
 * 0008), and one queued before that cannot be rebuilt: `deliver --resend`
 * sends its stored bytes again.
 */

/** The event and the leg of it one outbound message came from. */
export type OutboundSource =
  | { readonly ok: true; readonly event: PracticeEvent; readonly leg: OutboundEvent }
  | { readonly ok: false; readonly code: "NO_STORED_EVENT"; readonly message: string };

/** Where the event of an outbound message is: its bytes (never built) or kept beside them. */
export async function outboundSource(store: Store, m: StoredMessage): Promise<OutboundSource> {
  if (m.controlId === "") {
    // A leg recorded without a message: its bytes are the event, its type the leg.
    const event = JSON.parse(new TextDecoder().decode(m.raw)) as PracticeEvent;
    return { ok: true, event, leg: m.messageType as OutboundEvent };
  }
  const kept = await store.outboundEvent(m.messageId);
  if (kept === undefined) {
    return {
      ok: false,
      code: "NO_STORED_EVENT",
      message: `NO_STORED_EVENT: ${m.messageId} (MSH-10 ${m.controlId}) was queued before outbound messages kept the event they were built from, so it cannot be built again; \`rulepack deliver --resend ${m.messageId}\` sends it again as built (the same bytes and MSH-10)`,
    };
  }
  const { leg, event } = JSON.parse(kept) as KeptOutboundEvent;
  return { ok: true, event: event as PracticeEvent, leg: leg as OutboundEvent };
}

export interface RebuildOptions {
  readonly now: Date;
  readonly actor?: string;
}

/** What a rebuild made: the new queue entry and its state. */
export interface Rebuilt {
  readonly messageId: string;
  readonly controlId: string;
  readonly messageType: string;
  readonly from: QueueState;
  /** NEW: built and queued; PROCESSED: not sent now (FILTERED, not enabled); ERROR: still failing. */
  readonly to: QueueState;
  readonly outcome?: Outcome;
  /** The message it replaces (now DELETED). */
  readonly replaces: string;
}

/** Build `m` again from `source` with the current pack; `replace` then marks `m` replaced by it. */
async function rebuildOne(
  pack: CompiledPack,
  store: Store,
  m: StoredMessage,
  source: Extract<OutboundSource, { ok: true }>,
  { now, actor }: RebuildOptions,
): Promise<{ rebuilt: Rebuilt; replace: () => Promise<void> }> {
  const [result] = await sendEvent(pack, store, source.event, { now, legs: [source.leg] });
  if (!result) throw new Error(`the event of ${m.messageId} has no ${source.leg} leg`);
  const outcome = (await store.message(result.messageId))?.outcome;
  const replace = () =>
    store.setState(m.messageId, "DELETED", {
      kind: "reprocess",
      now: now.toISOString(),
      ...(actor !== undefined && { actor }),
      note: `replaced by ${result.messageId} (built again from its event${result.controlId ? `, MSH-10 ${result.controlId}` : ""}, ${result.state})`,
    });
  return {
    rebuilt: {
      messageId: result.messageId,
      controlId: result.controlId ?? "",
      messageType: result.messageType ?? source.leg,
      from: m.state,
      to: result.state,
      ...(outcome && { outcome }),
      replaces: m.messageId,
    },
    replace,
  };
}

/**
 * Build `root` again, then the patient's messages held behind it (those not
 * in `seen`, added to it), each marked replaced once its copy is queued; the
 * root is marked last. Until then the root's ERROR holds the patient's old
 * and new messages alike, so a sender running meanwhile never sends an old
 * held message before the rebuilt root. A held message without its event is
 * skipped (selection refused those).
 */
export async function rebuildWithHeld(
  pack: CompiledPack,
  store: Store,
  root: StoredMessage,
  source: Extract<OutboundSource, { ok: true }>,
  clock: () => Date,
  seen: Set<string>,
  actor?: string,
): Promise<(Rebuilt & { after?: string })[]> {
  const held = await heldBehind(store, root);
  const who = actor === undefined ? {} : { actor };
  const first = await rebuildOne(pack, store, root, source, { now: clock(), ...who });
  const out: (Rebuilt & { after?: string })[] = [first.rebuilt];
  for (const later of held) {
    if (seen.has(later.messageId)) continue;
    seen.add(later.messageId);
    const from = await outboundSource(store, later);
    if (!from.ok) continue;
    const next = await rebuildOne(pack, store, later, from, { now: clock(), ...who });
    await next.replace();
    out.push({ ...next.rebuilt, after: root.messageId });
  }
  await first.replace();
  return out;
}

/**
 * The same patient's later outbound messages held behind `m` (built and
 * queued, never sent: NEW or SCHEDULED) up to the patient's next message in
 * ERROR, which holds the rest itself. Rebuilt after it, in queue order, they
 * keep their order at the receiver: the rebuilt message goes to the end of
 * the queue, and the old ones would otherwise go before it (an S14 before
 * the S12 it updates).
 */
export async function heldBehind(store: Store, m: StoredMessage): Promise<StoredMessage[]> {
  if (m.patientKey === undefined) return [];
  const later = await store.messages({
    direction: "outbound",
    states: ["NEW", "SCHEDULED", "ERROR"],
    patientKey: m.patientKey,
    afterSequence: m.sequence,
  });
  const next = later.findIndex((l) => l.state === "ERROR");
  return (next < 0 ? [...later] : later.slice(0, next)).filter((l) => l.controlId !== "");
}
