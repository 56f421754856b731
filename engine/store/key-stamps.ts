import { StaleViewError } from "./errors.js";
import type { ReadBasis, ReadKey } from "./read-keys.js";

/**
 * Key versions in an embedded store (memory, SQLite), where one writer at a
 * time commits: every commit that writes keys takes the next stamp and
 * stamps each key it wrote with it. A view records each key it reads at the
 * stamp of its opening; `complete` refuses when a read key's stamp is
 * higher (written after the view was opened). A live view may read a newer
 * state than its stamp, never an older one, so the check is safe; at worst
 * it sends back a decision that read the newer state already.
 */
export interface KeyStamping {
  /** The stamp of the last commit that wrote keys (0: none yet). */
  keyStamp(): number;
}

/** An embedded store's stamps: read within, and bumped inside, its write transaction. */
export interface EmbeddedKeyStamps extends KeyStamping {
  /** Each key's stamp (0: never written). */
  current(keys: readonly ReadKey[]): ReadonlyMap<ReadKey, number>;
  /** Take the next stamp for these keys; call inside the write transaction. */
  bump(keys: ReadonlySet<ReadKey>): void;
}

/** The first key of `basis` written after it was read, by `current` (a key's stamp or version). */
export function staleKey(
  basis: ReadBasis,
  current: (keys: readonly ReadKey[]) => ReadonlyMap<ReadKey, number>,
): ReadKey | undefined {
  if (basis.reads.size === 0) return undefined;
  const now = current([...basis.reads.keys()]);
  for (const [key, read] of basis.reads) if ((now.get(key) ?? 0) > read) return key;
  return undefined;
}

/** Throw StaleViewError when a key of `basis` moved since it was read. */
export function refuseStale(
  basis: ReadBasis,
  current: (keys: readonly ReadKey[]) => ReadonlyMap<ReadKey, number>,
  messageId: string,
): void {
  if (staleKey(basis, current) !== undefined) throw new StaleViewError(messageId);
}

/** The memory store's stamps. */
export function memoryKeyStamps(): EmbeddedKeyStamps {
  let stamp = 0;
  const stamps = new Map<ReadKey, number>();
  return {
    keyStamp: () => stamp,
    current: (keys) => new Map(keys.map((k) => [k, stamps.get(k) ?? 0])),
    bump(keys) {
      if (keys.size === 0) return;
      stamp++;
      for (const key of keys) stamps.set(key, stamp);
    },
  };
}
