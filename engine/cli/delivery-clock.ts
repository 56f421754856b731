import { setTimeout as delay } from "node:timers/promises";
import type { DeliveryClock } from "../delivery/clock.js";

/** The wall clock and real timers for the sender (the CLI is where the clock is read). */
export const realDeliveryClock: DeliveryClock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    signal?.aborted
      ? Promise.resolve()
      : delay(Math.max(0, ms), undefined, signal ? { signal } : {}).catch(() => undefined),
};
