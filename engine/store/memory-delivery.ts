import type { Outcome, QueueState } from "../model/outcome.js";
import {
  type DeliveryEvent,
  type DeliveryOperations,
  NotResendableError,
  type ReceiverState,
  type ReceiverStatus,
} from "./delivery.js";
import {
  outcomeAfter,
  pickSendable,
  resendRefusal,
  resultEvent,
  stateAfter,
} from "./delivery-rules.js";
import { UnknownMessageError } from "./errors.js";
import type { ReceivedMessage } from "./types.js";

/** What delivery reads and moves of the memory store's message entries. */
export interface DeliveryEntry {
  readonly received: ReceivedMessage;
  readonly messageId: string;
  readonly sequence: number;
  state: QueueState;
  stateAt: string;
  outcome?: Outcome;
  ack?: string;
}

/**
 * The memory store's delivery operations (delivery.ts) over its message
 * entries, in queue order (the map's insertion order). One process, no
 * awaits inside an operation: each is atomic by construction.
 */
export function memoryDelivery(
  messages: ReadonlyMap<string, DeliveryEntry>,
  open: () => void,
): DeliveryOperations {
  const sends = new Map<string, { count: number; dueAt?: string }>();
  const events = new Map<string, DeliveryEvent[]>();
  const receivers = new Map<string, ReceiverState>();

  const entry = (messageId: string): DeliveryEntry => {
    open();
    const m = messages.get(messageId);
    if (!m) throw new UnknownMessageError(messageId);
    return m;
  };
  const event = (messageId: string, e: Omit<DeliveryEvent, "number">): void => {
    const list = events.get(messageId) ?? [];
    list.push({ number: list.length + 1, ...e });
    events.set(messageId, list);
  };
  const move = (m: DeliveryEntry, state: QueueState, at: string, outcome: string): void => {
    if (m.state !== state) m.stateAt = at;
    m.state = state;
    m.outcome = JSON.parse(outcome) as Outcome;
  };
  const json = (m: DeliveryEntry) => (m.outcome ? JSON.stringify(m.outcome) : null);
  const identity = (m: DeliveryEntry) => ({
    messageId: m.messageId,
    controlId: m.received.controlId,
    messageType: m.received.messageType,
  });

  return {
    claimDelivery(request) {
      open();
      const outbound = [...messages.values()].filter(
        (m) =>
          m.received.direction === "outbound" &&
          ["NEW", "SCHEDULED", "PENDING", "ERROR"].includes(m.state),
      );
      const row = pickSendable(
        outbound.map((m) => ({
          sequence: m.sequence,
          state: m.state,
          patientKey: m.received.patientKey ?? null,
          dueAt: sends.get(m.messageId)?.dueAt ?? null,
        })),
        request.ordering,
        request.now,
      );
      const m = row && outbound.find((o) => o.sequence === row.sequence);
      if (!m) return undefined;
      const send = (sends.get(m.messageId)?.count ?? 0) + 1;
      sends.set(m.messageId, { count: send, dueAt: request.leaseUntil });
      move(m, "PENDING", request.now, outcomeAfter(json(m), identity(m), "PENDING"));
      event(m.messageId, { kind: "sent", at: request.now, receiver: request.receiver, send });
      return {
        messageId: m.messageId,
        sequence: m.sequence,
        controlId: m.received.controlId,
        messageType: m.received.messageType,
        raw: m.received.raw,
        ...(m.received.patientKey !== undefined && { patientKey: m.received.patientKey }),
        send,
      };
    },
    finishDelivery(messageId, send, result) {
      const m = entry(messageId);
      event(messageId, resultEvent(send, result));
      const current = sends.get(messageId);
      if (m.state !== "PENDING" || current?.count !== send) return false;
      const state = stateAfter(result);
      move(m, state, result.at, outcomeAfter(json(m), identity(m), state, result));
      if (result.ack !== undefined) m.ack = result.ack;
      sends.set(messageId, {
        count: send,
        ...(result.kind === "retry" && { dueAt: result.retryAt }),
      });
      return true;
    },
    scheduleDeliveries(at, until) {
      open();
      let moved = 0;
      for (const m of messages.values()) {
        if (m.received.direction !== "outbound" || m.state !== "NEW") continue;
        move(m, "SCHEDULED", at, outcomeAfter(json(m), identity(m), "SCHEDULED"));
        event(m.messageId, {
          kind: "scheduled",
          at,
          cause: `outside the send windows until ${until}`,
        });
        moved += 1;
      }
      return moved;
    },
    resendDelivery(messageId, at, by) {
      const m = entry(messageId);
      const why = resendRefusal({
        direction: m.received.direction,
        state: m.state,
        controlId: m.received.controlId,
      });
      if (why !== undefined) throw new NotResendableError(messageId, why);
      sends.set(messageId, { count: 0 });
      move(m, "NEW", at, outcomeAfter(json(m), identity(m), "NEW"));
      event(messageId, { kind: "resend", at, cause: `resent as stored by ${by}` });
    },
    deliveryEvents(messageId) {
      open();
      return messages.has(messageId) ? [...(events.get(messageId) ?? [])] : [];
    },
    setReceiverState(state) {
      open();
      const before = receivers.get(state.receiver);
      const since = before && before.connected === state.connected ? before.since : state.since;
      const lastAckAt = state.lastAckAt ?? before?.lastAckAt;
      receivers.set(state.receiver, {
        receiver: state.receiver,
        connected: state.connected,
        since,
        ...(lastAckAt !== undefined && { lastAckAt }),
      });
    },
    receiverStatuses(): readonly ReceiverStatus[] {
      open();
      let pending = 0;
      let waiting = 0;
      let oldest: string | undefined;
      for (const m of messages.values()) {
        if (m.received.direction !== "outbound") continue;
        if (!["NEW", "SCHEDULED", "PENDING"].includes(m.state)) continue;
        waiting += 1;
        if (m.state === "PENDING") pending += 1;
        if (oldest === undefined || m.received.receivedAt < oldest) oldest = m.received.receivedAt;
      }
      return [...receivers.values()]
        .sort((a, b) => a.receiver.localeCompare(b.receiver))
        .map((r) => ({
          ...r,
          pending,
          waiting,
          ...(oldest !== undefined && { oldestWaitingSince: oldest }),
        }));
    },
  };
}
