import { createHash, randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import { isRole, isTokenScope, type Role, type TokenScope } from "./permissions.js";

/**
 * The operator's file of people and machine clients (`users.yaml`): each
 * user's name, scrypt password hash and roles per practice (keyed by the
 * pack's id; `"*"` for every practice on the host), and each API token's
 * SHA-256, practice and scopes. Passwords and tokens are never stored:
 * `rulepack user add|passwd|remove` and `rulepack token add` write it,
 * `rulepack serve --http` reads it.
 */

export interface UserEntry {
  readonly name: string;
  /** `scrypt$N$r$p$SALT$HASH` (base64). */
  readonly password: string;
  readonly roles: Readonly<Record<string, readonly Role[]>>;
}

export interface TokenEntry {
  readonly name: string;
  /** SHA-256 (hex) of the token: a random 32-byte secret needs no slow hash. */
  readonly sha256: string;
  readonly practice: string;
  readonly scopes: readonly TokenScope[];
}

export interface UsersFile {
  readonly users: readonly UserEntry[];
  readonly tokens: readonly TokenEntry[];
}

export type UsersRead =
  | { readonly ok: true; readonly file: UsersFile }
  | { readonly ok: false; readonly message: string };

const SCRYPT = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

/** A password's stored form: scrypt with a fresh 16-byte salt. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, KEY_LENGTH, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

/** Whether `password` is the one `stored` was made from (constant time). */
export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const actual = scryptSync(password, Buffer.from(salt, "base64"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A new API token: shown once, stored as its SHA-256. */
export function newToken(): string {
  return `rpk_${randomBytes(32).toString("base64url")}`;
}

export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A fixed-cost comparison of a token against every stored hash. */
export function findToken(file: UsersFile, token: string): TokenEntry | undefined {
  const given = Buffer.from(tokenHash(token), "hex");
  let found: TokenEntry | undefined;
  for (const t of file.tokens) {
    const stored = Buffer.from(t.sha256, "hex");
    if (stored.length === given.length && timingSafeEqual(stored, given)) found = t;
  }
  return found;
}

/** The roles `user` holds for `practice` (its own entry and `"*"`'s). */
export function rolesFor(user: UserEntry, practice: string): ReadonlySet<Role> {
  return new Set([...(user.roles[practice] ?? []), ...(user.roles["*"] ?? [])]);
}

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;

/** The file, or an empty one when it does not exist yet. */
export function readUsers(path: string): UsersRead {
  if (!existsSync(path)) return { ok: true, file: { users: [], tokens: [] } };
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8"));
  } catch (e) {
    return { ok: false, message: `${path}: not YAML: ${e instanceof Error ? e.message : e}` };
  }
  const root = asRecord(doc ?? {});
  if (!root) return { ok: false, message: `${path}: expected a mapping with users: and tokens:` };
  const users: UserEntry[] = [];
  for (const [i, raw] of ((root.users as unknown[] | undefined) ?? []).entries()) {
    const u = asRecord(raw);
    const roles = asRecord(u?.roles) ?? {};
    const where = `${path}: users[${i}]`;
    if (!u || typeof u.name !== "string" || typeof u.password !== "string")
      return { ok: false, message: `${where}: needs name and password` };
    const byPractice: Record<string, Role[]> = {};
    for (const [practice, list] of Object.entries(roles)) {
      const names = Array.isArray(list) ? list.map(String) : [];
      const unknown = names.find((r) => !isRole(r));
      if (unknown !== undefined)
        return { ok: false, message: `${where}: unknown role '${unknown}' for ${practice}` };
      byPractice[practice] = names as Role[];
    }
    users.push({ name: u.name, password: u.password, roles: byPractice });
  }
  const tokens: TokenEntry[] = [];
  for (const [i, raw] of ((root.tokens as unknown[] | undefined) ?? []).entries()) {
    const t = asRecord(raw);
    const scopes = Array.isArray(t?.scopes) ? t.scopes.map(String) : [];
    if (
      !t ||
      typeof t.name !== "string" ||
      typeof t.sha256 !== "string" ||
      typeof t.practice !== "string" ||
      !scopes.every(isTokenScope)
    )
      return { ok: false, message: `${path}: tokens[${i}]: needs name, sha256, practice, scopes` };
    tokens.push({ name: t.name, sha256: t.sha256, practice: t.practice, scopes });
  }
  return { ok: true, file: { users, tokens } };
}

/** Write the whole file (through a temporary file, so a reader never sees half of it). */
export function writeUsers(path: string, file: UsersFile): void {
  const text = `# Rulepack users and API tokens (rulepack user / rulepack token); hashes only.\n${stringify(
    { users: file.users, tokens: file.tokens },
  )}`;
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  renameSync(temporary, path);
}
