import { randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Signed-in sessions and sign-in lock-out, in the server's memory (a
 * restart signs everyone out). A session is a random ID in an HttpOnly,
 * SameSite=Strict cookie and a CSRF token every change must send back; it
 * ends at sign-out or after `idleMs` without a request. Failed sign-ins
 * are counted per user name: after `maxFailures` in a row the name is
 * locked for `lockMs`, whatever password comes. Time is the server's
 * clock, passed in.
 */

export interface Session {
  readonly id: string;
  readonly user: string;
  readonly csrf: string;
  lastSeen: number;
}

export interface SessionOptions {
  readonly clock: () => Date;
  readonly idleMs?: number;
  readonly maxFailures?: number;
  readonly lockMs?: number;
}

export const DEFAULT_IDLE_MS = 8 * 3_600_000;
export const DEFAULT_MAX_FAILURES = 5;
export const DEFAULT_LOCK_MS = 15 * 60_000;

export interface Sessions {
  open(user: string): Session;
  /** The live session of this cookie value (its idle time restarted), if any. */
  find(id: string | undefined): Session | undefined;
  close(id: string): void;
  /** Every session of the user ends (removed, password changed). */
  closeUser(user: string): void;
  /** Until when the name is locked (ms since the epoch), if it is now. */
  lockedUntil(user: string): number | undefined;
  failed(user: string): void;
  succeeded(user: string): void;
  unlock(user: string): void;
}

const random = (): string => randomBytes(32).toString("base64url");

export function createSessions(options: SessionOptions): Sessions {
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  const maxFailures = options.maxFailures ?? DEFAULT_MAX_FAILURES;
  const lockMs = options.lockMs ?? DEFAULT_LOCK_MS;
  const now = () => options.clock().getTime();
  const sessions = new Map<string, Session>();
  const failures = new Map<string, { count: number; lockedUntil?: number }>();
  return {
    open(user) {
      const session: Session = { id: random(), user, csrf: random(), lastSeen: now() };
      sessions.set(session.id, session);
      return session;
    },
    find(id) {
      const session = id === undefined ? undefined : sessions.get(id);
      if (!session) return undefined;
      if (now() - session.lastSeen > idleMs) {
        sessions.delete(session.id);
        return undefined;
      }
      session.lastSeen = now();
      return session;
    },
    close(id) {
      sessions.delete(id);
    },
    closeUser(user) {
      for (const [id, s] of sessions) if (s.user === user) sessions.delete(id);
    },
    lockedUntil(user) {
      const until = failures.get(user)?.lockedUntil;
      return until !== undefined && until > now() ? until : undefined;
    },
    failed(user) {
      const entry = failures.get(user) ?? { count: 0 };
      if (entry.lockedUntil !== undefined && entry.lockedUntil <= now()) entry.count = 0;
      entry.count += 1;
      if (entry.count >= maxFailures) entry.lockedUntil = now() + lockMs;
      failures.set(user, entry);
    },
    succeeded(user) {
      failures.delete(user);
    },
    unlock(user) {
      failures.delete(user);
    },
  };
}

/** Whether the CSRF token sent is the session's (constant time). */
export function csrfMatches(session: Session, sent: unknown): boolean {
  if (typeof sent !== "string") return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The cookie header's value of `name`. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name)
      return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export const SESSION_COOKIE = "rulepack_session";

/** The Set-Cookie value opening (or, with an empty id, ending) the session. */
export function sessionCookie(id: string, secure: boolean): string {
  const parts = [
    `${SESSION_COOKIE}=${id}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    ...(id === "" ? ["Max-Age=0"] : []),
    ...(secure ? ["Secure"] : []),
  ];
  return parts.join("; ");
}
