import { matchesFilter } from "./queue-records.js";
import type { MessageFilter, StoredMessage } from "./types.js";

/**
 * One page of the queue as the browser lists it (engine/web/list-query.ts):
 * the messages of a filter, newest or oldest first, `limit` from `offset`,
 * and how many match in all. A database answers it with a count and a
 * LIMIT/OFFSET query, so a page costs its rows, not the queue's (10^5
 * messages: issue 17).
 */
export interface PageQuery {
  readonly filter: MessageFilter;
  /** Received before (ISO-8601). */
  readonly before?: string;
  /** MSH-3 (case-insensitive), MSH-3^MSH-4, or the start of the transport (`mllp:`, `upload:`). */
  readonly sender?: string;
  /** The sender's patient identifier: `ID`, or `ID^^^AUTHORITY` as stored. */
  readonly patient?: string;
  readonly newestFirst: boolean;
  readonly limit: number;
  readonly offset: number;
}

export interface QueuePage {
  readonly total: number;
  readonly messages: readonly StoredMessage[];
}

/** The paging operation a store offers beside `messages()`. */
export interface QueuePaging {
  messagePage(query: PageQuery): QueuePage;
}

/** The conditions beyond MessageFilter, on a stored message. */
export function pageMatches(m: StoredMessage, q: PageQuery): boolean {
  if (q.before !== undefined && !(m.receivedAt < q.before)) return false;
  if (q.patient !== undefined) {
    const key = m.patientKey;
    if (key === undefined || (key !== q.patient && !key.startsWith(`${q.patient}^`))) return false;
  }
  if (q.sender !== undefined) {
    const s = q.sender.toUpperCase();
    const app = (m.sendingApplication ?? "").toUpperCase();
    const both = `${app}^${(m.sendingFacility ?? "").toUpperCase()}`;
    if (app !== s && both !== s && !m.sender.toUpperCase().startsWith(s)) return false;
  }
  return true;
}

/** A page of messages already in receipt order (the memory store's). */
export function pageOf(inOrder: readonly StoredMessage[], q: PageQuery): QueuePage {
  const found = inOrder.filter((m) => matchesFilter(m, q.filter) && pageMatches(m, q));
  const ordered = q.newestFirst ? [...found].reverse() : found;
  return { total: found.length, messages: ordered.slice(q.offset, q.offset + q.limit) };
}

/**
 * The SQL of a page from the store's `messages()` query (`SELECT * FROM
 * messages WHERE ... ORDER BY seq`): the extra conditions, a count, and the
 * rows in order with LIMIT and OFFSET. `param` adds a parameter and names it.
 */
export function pageSql(
  base: string,
  q: PageQuery,
  param: (value: unknown) => string,
): { readonly count: string; readonly rows: string } {
  const match = /^SELECT \* FROM messages( WHERE (.*))? ORDER BY seq$/s.exec(base);
  if (!match) throw new Error("unexpected message query shape");
  const where = match[2] ? [match[2]] : [];
  if (q.before !== undefined) where.push(`received_at < ${param(q.before)}`);
  if (q.patient !== undefined) {
    const p = param(q.patient);
    where.push(`(patient_key = ${p} OR substr(patient_key, 1, length(${p}) + 1) = ${p} || '^')`);
  }
  if (q.sender !== undefined) {
    const s = param(q.sender.toUpperCase());
    where.push(
      `(upper(coalesce(sending_application, '')) = ${s} OR upper(coalesce(sending_application, '') || '^' || coalesce(sending_facility, '')) = ${s} OR substr(upper(sender), 1, length(${s})) = ${s})`,
    );
  }
  const clause = where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "";
  return {
    count: `SELECT count(*) AS n FROM messages${clause}`,
    rows: `SELECT * FROM messages${clause} ORDER BY seq ${q.newestFirst ? "DESC" : "ASC"} LIMIT ${param(q.limit)} OFFSET ${param(q.offset)}`,
  };
}
