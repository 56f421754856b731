import pg from "pg";
import { isPostgresUrl, openPostgresStore, splitSchema } from "./postgres.js";
import { openSqliteStore } from "./sqlite.js";
import type { Store } from "./types.js";

/**
 * The one place a store location (`--db`) becomes a store: a
 * `postgres://` or `postgresql://` URL opens the PostgreSQL store, anything
 * else is a SQLite file (`:memory:` included).
 */

/** The `--db` default of the commands. */
export const DEFAULT_STORE_FILE = "rulepack.sqlite";

export interface OpenStoreOptions {
  /** Create the store when it does not exist (default true). */
  readonly create?: boolean;
}

export function openStore(location: string, options: OpenStoreOptions = {}): Store {
  if (isPostgresUrl(location)) {
    return openPostgresStore(location, { createDatabase: options.create ?? true });
  }
  return openSqliteStore(location);
}

/**
 * `--db` as the command received it. RULEPACK_DB applies only when `--db`
 * is not given at all (`withStoreFromEnvironment` puts it in before the
 * command parses its options), so an explicit `--db rulepack.sqlite` is
 * never replaced. Kept for the commands that call it; `env` is not read.
 */
export function storeLocation(
  db: string,
  _env: Readonly<Record<string, string | undefined>>,
): string {
  return db;
}

/** Whether the arguments give `--db` (`--db X` or `--db=X`), before a `--`. */
function dbGiven(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--") return undefined;
    if (arg === "--db") return args[i + 1] ?? "";
    if (arg.startsWith("--db=")) return arg.slice("--db=".length);
  }
  return undefined;
}

/**
 * The arguments of a command that takes `--db`, with `--db RULEPACK_DB`
 * added when `--db` is not given and RULEPACK_DB is set (not empty): every
 * command then sees one location, whichever way it was given.
 */
export function withStoreFromEnvironment(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const fromEnv = env.RULEPACK_DB;
  if (fromEnv === undefined || fromEnv === "" || dbGiven(args) !== undefined) return [...args];
  const end = args.indexOf("--");
  return end < 0
    ? [...args, "--db", fromEnv]
    : [...args.slice(0, end), "--db", fromEnv, ...args.slice(end)];
}

/** The URL with its password left out, for messages. */
export function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}

/**
 * Why the store the arguments give cannot be opened, found before the
 * command runs: a PostgreSQL URL that does not parse, or a server that
 * refuses the connection (unreachable, wrong user or password). A database
 * that does not exist yet is no problem here (the commands that create one
 * do; the others say so). Undefined for a SQLite file or a good URL.
 */
export async function storeOpenProblem(args: readonly string[]): Promise<string | undefined> {
  const location = dbGiven(args);
  if (location === undefined || !isPostgresUrl(location)) return undefined;
  let connectionString: string;
  try {
    connectionString = splitSchema(location).connectionString;
  } catch {
    return `--db ${redacted(location)} is not a valid PostgreSQL URL`;
  }
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 15_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    return undefined;
  } catch (e) {
    if ((e as { code?: string }).code === "3D000") return undefined; // the database does not exist yet
    const reason = e instanceof Error ? e.message : String(e);
    return `cannot open the PostgreSQL store ${redacted(location)}: ${reason || (e as { code?: string }).code || "connection failed"}`;
  } finally {
    await client.end().catch(() => {});
  }
}

export { isPostgresUrl };
