import type { Store } from "../store/types.js";

/**
 * Retention of a host's `_unrouted` store (`unrouted.retainDays` in the host
 * file, default 90 like the packs'; docs/decisions/0038). Its frames were
 * answered AR and belong to no practice, so unlike a practice's ERROR
 * messages they do not wait for a person forever: a frame still in ERROR
 * `retainDays` after it entered that state is deleted (DELETED, an attempt
 * by `retention` saying why, as `queue delete` records one), and a DELETED
 * (or PROCESSED) one is removed `retainDays` after it entered that state,
 * as a practice's retention removes them. Run by the host at start and
 * daily, and by `rulepack prune --practice _unrouted`.
 */

export interface UnroutedPrune {
  /** ERROR frames older than the retention, deleted now (counted only, on a dry run). */
  readonly deleted: number;
  /** DELETED and PROCESSED messages older than the retention, removed (counted, on a dry run). */
  readonly removed: number;
  /** The cutoff: what entered its state before it goes. */
  readonly before: string;
}

const DAY_MS = 86_400_000;

/** Who the deleting attempts name. */
export const RETENTION_ACTOR = "retention";

export async function pruneUnrouted(
  store: Store,
  retainDays: number,
  now: Date,
  options: { readonly dryRun?: boolean } = {},
): Promise<UnroutedPrune> {
  const before = new Date(now.getTime() - retainDays * DAY_MS).toISOString();
  const older = (m: { readonly stateAt: string }) => Date.parse(m.stateAt) < Date.parse(before);
  const waiting = (await store.messages({ state: "ERROR" })).filter(older);
  if (options.dryRun) {
    const gone = (await store.messages({ states: ["DELETED", "PROCESSED"] })).filter(older);
    return { deleted: waiting.length, removed: gone.length, before };
  }
  const at = now.toISOString();
  for (const m of waiting) {
    await store.setState(m.messageId, "DELETED", {
      kind: "delete",
      now: at,
      actor: RETENTION_ACTOR,
      note: `unrouted for more than ${retainDays} days (unrouted.retainDays)`,
    });
  }
  const removed = await store.prune({ PROCESSED: before, DELETED: before });
  return { deleted: waiting.length, removed, before };
}

/**
 * The running host's retention of `_unrouted`: now and every `everyMs`
 * (a day), between two frames of the shared port; logs the counts, never
 * throws. Returns the stop (the timer is unref'd).
 */
export function startUnroutedRetention(options: {
  readonly store: Store;
  /** Read at each run: a reload of the host file may change it. */
  readonly retainDays: () => number;
  readonly between: <T>(task: () => Promise<T>) => Promise<T>;
  readonly now: () => Date;
  readonly log: (line: string) => void;
  readonly everyMs: number;
}): { readonly first: Promise<void>; stop(): void } {
  const run = async () => {
    try {
      const r = await options.between(() =>
        pruneUnrouted(options.store, options.retainDays(), options.now()),
      );
      options.log(`unrouted prune deleted=${r.deleted} removed=${r.removed}`);
    } catch (e) {
      options.log(`unrouted prune failed ${e instanceof Error ? e.name : "error"}`);
    }
  };
  const timer = setInterval(() => void run(), options.everyMs);
  timer.unref();
  return { first: run(), stop: () => clearInterval(timer) };
}
