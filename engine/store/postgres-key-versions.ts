import type { PoolClient } from "pg";
import type { TypedAction } from "../model/actions.js";
import { StaleViewError, StoreActionError } from "./errors.js";
import { staleKey } from "./key-stamps.js";
import { type PlannedActions, planInTransaction } from "./postgres-repository.js";
import type { ReadBasis, ReadKey } from "./read-keys.js";

/**
 * Key versions on PostgreSQL (decision 0037, migration 0010): each key a
 * decision read has a version in `read_key_versions`, read with the answer
 * in the same snapshot (postgres-lazy-view.ts); `complete` locks the keys it
 * read (shared) and writes (exclusive) with transaction advisory locks in
 * one sorted statement, refuses the decision when a read key's version has
 * moved, and bumps the written keys. A writer holds its keys until it
 * commits, so a reader's check waits for it and then sees the new version;
 * a reader holds its keys until it commits, so no write to them lands
 * between its check and its commit. Different patients' decisions share no
 * written key and commit side by side.
 */

/** The versions of `keys` now (absent: 0), in the caller's transaction. */
export async function keyVersions(
  client: PoolClient,
  keys: readonly ReadKey[],
): Promise<Map<ReadKey, number>> {
  const found = new Map<ReadKey, number>(keys.map((k) => [k, 0]));
  if (keys.length === 0) return found;
  const rows = await client.query<{ key: string; version: string }>(
    "SELECT key, version FROM read_key_versions WHERE key = ANY($1::text[])",
    [keys],
  );
  for (const r of rows.rows) found.set(r.key, Number(r.version));
  return found;
}

/** Lock the keys until the transaction ends, in one sorted order (so two completes never wait on each other in a circle). */
async function lockKeys(
  client: PoolClient,
  keys: Iterable<ReadKey>,
  exclusive: ReadonlySet<ReadKey>,
): Promise<void> {
  const sorted = [...new Set(keys)].sort();
  if (sorted.length === 0) return;
  await client.query(
    `SELECT CASE WHEN x THEN pg_advisory_xact_lock(hashtextextended(k, 37))
       ELSE pg_advisory_xact_lock_shared(hashtextextended(k, 37)) END
     FROM unnest($1::text[], $2::boolean[]) AS u(k, x)`,
    [sorted, sorted.map((k) => exclusive.has(k))],
  );
}

async function bumpKeys(client: PoolClient, keys: ReadonlySet<ReadKey>): Promise<void> {
  if (keys.size === 0) return;
  await client.query(
    `INSERT INTO read_key_versions (key, version) SELECT k, 1 FROM unnest($1::text[]) AS k
     ON CONFLICT (key) DO UPDATE SET version = read_key_versions.version + 1`,
    [[...keys]],
  );
}

/**
 * Apply the actions (nothing for none), refusing them (StaleViewError) when
 * a key of `basis` moved since it was read; bump the keys they write. Rows
 * the actions read for keys the basis does not hold were fetched before the
 * locks: the actions run again over rows read under them.
 */
export async function applyOnBasis(
  client: PoolClient,
  messageId: string,
  actions: readonly TypedAction[],
  basis: ReadBasis | undefined,
): Promise<void> {
  let plan: PlannedActions | undefined;
  let failed: unknown;
  try {
    plan = actions.length > 0 ? await planInTransaction(client, actions) : undefined;
  } catch (e) {
    // An action that cannot apply (a patient created meanwhile) may be a stale read: checked first.
    if (!(e instanceof StoreActionError) || basis === undefined) throw e;
    failed = e;
  }
  const read = [...(basis?.reads.keys() ?? [])];
  const exclusive = new Set(plan?.touched.written);
  const locked = new Set([...read, ...exclusive, ...(plan?.touched.fetched ?? [])]);
  await lockKeys(client, locked, exclusive);
  if (basis) {
    const now = await keyVersions(client, read);
    if (staleKey(basis, () => now) !== undefined) throw new StaleViewError(messageId);
  }
  if (failed !== undefined) throw failed;
  if (plan === undefined) return;
  if ([...plan.touched.fetched].some((k) => !basis?.reads.has(k))) {
    plan = await planInTransaction(client, actions);
    const { written, fetched } = plan.touched;
    const more = [...written, ...fetched].filter(
      (k) => !locked.has(k) || (written.has(k) && !exclusive.has(k)),
    );
    // Rare (the second run touches keys the first did not): may wait in a circle, 40P01, decided again.
    await lockKeys(client, more, written);
  }
  await plan.send();
  await bumpKeys(client, plan.touched.written);
}

/**
 * A write outside `complete` (master data): its keys locked until it
 * commits, `write` run, and the keys bumped when it says it changed
 * something (an unchanged load sends no decision back).
 */
export async function writeKeys(
  client: PoolClient,
  keys: ReadonlySet<ReadKey>,
  write: () => Promise<boolean>,
): Promise<void> {
  await lockKeys(client, keys, keys);
  if (await write()) await bumpKeys(client, keys);
}

/** A failure PostgreSQL asks to retry: serialization failure (40001) or deadlock (40P01). */
export function isRetryableFailure(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "40001" || code === "40P01";
}
