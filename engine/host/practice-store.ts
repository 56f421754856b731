import { join } from "node:path";

/**
 * Where a practice's store lives on a host (docs/decisions/0024): on
 * PostgreSQL its own schema of the one database (`?schema=`, named after the
 * practice with `-` written `_`, so psql needs no quotes), on SQLite its own
 * file in the one folder. Every store operation, index and sequence stays
 * the one-practice store's: no practice column, no practice filter to forget.
 */

/** The host file's `stores`: exactly one of the two. */
export interface PracticeStores {
  readonly postgres?: string;
  readonly sqlite?: string;
}

/** The store of frames the shared port could not route (no practice name starts with `_`). */
export const UNROUTED_STORE = "_unrouted";

/** The `--db` location of the practice `name`'s store. */
export function practiceStore(stores: PracticeStores, name: string): string {
  if (stores.postgres !== undefined) {
    const url = new URL(stores.postgres);
    url.searchParams.set("schema", name.replaceAll("-", "_"));
    return url.toString();
  }
  return join(stores.sqlite ?? ".", `${name}.sqlite`);
}
