import type { CompiledPack } from "../pack/compiled.js";
import type { PrunableState, Store } from "../store/types.js";

/**
 * Retention of final states (the spec: "remains in queue for only 90
 * days"): PROCESSED and DELETED messages are removed once they have been in
 * their state longer than `queue.retentionDays` says. ERROR, CBOERROR and
 * ATHENAERROR wait for a person and are never pruned.
 */
const DAY_MS = 86_400_000;

export function pruneCutoffs(
  pack: CompiledPack,
  now: Date,
): Readonly<Record<PrunableState, string>> {
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS).toISOString();
  return {
    PROCESSED: before(pack.queue.retentionDays.PROCESSED),
    DELETED: before(pack.queue.retentionDays.DELETED),
  };
}

/** Remove what retention allows; returns how many messages went. */
export function pruneQueue(pack: CompiledPack, store: Store, now: Date): Promise<number> {
  return store.prune(pruneCutoffs(pack, now));
}
