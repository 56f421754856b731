import type { BlockingKeys, RecordIdKind } from "./types.js";

/**
 * Identifiers the store hands out.
 *
 * - Records (patients, appointments, claims): numeric strings from one
 *   counter per kind, starting at "1001" (so an ID is never mistaken for a
 *   sequence number or a list index). `nextId(kind)` only reads the counter;
 *   the ID is taken when a `*.create` action carrying it is applied, and the
 *   counter then moves past it. A create may carry any ID: a numeric one
 *   larger than the counter moves the counter past it, any other is stored
 *   as given. A second create with an ID already taken is an error.
 * - Messages: `q-` and a counter zero-padded to 6 digits (`q-000042`), from
 *   `q-000001`; past `q-999999` the number simply grows.
 */
export const FIRST_RECORD_ID = 1001;

export const RECORD_KINDS: readonly RecordIdKind[] = ["patient", "appointment", "claim"];

export function messageIdOf(n: number): string {
  return `q-${String(n).padStart(6, "0")}`;
}

/** The counter value after taking `id`: past it when it is numeric, unchanged otherwise. */
export function counterAfter(next: number, id: string): number {
  if (!/^\d{1,15}$/.test(id)) return next;
  return Math.max(next, Number(id) + 1);
}

/**
 * Blocking keys as the strings the index holds: each pass's key as it is
 * (`lastNameSoundex+birthYear:S530|1980`), the sender's patient ID as
 * `sender:ID`.
 */
export function blockingKeyList(block: BlockingKeys): string[] {
  const keys = [...(block.passes ?? [])];
  if (block.senderId) keys.push(`sender:${block.senderId}`);
  return keys;
}
