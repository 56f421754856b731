import type BetterSqlite3 from "better-sqlite3";
import type { OutboundEventOperations } from "./outbound-events.js";

/**
 * The SQLite store's outbound events (outbound-events.ts) in the messages
 * table's `event` column (schema version 13): `keep` runs inside
 * `queueOutbound`'s transaction.
 */
export function sqliteOutboundEvents(db: BetterSqlite3.Database): {
  readonly keep: (messageId: string, event: string) => void;
  readonly operations: OutboundEventOperations;
} {
  const keep = db.prepare("UPDATE messages SET event = ? WHERE message_id = ?");
  const read = db.prepare("SELECT event FROM messages WHERE message_id = ?").pluck();
  return {
    keep: (messageId, event) => {
      keep.run(event, messageId);
    },
    operations: {
      outboundEvent: (messageId) => (read.get(messageId) as string | null | undefined) ?? undefined,
    },
  };
}
