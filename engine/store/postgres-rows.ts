import type { MessageFilter } from "./types.js";

export { type AttemptRow, attemptOf, type MessageRow, storedMessage } from "./queue-rows.js";

/** Queue rows of the PostgreSQL store as the driver returns them, and the list query. */

/** The SQL of `matchesFilter` (queue-records.ts), with positional parameters. */
export function messageQuery(f: MessageFilter): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if (f.state !== undefined) where.push(`state = ${param(f.state)}`);
  if (f.states !== undefined) where.push(`state = ANY(${param([...f.states])}::text[])`);
  if (f.direction !== undefined) where.push(`direction = ${param(f.direction)}`);
  if (f.type !== undefined) {
    const type = param(f.type);
    where.push(`(message_type = ${type} OR starts_with(message_type, ${type} || '^'))`);
  }
  if (f.since !== undefined) where.push(`received_at >= ${param(f.since)}`);
  if (f.patientKey !== undefined) where.push(`patient_key = ${param(f.patientKey)}`);
  if (f.patientId !== undefined) where.push(`patient_id = ${param(f.patientId)}`);
  if (f.afterSequence !== undefined) where.push(`seq > ${param(f.afterSequence)}`);
  if (f.code !== undefined) {
    // message_errors (migration 0009): the codes of each outcome, indexed.
    const code = param(f.code);
    const value = f.value === undefined ? "" : ` AND value = ${param(f.value)}`;
    where.push(`seq IN (SELECT message_seq FROM message_errors WHERE code = ${code}${value})`);
  }
  const clause = where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "";
  return { sql: `SELECT * FROM messages${clause} ORDER BY seq`, params };
}
