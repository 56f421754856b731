import { leafValue } from "../hl7/access.js";
import { parseHl7 } from "../hl7/parse.js";
import type { OutcomeError } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import { UNDELETABLE } from "../queue/delete.js";
import { rawSegments } from "../queue/format.js";
import { REPROCESSABLE } from "../queue/reprocess.js";
import type { Attempt, Store, StoredMessage } from "../store/types.js";
import { fieldNames } from "./field-names.js";
import { senderOf } from "./list-query.js";
import { MAPPING_ROLE, type Role } from "./permissions.js";

/**
 * One message as the message page shows it: header, state, attempts (who,
 * when, what), errors with field, table and value, the raw message a
 * segment a line split into fields (with the erroring fields marked and
 * each field's name from the pack), the outcome's actions, the review's
 * candidates beside what the message says, and what can be done about it.
 */

export interface Fix {
  /** `map`: add the missing mapping row, then reprocess what waits on it. */
  readonly kind: "map";
  readonly code: string;
  readonly table: string;
  readonly value: string;
  /** The permission the fix needs. */
  readonly role: Role;
  /** `CODE:VALUE`, what `reprocess --blocked-on` takes. */
  readonly blockedOn: string;
}

export interface SegmentView {
  readonly name: string;
  /** The segment's fields as sent, `fields[0]` the segment name (MSH: MSH-1 is fields[1]). */
  readonly fields: readonly string[];
}

/** What the message says of the patient, beside each candidate on the review page. */
const RECEIVED_FIELDS: readonly [string, number, number][] = [
  ["lastName", 5, 1],
  ["firstName", 5, 2],
  ["dob", 7, 1],
  ["sex", 8, 1],
  ["address.line1", 11, 1],
  ["address.city", 11, 3],
  ["address.zip", 11, 5],
  ["phones.home", 13, 1],
];

function segmentsOf(raw: Uint8Array): SegmentView[] {
  return rawSegments(raw).map((text) => {
    const separator = text.startsWith("MSH") ? (text[3] ?? "|") : "|";
    const parts = text.split(separator);
    // MSH-1 is the separator itself: fields[1] = "|", fields[2] = the encoding characters.
    const fields = text.startsWith("MSH")
      ? [parts[0] ?? "MSH", separator, ...parts.slice(1)]
      : parts;
    return { name: parts[0] ?? "", fields };
  });
}

function received(raw: Uint8Array): Record<string, string> {
  const tree = parseHl7(raw).messages[0];
  const pid = tree?.segments.find((s) => s.name === "PID");
  const out: Record<string, string> = {};
  for (const [name, field, component] of RECEIVED_FIELDS) {
    const value = leafValue(pid, field, 1, component);
    if (value !== undefined && value !== null) out[name] = value;
  }
  return out;
}

function flatten(record: unknown, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  if (record === null || typeof record !== "object") return out;
  for (const [key, value] of Object.entries(record)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === "object") Object.assign(out, flatten(value, name));
    else if (value !== null && value !== undefined) out[name] = String(value);
  }
  return out;
}

/** The fixes an outcome's errors offer: each unmapped code of a table the pack reads. */
export function fixesOf(pack: CompiledPack, errors: readonly OutcomeError[]): Fix[] {
  const fixes: Fix[] = [];
  for (const e of errors) {
    if (e.severity !== "error" || !e.code.startsWith("UNMAPPED_")) continue;
    if (e.table === undefined || e.value === undefined || !pack.tables.has(e.table)) continue;
    const insurance = pack.mappings.insurancePlan?.table === e.table;
    fixes.push({
      kind: "map",
      code: e.code,
      table: e.table,
      value: e.value,
      role: MAPPING_ROLE[insurance ? "insurance" : "other"],
      blockedOn: `${e.code}:${e.value}`,
    });
  }
  return fixes;
}

function attemptView(a: Attempt) {
  return {
    number: a.number,
    kind: a.kind,
    at: a.at,
    now: a.now,
    ...(a.actor !== undefined && { actor: a.actor }),
    ...(a.note !== undefined && { note: a.note }),
    state: a.state,
    errors: (a.outcome?.errors ?? []).map((e) => e.code),
  };
}

export async function messageView(pack: CompiledPack, store: Store, m: StoredMessage) {
  const outcome = m.outcome;
  const errors = outcome?.errors ?? [];
  const { view } = await store.openView();
  const review = outcome?.review ?? [];
  const waiting = m.direction === "inbound" && REPROCESSABLE.includes(m.state);
  const reviewable =
    m.state === "ERROR" && errors.some((e) => e.code === "REVIEW_REQUIRED") && review.length > 0;
  return {
    message: {
      messageId: m.messageId,
      receivedAt: m.receivedAt,
      transport: m.sender,
      sender: senderOf(m),
      direction: m.direction,
      messageType: m.messageType,
      controlId: m.controlId,
      state: m.state,
      stateAt: m.stateAt,
      ...(m.patientId !== undefined && { patientId: m.patientId }),
      ...(m.patientKey !== undefined && { patientKey: m.patientKey }),
      ...(m.duplicateOf !== undefined && { duplicateOf: m.duplicateOf }),
    },
    errors,
    actions: outcome?.actions ?? [],
    review: review.map((item) => ({
      reason: item.reason,
      detail: item.detail,
      candidates: item.candidates.map((c) => ({
        patientId: c.patientId,
        total: c.total,
        scores: c.scores,
        ...(c.changes && { changes: c.changes }),
        stored: flatten(view.patientById(c.patientId)),
      })),
    })),
    received: reviewable ? received(m.raw) : {},
    attempts: (await store.attempts(m.messageId)).map(attemptView),
    segments: segmentsOf(m.raw),
    fieldNames: fieldNames(pack),
    fixes: waiting ? fixesOf(pack, errors) : [],
    canReview: reviewable,
    canReprocess: waiting,
    canDelete: UNDELETABLE[m.state] === undefined,
  };
}
