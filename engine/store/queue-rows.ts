import type { Outcome, QueueState } from "../model/outcome.js";
import type { Attempt, AttemptKind, AttemptStep, StoredMessage } from "./types.js";

/**
 * A queue row (messages, attempts) as the SQL stores read it, and the
 * record it is: one shape for SQLite and PostgreSQL, whose schemas name
 * the columns alike.
 */

export interface MessageRow {
  /** A number from SQLite, a string from PostgreSQL (its bigint). */
  seq: number | string;
  message_id: string;
  raw: Buffer;
  received_at: string;
  sender: string;
  control_id: string;
  message_type: string;
  direction: "inbound" | "outbound";
  state: QueueState;
  outcome: string | null;
  sending_application: string | null;
  sending_facility: string | null;
  content_hash: string | null;
  patient_key: string | null;
  duplicate_of: string | null;
  patient_id: string | null;
  ack: string | null;
  state_at: string;
  unfinished_attempts: number;
  attempt_step: AttemptStep | null;
  attempt_at: string | null;
}

export interface AttemptRow {
  number: number;
  kind: AttemptKind;
  at: string;
  now: string;
  actor: string | null;
  note: string | null;
  state: QueueState;
  outcome: string | null;
}

function optional<K extends string>(key: K, value: string | null): Partial<Record<K, string>> {
  return value === null ? {} : ({ [key]: value } as Record<K, string>);
}

export function storedMessage(row: MessageRow): StoredMessage {
  return {
    messageId: row.message_id,
    sequence: Number(row.seq),
    raw: new Uint8Array(row.raw),
    receivedAt: row.received_at,
    sender: row.sender,
    controlId: row.control_id,
    messageType: row.message_type,
    direction: row.direction,
    state: row.state,
    stateAt: row.state_at,
    ...(row.outcome !== null && { outcome: JSON.parse(row.outcome) as Outcome }),
    ...optional("sendingApplication", row.sending_application),
    ...optional("sendingFacility", row.sending_facility),
    ...optional("contentHash", row.content_hash),
    ...optional("patientKey", row.patient_key),
    ...optional("duplicateOf", row.duplicate_of),
    ...optional("patientId", row.patient_id),
    ...optional("ack", row.ack),
    ...(row.unfinished_attempts > 0 && {
      unfinished: {
        count: row.unfinished_attempts,
        step: row.attempt_step ?? "decide",
        at: row.attempt_at ?? "",
      },
    }),
  };
}

export function attemptOf(row: AttemptRow): Attempt {
  return {
    number: row.number,
    kind: row.kind,
    at: row.at,
    now: row.now,
    state: row.state,
    ...optional("actor", row.actor),
    ...optional("note", row.note),
    ...(row.outcome !== null && { outcome: JSON.parse(row.outcome) as Outcome }),
  };
}
