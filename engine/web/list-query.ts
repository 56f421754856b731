import type { QueueState } from "../model/outcome.js";
import type { MessageFilter, QueueSummary, Store, StoredMessage } from "../store/types.js";

/**
 * The queue list as the page and `GET /api/messages` ask for it: filters
 * (state, direction, type, error code, received from/to, the sender's
 * patient identifier, the sending application), newest or oldest first,
 * 50 rows a page, and the counts per state of the whole queue. The store
 * answers one page and the count (store/queue-page.ts), not the whole queue.
 */

export const PAGE_SIZE = 50;

export interface ListQuery {
  readonly state?: QueueState;
  readonly direction?: "inbound" | "outbound";
  readonly type?: string;
  /** `CODE` or `CODE:VALUE`. */
  readonly code?: string;
  /** Received at or after (ISO-8601 or a date). */
  readonly from?: string;
  /** Received before (ISO-8601 or a date: the whole day). */
  readonly to?: string;
  /** The sender's patient identifier (PID-3 ID, with or without `^^^AUTHORITY`). */
  readonly patient?: string;
  /** `MSH-3`, or `MSH-3^MSH-4`, or the transport (`mllp:...`, `file:...`, `http:...`). */
  readonly sender?: string;
  readonly order?: "newest" | "oldest";
  /** From 1. */
  readonly page?: number;
}

export interface ListRow {
  readonly messageId: string;
  readonly receivedAt: string;
  readonly state: QueueState;
  readonly direction: "inbound" | "outbound";
  readonly messageType: string;
  readonly controlId: string;
  readonly sender: string;
  readonly errors: readonly { readonly code: string; readonly field?: string }[];
}

export interface ListPage {
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
  readonly pages: number;
  readonly counts: Readonly<Partial<Record<QueueState, number>>>;
  readonly messages: readonly ListRow[];
}

/** `MSH-3^MSH-4` of a message, as status and the list name a sender. */
export function senderOf(m: Pick<StoredMessage, "sendingApplication" | "sendingFacility">): string {
  return [m.sendingApplication ?? "", m.sendingFacility ?? ""].join("^");
}

/** A date alone: the start of the day, UTC; `end`: the start of the next. */
export function instant(value: string, end = false): string | undefined {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const time = Date.parse(day ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time)) return undefined;
  return new Date(time + (day && end ? 86_400_000 : 0)).toISOString();
}

function row(m: StoredMessage): ListRow {
  return {
    messageId: m.messageId,
    receivedAt: m.receivedAt,
    state: m.state,
    direction: m.direction,
    messageType: m.messageType,
    controlId: m.controlId,
    sender: senderOf(m),
    errors: (m.outcome?.errors ?? [])
      .filter((e) => e.severity === "error")
      .map((e) => ({ code: e.code, ...(e.field && { field: e.field }) })),
  };
}

export async function listMessages(
  store: Store,
  query: ListQuery,
  /** The counts per state (the store's summary by default). */
  summary: () => Promise<QueueSummary> = () => store.queueSummary(),
): Promise<ListPage> {
  const colon = query.code?.indexOf(":") ?? -1;
  const code = query.code === undefined || colon < 0 ? query.code : query.code.slice(0, colon);
  const value = query.code !== undefined && colon >= 0 ? query.code.slice(colon + 1) : undefined;
  const from = query.from === undefined ? undefined : instant(query.from);
  const to = query.to === undefined ? undefined : instant(query.to, true);
  const filter: MessageFilter = {
    ...(query.state && { state: query.state }),
    ...(query.direction && { direction: query.direction }),
    ...(query.type && { type: query.type }),
    ...(code !== undefined && { code }),
    ...(value !== undefined && { value }),
    ...(from !== undefined && { since: from }),
  };
  const newestFirst = (query.order ?? "newest") === "newest";
  const base = {
    filter,
    ...(to !== undefined && { before: to }),
    ...(query.patient !== undefined && { patient: query.patient }),
    ...(query.sender !== undefined && { sender: query.sender }),
    newestFirst,
  };
  const wanted = Math.max(1, query.page ?? 1);
  let found = await store.messagePage({
    ...base,
    limit: PAGE_SIZE,
    offset: (wanted - 1) * PAGE_SIZE,
  });
  const total = found.total;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(wanted, pages);
  // A page past the last shows the last.
  if (page !== wanted)
    found = await store.messagePage({ ...base, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const { counts } = await summary();
  return {
    total,
    page,
    pageSize: PAGE_SIZE,
    pages,
    counts,
    messages: found.messages.map(row),
  };
}
