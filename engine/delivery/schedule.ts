import { zoneOffset } from "../model/time.js";
import type { RetrySchedule, SendWindow, Weekday } from "../pack/delivery-options.js";

/**
 * When a message may be sent: the retry schedule (exponential backoff with
 * a cap) and the send windows, in the practice's time zone. Pure functions
 * of the instant they are given.
 */

/** The wait after send `send` (1, 2, ...) failed: initial × factor^(send-1), at most max. */
export function retryDelayMs(schedule: RetrySchedule, send: number): number {
  const delay = schedule.initialMs * schedule.factor ** Math.max(0, send - 1);
  return Math.min(delay, schedule.maxMs);
}

const WEEKDAYS: readonly Weekday[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const MINUTE = 60_000;
const DAY = 1440 * MINUTE;

const offsetMs = (utc: number, timeZone: string): number => {
  const o = zoneOffset(utc, timeZone);
  const sign = o.startsWith("-") ? -1 : 1;
  return sign * (Number(o.slice(1, 3)) * 60 + Number(o.slice(4, 6))) * MINUTE;
};

/** The local weekday and minute of the day of an instant. */
function localTime(
  utc: number,
  timeZone: string,
): { day: Weekday; minute: number; midnight: number } {
  const local = utc + offsetMs(utc, timeZone);
  const d = new Date(local);
  return {
    day: WEEKDAYS[d.getUTCDay()] as Weekday,
    minute: d.getUTCHours() * 60 + d.getUTCMinutes(),
    midnight: local - (local % DAY),
  };
}

/** Whether an instant is inside one of the windows (no windows: always). */
export function inWindow(
  windows: readonly SendWindow[] | undefined,
  at: Date,
  timeZone: string,
): boolean {
  if (!windows) return true;
  const t = localTime(at.getTime(), timeZone);
  return windows.some(
    (w) => (!w.days || w.days.has(t.day)) && t.minute >= w.fromMinute && t.minute < w.toMinute,
  );
}

/** The next instant a window opens after `at` (within a week), or undefined when none ever does. */
export function nextOpening(
  windows: readonly SendWindow[],
  at: Date,
  timeZone: string,
): Date | undefined {
  const now = at.getTime();
  const { midnight } = localTime(now, timeZone);
  let best: number | undefined;
  for (let d = 0; d <= 7; d++) {
    for (const w of windows) {
      const local = midnight + d * DAY + w.fromMinute * MINUTE;
      let utc = local - offsetMs(local, timeZone);
      utc = local - offsetMs(utc, timeZone);
      if (utc <= now || (best !== undefined && utc >= best)) continue;
      if (inWindow(windows, new Date(utc), timeZone)) best = utc;
    }
  }
  return best === undefined ? undefined : new Date(best);
}
