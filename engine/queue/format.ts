import { decodeBytes } from "../hl7/charset.js";
import type { OutcomeError, QueueState, ReviewItem } from "../model/outcome.js";
import type { Attempt, StoredMessage } from "../store/types.js";

/**
 * How `rulepack queue` shows messages and their attempts. A list line
 * carries no patient data (IDs, times, states, types, codes); `queue show`
 * is a person looking at one message, so it shows the raw message and the
 * errors' values.
 */

/** Table 19's states, every one (the keys make the compiler check the list is whole). */
const STATE_TABLE: Readonly<Record<QueueState, true>> = {
  SCHEDULED: true,
  NEW: true,
  DISTRIBUTED: true,
  PENDING: true,
  PROCESSED: true,
  ERROR: true,
  CBOERROR: true,
  ATHENAERROR: true,
  DELETED: true,
};

export const QUEUE_STATES = Object.keys(STATE_TABLE) as readonly QueueState[];

export function isQueueState(value: string): value is QueueState {
  return Object.hasOwn(STATE_TABLE, value);
}

const dash = (value: string | undefined): string => (value ? value : "-");

/** `CODE(FIELD)` per error, any severity; `-` when none. */
function errorCodes(errors: readonly OutcomeError[] | undefined): string {
  return errors?.map((e) => (e.field ? `${e.code}(${e.field})` : e.code)).join(",") || "-";
}

/** One `queue list` line: message ID, received, state, type, control ID, error codes. */
export function listLine(m: StoredMessage): string {
  return `${m.messageId} ${m.receivedAt} ${m.state} ${dash(m.messageType)} ${dash(m.controlId)} errors=${errorCodes(m.outcome?.errors)}`;
}

/** A stored message as data, without its bytes, its ACK, actions and trace. */
export function listJson(m: StoredMessage): Record<string, unknown> {
  const { raw: _raw, ack: _ack, outcome, ...rest } = m;
  return { ...rest, errors: outcome?.errors ?? [], review: outcome?.review ?? [] };
}

/** The stored bytes as text: UTF-8, any byte that is not shown as U+FFFD. */
export function rawText(raw: Uint8Array): string {
  return decodeBytes(raw, "utf-8").text;
}

/** Segments one per line, whatever terminated them (CR, CRLF, LF); a leading BOM is not shown. */
export function rawSegments(raw: Uint8Array): string[] {
  return rawText(raw)
    .replace(/^\uFEFF/, "")
    .split(/\r\n|\r|\n/)
    .filter((segment) => segment !== "");
}

function errorLine(e: OutcomeError): string {
  const where = [
    e.field && `field=${e.field}`,
    e.table && `table=${e.table}`,
    e.value !== undefined && `value=${JSON.stringify(e.value)}`,
  ].filter(Boolean);
  return `  ${e.severity} ${e.code}${where.length > 0 ? ` ${where.join(" ")}` : ""}: ${e.message}`;
}

function reviewLines(item: ReviewItem): string[] {
  return [
    `  ${item.reason}: ${item.detail}`,
    ...item.candidates.map(
      (c) =>
        `    candidate ${c.patientId} total=${c.total}${c.changes ? ` changes=${Object.keys(c.changes).join(",")}` : ""}`,
    ),
  ];
}

export function attemptLine(a: Attempt): string {
  const parts = [
    `#${a.number}`,
    a.kind,
    `at=${a.at}`,
    `now=${a.now}`,
    `actor=${dash(a.actor)}`,
    a.state,
    `errors=${errorCodes(a.outcome?.errors)}`,
  ];
  return `  ${parts.join(" ")}${a.note ? ` note=${JSON.stringify(a.note)}` : ""}`;
}

/** `queue show` as text: the message, its outcome, every attempt, the raw message. */
export function showText(m: StoredMessage, attempts: readonly Attempt[]): string {
  const header: [string, string | undefined][] = [
    ["received", `${m.receivedAt} from ${m.sender}`],
    ["direction", m.direction],
    ["type", m.messageType],
    ["control ID", m.controlId],
    ["sender", [m.sendingApplication, m.sendingFacility].filter(Boolean).join(" ") || undefined],
    ["state", `${m.state} since ${m.stateAt}`],
    ["patient", m.patientId],
    ["duplicate of", m.duplicateOf],
  ];
  const outcome = m.outcome;
  const lines = [
    `message ${m.messageId}`,
    ...header
      .filter((entry): entry is [string, string] => Boolean(entry[1]))
      .map(([name, value]) => `  ${name.padEnd(12)} ${value}`),
    outcome ? `errors (${outcome.errors.length})` : "outcome: none yet",
    ...(outcome?.errors.map(errorLine) ?? []),
    ...(outcome && outcome.review.length > 0
      ? [`review (${outcome.review.length})`, ...outcome.review.flatMap(reviewLines)]
      : []),
    `attempts (${attempts.length})`,
    ...attempts.map(attemptLine),
    "raw",
    ...rawSegments(m.raw).map((segment) => `  ${segment}`),
  ];
  return `${lines.join("\n")}\n`;
}

/** `queue show` as data: the message with its outcome, the raw message as text, every attempt. */
export function showJson(m: StoredMessage, attempts: readonly Attempt[]): Record<string, unknown> {
  const { raw, ...rest } = m;
  return { ...rest, raw: rawText(raw), attempts };
}
