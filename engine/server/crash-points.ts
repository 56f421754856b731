import type { Store } from "../store/types.js";

/**
 * TEST ONLY: fixed points at which the listener kills itself with SIGKILL,
 * for the kill-and-restart test (test/server/kill-restart.test.ts).
 * `RULEPACK_CRASH_AT=POINT[@N]` (read once when `rulepack serve` starts)
 * kills the process the Nth time (default the first) it reaches POINT:
 *
 * - `after-store`: the message's NEW row is committed, nothing processed;
 * - `processing`: the attempt is marked begun (store.beginAttempt, or with
 *   the NEW row, `receive`'s attemptAt: then right after `after-store`), the
 *   message is being decided: dying here twice makes it a poison message;
 * - `after-process`: its outcome and ACK are committed, no ACK written yet;
 * - `before-ack`: the ACK is built and about to be written to the socket.
 *
 * Never set it in production: the process dies without a drain.
 */

export const CRASH_POINTS = ["after-store", "processing", "after-process", "before-ack"] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export interface CrashPlan {
  readonly point: CrashPoint;
  /** The occurrence (1, 2, ...) that kills the process. */
  readonly at: number;
}

export type CrashPlanResult =
  | { readonly ok: true; readonly plan?: CrashPlan }
  | { readonly ok: false; readonly message: string };

export function parseCrashPlan(value: string | undefined): CrashPlanResult {
  if (value === undefined || value === "") return { ok: true };
  const m = /^([a-z-]+)(?:@(\d+))?$/.exec(value);
  const point = CRASH_POINTS.find((p) => p === m?.[1]);
  const at = Number(m?.[2] ?? "1");
  if (!point || at < 1) {
    return {
      ok: false,
      message: `RULEPACK_CRASH_AT='${value}': expected ${CRASH_POINTS.join("|")}, optionally @N (N >= 1)`,
    };
  }
  return { ok: true, plan: { point, at } };
}

export type CrashHook = (point: CrashPoint) => void;

/** A hook that kills this process when the plan's point is reached for the planned time. */
export function crashHook(plan: CrashPlan, kill: () => void = killNow): CrashHook {
  let reached = 0;
  return (point) => {
    if (point !== plan.point) return;
    reached += 1;
    if (reached === plan.at) kill();
  };
}

function killNow(): void {
  process.kill(process.pid, "SIGKILL");
}

/**
 * The store, reporting `after-store` after each `receive` (then
 * `processing` when its attempt was begun in that commit), `processing`
 * after each `beginAttempt` and `after-process` after each `complete`;
 * after `receiveMany`, each message's as after `receive`.
 */
export function storeWithCrashPoints(store: Store, hook: CrashHook): Store {
  return Object.create(store, {
    receive: {
      value: async (...args: Parameters<Store["receive"]>) => {
        const id = await store.receive(...args);
        hook("after-store");
        if (args[1]?.attemptAt !== undefined) hook("processing");
        return id;
      },
    },
    receiveMany: {
      value: async (...args: Parameters<Store["receiveMany"]>) => {
        const ids = await store.receiveMany(...args);
        for (const receipt of args[0]) {
          hook("after-store");
          if (receipt.attemptAt !== undefined) hook("processing");
        }
        return ids;
      },
    },
    beginAttempt: {
      value: async (...args: Parameters<Store["beginAttempt"]>) => {
        await store.beginAttempt(...args);
        hook("processing");
      },
    },
    complete: {
      value: async (...args: Parameters<Store["complete"]>) => {
        await store.complete(...args);
        hook("after-process");
      },
    },
  }) as Store;
}
