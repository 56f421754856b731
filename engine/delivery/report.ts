import type { DeliveryEvent, ReceiverStatus } from "../store/delivery.js";
import type { StoredMessage } from "../store/types.js";

/**
 * How people see delivery (no patient data): an outbound message's story
 * for `queue show`, each receiver's line for `rulepack status` and
 * `queue list --direction outbound`, and the `unreachable` alert.
 */

/** The MSA segment of an ACK, `|`-joined as received. */
const msaOf = (ack: string): string =>
  ack.split(/\r\n?|\n/).find((s) => s.startsWith("MSA")) ?? "no MSA";

function eventLine(e: DeliveryEvent): string {
  switch (e.kind) {
    case "sent":
      return `${e.at} send ${e.send} to ${e.receiver}`;
    case "acknowledged":
      return `${e.at} send ${e.send} acknowledged: ${e.ack ? msaOf(e.ack) : "-"}`;
    case "retry":
      return `${e.at} send ${e.send} not delivered, sent again on the retry schedule: ${e.cause}`;
    case "failed":
      return `${e.at} send ${e.send} failed: ${e.cause}`;
    case "scheduled":
      return `${e.at} SCHEDULED: ${e.cause}`;
    case "resend":
      return `${e.at} ${e.cause}`;
  }
}

const WHY: Readonly<Partial<Record<string, string>>> = {
  NEW: "waiting to be sent (queue order; an earlier ERROR message of the same patient holds it)",
  SCHEDULED: "waiting for a send window to open",
  PENDING: "sent, waiting for its ACK or for the next send on the retry schedule",
  PROCESSED: "delivered: the receiver acknowledged it",
  ERROR:
    "not delivered: fix the cause, then `rulepack reprocess ID` (built again from its event, a new MSH-10) or `rulepack deliver --resend ID` (the same bytes)",
  DELETED: "not to be sent: deleted, or built again as a new message (its history names which)",
};

/** `queue show`'s delivery section of an outbound message built and queued. */
export function deliveryStory(m: StoredMessage, events: readonly DeliveryEvent[]): string {
  if (m.direction !== "outbound" || m.controlId === "") return "";
  const sends = events.filter((e) => e.kind === "sent").length;
  const lines = [
    `delivery (${sends} send${sends === 1 ? "" : "s"})`,
    `  ${m.receivedAt} built as ${m.controlId}`,
    ...events.map((e) => `  ${eventLine(e)}`),
    `  now ${m.state}: ${WHY[m.state] ?? m.state}`,
  ];
  return `${lines.join("\n")}\n`;
}

/** One line per receiver: connected or not since when, last ACK, PENDING, oldest waiting. */
export function receiverLines(statuses: readonly ReceiverStatus[]): string[] {
  return statuses.map(
    (r) =>
      `receiver ${r.receiver}: ${r.connected ? "connected" : "not connected"} since ${r.since}; last ACK ${r.lastAckAt ?? "-"}; PENDING ${r.pending}; waiting ${r.waiting}, oldest since ${r.oldestWaitingSince ?? "-"}`,
  );
}

/** The unreachable alert lives with the other alerts (engine/queue/), which the listener reads too. */
export { unreachableAlerts } from "../queue/unreachable-alert.js";
