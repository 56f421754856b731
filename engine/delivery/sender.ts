import type { OutcomeError } from "../model/outcome.js";
import type { DeliveryOptions, DeliveryReceiver } from "../pack/delivery-options.js";
import type { ClaimedDelivery, DeliveryResult } from "../store/delivery.js";
import type { Store } from "../store/types.js";
import { readAck } from "./ack-table.js";
import type { DeliveryClock } from "./clock.js";
import { type MllpConnection, openConnection } from "./connection.js";
import { inWindow, nextOpening, retryDelayMs } from "./schedule.js";

/**
 * The sender loop (decision 0025): claim the next sendable outbound message
 * (PENDING, its send recorded), write its stored bytes framed, wait for the
 * ACK and record what it means (ack-table.ts). A send that gets no answer
 * — no connection, a timeout, a garbled ACK, an ACK for another message —
 * leaves the message PENDING until the retry schedule sends the same bytes
 * again, up to the pack's max attempts (then ERROR DELIVERY_FAILED with the
 * last cause). One lane per connection: one with queue ordering, up to
 * `connections` with per-patient ordering.
 */

export interface SenderOptions {
  readonly store: Store;
  readonly delivery: DeliveryOptions & { readonly receiver: DeliveryReceiver };
  readonly clock: DeliveryClock;
  /** Stop when nothing can be sent now (a batch run: `rulepack deliver --once`). */
  readonly once?: boolean;
  /** How long to wait before looking for a message again when none was sendable (default 500 ms). */
  readonly pollMs?: number;
  /** Told of every send's end (IDs, codes and causes only: no patient data). */
  readonly onSend?: (report: SendReport) => void;
}

export interface SendReport {
  readonly messageId: string;
  readonly controlId: string;
  readonly messageType: string;
  /** This send's number: above 1 it repeated the same bytes (same MSH-10). */
  readonly send: number;
  readonly result: DeliveryResult["kind"];
  /** The ACK's reading, or why there was none. */
  readonly detail: string;
  /** The state the result left the message in (false: a newer send had taken over). */
  readonly moved: boolean;
}

export interface SenderSummary {
  readonly sent: number;
  readonly acknowledged: number;
  readonly retried: number;
  readonly failed: number;
  /** Sends that repeated an earlier send's bytes (send number above 1). */
  readonly resent: number;
}

