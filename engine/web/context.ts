import type { CompiledPack } from "../pack/compiled.js";
import type { QueueSummary, Store } from "../store/types.js";
import type { ListenerTimings } from "./listener-timings.js";
import type { WebMetrics } from "./metrics.js";
import type { Role } from "./permissions.js";
import type { Session, Sessions } from "./sessions.js";
import type { TokenEntry, UsersFile } from "./users.js";

/** What the web app works with: the practice's pack and store, users, the server's clock. */
export interface WebOptions {
  readonly store: Store;
  /** The practice's pack.yaml (mapping rows are written beside it). */
  readonly packFile: string;
  /** The pack as loaded now. */
  readonly pack: () => CompiledPack;
  /** Load the pack, its tables and master data again (after a mapping row is written). */
  readonly reload: () => Promise<void>;
  /** The users file (`users.yaml`): read at each request, so `rulepack user` takes effect at once. */
  readonly usersFile: string;
  /** The server's clock: sessions, lock-out, every attempt's time. */
  readonly clock: () => Date;
  /** Served over TLS: the session cookie is Secure. */
  readonly secure?: boolean;
  /** Whether the MLLP listener runs (and is listening), for /healthz; absent when there is none. */
  readonly listener?: () => boolean;
  /** Whether the outbound sender runs, for /healthz; absent (or undefined) when the pack sends nothing. */
  readonly sender?: () => boolean | undefined;
  /**
   * Run a piece of processing between the listener's frames (its lane), so
   * HTTP input and MLLP frames keep one order; the app's own queue without.
   */
  readonly between?: <T>(task: () => Promise<T>) => Promise<T>;
  /** The listener's processing times, observed by /metrics (kind="mllp"); absent without one. */
  readonly listenerTimings?: ListenerTimings;
  /** Rulepack's version, for the OpenAPI document. */
  readonly version?: string;
  /** Sign-in lock-out and session idle time (sessions.ts); defaults when absent. */
  readonly sessionOptions?: {
    readonly idleMs?: number;
    readonly maxFailures?: number;
    readonly lockMs?: number;
  };
}

/** Who sent a request. */
export type Identity =
  | {
      readonly kind: "person";
      readonly user: string;
      readonly roles: ReadonlySet<Role>;
      readonly session: Session;
    }
  | { readonly kind: "token"; readonly token: TokenEntry };

export interface WebContext extends WebOptions {
  readonly sessions: Sessions;
  readonly metrics: WebMetrics;
  /** The users file as it is now (empty when it does not exist). */
  readonly users: () => UsersFile;
  /**
   * The queue's counts per state and ages, kept for a few seconds by the
   * server's clock (the list's counts cost a scan of the queue; the page
   * refreshes itself); forgotten after every change made here.
   */
  readonly summary: () => Promise<QueueSummary>;
  readonly forgetSummary: () => void;
  /** Process input one piece at a time (uploads, HTTP messages, reprocessing): receipt order holds. */
  readonly serially: <T>(work: () => Promise<T>) => Promise<T>;
}

/** An error as the API answers it: a code and a message a person understands. */
export interface ApiError {
  readonly error: { readonly code: string; readonly message: string };
}

export const apiError = (code: string, message: string): ApiError => ({
  error: { code, message },
});

/** The JSON schema of an ApiError, for route responses. */
export const API_ERROR_SCHEMA = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" } },
    },
  },
} as const;
