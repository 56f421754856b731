import type { QueueState } from "../model/outcome.js";
import type { StoredMessage } from "./types.js";

/**
 * How many messages the queue holds per state, direction and message type,
 * from one grouped query over an index (SQLite migration 14, PostgreSQL
 * 0009), not a read of every message: the list's counts per state and
 * `/metrics` (issue 17: 10^5 messages).
 */
export interface MessageCount {
  readonly state: QueueState;
  readonly direction: "inbound" | "outbound";
  readonly messageType: string;
  readonly n: number;
}

/** The counting operation a store offers beside `queueSummary()`. */
export interface MessageCounting {
  messageCounts(): readonly MessageCount[];
}

/** The grouped count; `messages_by_state_type` covers it. */
export const MESSAGE_COUNTS_SQL =
  'SELECT state, direction, message_type AS "messageType", count(*) AS n FROM messages GROUP BY state, direction, message_type';

/** The same counts over messages in memory (the memory store). */
export function countMessages(messages: Iterable<StoredMessage>): MessageCount[] {
  const counts = new Map<string, MessageCount>();
  for (const m of messages) {
    const key = `${m.state}\u0000${m.direction}\u0000${m.messageType}`;
    const was = counts.get(key);
    counts.set(key, {
      state: m.state,
      direction: m.direction,
      messageType: m.messageType,
      n: (was?.n ?? 0) + 1,
    });
  }
  return [...counts.values()];
}

/** The counts per state, as the queue summary gives them. */
export function countsByState(
  counts: readonly MessageCount[],
): Partial<Record<QueueState, number>> {
  const byState: Partial<Record<QueueState, number>> = {};
  for (const c of counts) byState[c.state] = (byState[c.state] ?? 0) + c.n;
  return byState;
}