export interface RunningSender {
  /** Stop: sleeps end at once, an open connection is closed (its send stays PENDING). */
  stop(): Promise<SenderSummary>;
  /** Settles when every lane has stopped (on its own with `once`). */
  readonly done: Promise<SenderSummary>;
  /** True until every lane has stopped (asked to, or ended by a fault): what /healthz reads. */
  running(): boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function startSender(options: SenderOptions): RunningSender {
  const { store, delivery, clock } = options;
  const receiver = delivery.receiver;
  const pollMs = options.pollMs ?? 500;
  const stopping = new AbortController();
  const counts = { sent: 0, acknowledged: 0, retried: 0, failed: 0, resent: 0 };
  const connections = new Set<MllpConnection>();
  stopping.signal.addEventListener("abort", () => {
    for (const c of connections) c.close();
  });

  let known: { connected: boolean; ackWrittenAt: number } | undefined;
  const receiverState = async (connected: boolean, acked = false): Promise<void> => {
    const now = clock.now().getTime();
    const changed = known?.connected !== connected;
    const ackDue = acked && (known === undefined || now - known.ackWrittenAt >= 1000);
    if (!changed && !ackDue) return;
    known = { connected, ackWrittenAt: ackDue ? now : (known?.ackWrittenAt ?? 0) };
    await store.setReceiverState({
      receiver: receiver.name,
      connected,
      since: iso(now),
      ...(acked && { lastAckAt: iso(now) }),
    });
  };

  /** The result of a send that got no answer: retried, or failed after max attempts. */
  const noAnswer = (claimed: ClaimedDelivery, cause: string, ack?: string): DeliveryResult => {
    const now = clock.now().getTime();
    if (claimed.send >= delivery.maxAttempts) {
      const error: OutcomeError = {
        code: "DELIVERY_FAILED",
        severity: "error",
        message: `not delivered to ${receiver.name} after ${claimed.send} send${claimed.send === 1 ? "" : "s"}; the last: ${cause}`,
      };
      return { kind: "failed", at: iso(now), error, ...(ack !== undefined && { ack }) };
    }
    return {
      kind: "retry",
      at: iso(now),
      cause,
      retryAt: iso(now + retryDelayMs(delivery.retry, claimed.send)),
      ...(ack !== undefined && { ack }),
    };
  };

  /** One send over `lane`'s connection; returns the result and the ACK's reading. */
  const sendOne = async (
    lane: { connection?: MllpConnection },
    claimed: ClaimedDelivery,
  ): Promise<{ result: DeliveryResult; detail: string }> => {
    if (!lane.connection?.open) {
      if (lane.connection) connections.delete(lane.connection);
      lane.connection = undefined;
      const opened = await openConnection(receiver, delivery.connectTimeoutMs, clock);
      if (!opened.ok) {
        await receiverState(false);
        return { result: noAnswer(claimed, opened.why), detail: opened.why };
      }
      lane.connection = opened.connection;
      connections.add(opened.connection);
      if (stopping.signal.aborted) opened.connection.close();
      await receiverState(true);
    }
    const connection = lane.connection;
    connection.discard();
    connection.send(claimed.raw);
    const deadline = clock.now().getTime() + delivery.ackTimeoutMs;
    let committed: string | undefined;
    for (;;) {
      const reply = await connection.next(deadline - clock.now().getTime());
      if (reply.kind === "closed") {
        await receiverState(false);
        const cause = `${reply.why} before the ${committed ? "application " : ""}ACK`;
        return { result: noAnswer(claimed, cause, committed), detail: cause };
      }
      if (reply.kind === "timeout") {
        connection.close();
        const cause = committed
          ? `CA, then no application ACK within ${delivery.ackTimeoutMs / 1000} s (ACK timeout)`
          : `no ACK within ${delivery.ackTimeoutMs / 1000} s (ACK timeout)`;
        return { result: noAnswer(claimed, cause, committed), detail: cause };
      }
      const ack = Buffer.from(reply.bytes).toString("utf8");
      const reading = readAck(reply.bytes, delivery.ackMode, claimed.controlId);
      const at = iso(clock.now().getTime());
      switch (reading.verdict) {
        case "delivered":
          await receiverState(true, true);
          return { result: { kind: "acknowledged", at, ack }, detail: reading.detail };
        case "awaitApplication":
          committed = ack;
          continue;
        case "rejected": {
          await receiverState(true, true);
          const error: OutcomeError = {
            code: "ACK_REJECTED",
            severity: "error",
            message: `${receiver.name} refused it: ${reading.detail}`,
            ...(reading.errorCodes[0] !== undefined && { value: reading.errorCodes[0] }),
          };
          return { result: { kind: "failed", at, error, ack }, detail: reading.detail };
        }
        case "retry":
          // An answer the table does not hold: the connection may be out of step; start afresh.
          if (reading.code === undefined || !/^(AR|CE)$/.test(reading.code)) connection.close();
          else await receiverState(true, true);
          return { result: noAnswer(claimed, reading.detail, ack), detail: reading.detail };
      }
    }
  };

  const lane = async (): Promise<void> => {
    const state: { connection?: MllpConnection } = {};
    try {
      while (!stopping.signal.aborted) {
        const now = clock.now();
        if (delivery.windows && !inWindow(delivery.windows, now, delivery.timeZone)) {
          const opens = nextOpening(delivery.windows, now, delivery.timeZone);
          await store.scheduleDeliveries(now.toISOString(), opens?.toISOString() ?? "never");
          state.connection?.close();
          if (options.once) return;
          const wait = opens ? opens.getTime() - now.getTime() : 60_000;
          await clock.sleep(Math.min(Math.max(wait, 0), 60_000), stopping.signal);
          continue;
        }
        // A send ends within its connect and ACK timeouts; a sender killed in it leaves the
        // message PENDING, sent again (by anyone) once the lease has passed.
        const leaseMs = delivery.connectTimeoutMs + delivery.ackTimeoutMs + 1_000;
        const claimed = await store.claimDelivery({
          receiver: receiver.name,
          ordering: delivery.ordering,
          now: now.toISOString(),
          leaseUntil: iso(now.getTime() + leaseMs),
        });
        if (!claimed) {
          if (options.once) return;
          await clock.sleep(pollMs, stopping.signal);
          continue;
        }
        counts.sent += 1;
        if (claimed.send > 1) counts.resent += 1;
        const { result, detail } = await sendOne(state, claimed);
        const moved = await store.finishDelivery(claimed.messageId, claimed.send, result);
        if (result.kind === "acknowledged") counts.acknowledged += 1;
        else if (result.kind === "retry") counts.retried += 1;
        else counts.failed += 1;
        options.onSend?.({
          messageId: claimed.messageId,
          controlId: claimed.controlId,
          messageType: claimed.messageType,
          send: claimed.send,
          result: result.kind,
          detail,
          moved,
        });
      }
    } finally {
      state.connection?.close();
    }
  };

  const lanes = Array.from({ length: Math.max(1, delivery.connections) }, () => lane());
  let lanesRunning = true;
  const done = Promise.all(lanes).then(
    () => {
      lanesRunning = false;
      return { ...counts };
    },
    (e: unknown) => {
      lanesRunning = false;
      throw e;
    },
  );
  return {
    done,
    running: () => lanesRunning,
    async stop() {
      stopping.abort();
      return done;
    },
  };
}
