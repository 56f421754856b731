import type { Store } from "../../engine/store/types.js";

/**
 * A store that fails on demand: while `failing.complete` is set, every
 * `complete` throws as a full disk would, after the message's NEW row was
 * committed by `receive`.
 */
export function failingStore(store: Store): { store: Store; failing: { complete: boolean } } {
  const failing = { complete: false };
  const wrapped = Object.create(store, {
    complete: {
      value: async (...args: Parameters<Store["complete"]>) => {
        if (failing.complete) throw new Error("SQLITE_FULL: database or disk is full");
        await store.complete(...args);
      },
    },
  }) as Store;
  return { store: wrapped, failing };
}
