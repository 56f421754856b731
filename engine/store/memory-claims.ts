import {
  type ClaimRequest,
  firstClaimable,
  ReceivedTwiceError,
  type SyncClaimOperations,
} from "./claims.js";
import type { StoredMessage, SyncStore } from "./types.js";

/**
 * Claims over an embedded store held by one process (claims.ts): the leases
 * live beside the store, the attempt is counted by the store's own
 * `beginAttempt`. One process holds the store, so nothing else claims
 * between the read and the lease. `complete` is the store's, refusing a
 * second receive completion of a claimed message (the SQL stores' trigger).
 */
export function memoryClaims(
  store: Pick<SyncStore, "messages" | "message" | "beginAttempt" | "attempts" | "complete">,
): SyncClaimOperations & Pick<SyncStore, "complete"> {
  /** Lease ends by message ID; a message no longer NEW drops out at the next claim. */
  let leases = new Map<string, string>();
  /** Who holds each lease. */
  const owners = new Map<string, string>();
  /** Every message ever claimed. */
  const claimed = new Set<string>();
  const complete = store.complete.bind(store);
  return {
    claimNext(request: ClaimRequest) {
      const pending = store.messages({ state: "NEW", direction: "inbound" });
      const live = new Map<string, string>();
      for (const m of pending) {
        const until = leases.get(m.messageId);
        if (until !== undefined) live.set(m.messageId, until);
      }
      leases = live;
      const message = firstClaimable(pending, (id) => leases.get(id), request.now);
      if (!message) return undefined;
      store.beginAttempt(message.messageId, request.now);
      leases.set(message.messageId, request.leaseUntil);
      owners.set(message.messageId, request.worker);
      claimed.add(message.messageId);
      return { message, worker: request.worker, leaseUntil: request.leaseUntil };
    },
    renewClaim(messageId: string, worker: string, leaseUntil: string): boolean {
      if (owners.get(messageId) !== worker || store.message(messageId)?.state !== "NEW")
        return false;
      leases.set(messageId, leaseUntil);
      return true;
    },
    finishedAmong(messageIds: readonly string[]): readonly StoredMessage[] {
      return messageIds
        .map((id) => store.message(id))
        .filter((m): m is StoredMessage => m !== undefined && m.state !== "NEW");
    },
    complete(outcome, completion, basedOn) {
      if (
        completion.kind === "receive" &&
        claimed.has(outcome.messageId) &&
        store.attempts(outcome.messageId).some((a) => a.kind === "receive")
      ) {
        throw new ReceivedTwiceError(outcome.messageId);
      }
      complete(outcome, completion, basedOn);
    },
  };
}
