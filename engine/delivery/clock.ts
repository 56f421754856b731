/**
 * The sender's clock and timers, injected (test/architecture/clock.test.ts:
 * only the CLI and the listener read the wall clock). `sleep` resolves
 * after `ms`, or at once when `signal` aborts.
 */
export interface DeliveryClock {
  now(): Date;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
