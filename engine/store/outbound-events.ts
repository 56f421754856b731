/**
 * The practice event an outbound message was built from, kept with the
 * message when it is queued (`OutboundMessage.event`), so a person's
 * `reprocess` can build it again after a fix (engine/queue/rebuild-outbound.ts,
 * decision 0035). SQLite keeps it from schema version 13, PostgreSQL from
 * migration 0008: a message queued before has none.
 */
export interface OutboundEventOperations {
  /**
   * The event kept with the outbound message (JSON, as queued), or undefined:
   * no such message, an inbound one, or one queued before events were kept.
   */
  outboundEvent(messageId: string): string | undefined;
}

/** What is kept: the leg of the practice event the message was built for, and the event. */
export interface KeptOutboundEvent {
  readonly leg: string;
  readonly event: unknown;
}
