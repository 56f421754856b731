import { describe, expect, it } from "vitest";
import { inWindow, nextOpening, retryDelayMs } from "../../engine/delivery/schedule.js";
import type { SendWindow } from "../../engine/pack/delivery-options.js";

/** The retry schedule and the send windows (engine/delivery/schedule.ts). */

describe("retry schedule", () => {
  it("waits initial × factor^(send-1), never more than the cap", () => {
    const schedule = { initialMs: 5000, factor: 2, maxMs: 300_000 };
    expect([1, 2, 3, 4, 7, 8, 20].map((n) => retryDelayMs(schedule, n))).toEqual([
      5000, 10_000, 20_000, 40_000, 300_000, 300_000, 300_000,
    ]);
  });
});

describe("send windows (practice time zone)", () => {
  // Weekdays 08:00-18:00 in Boston (UTC-5 in March before the 8th, UTC-4 after).
  const weekdays: SendWindow[] = [
    { days: new Set(["mon", "tue", "wed", "thu", "fri"]), fromMinute: 480, toMinute: 1080 },
  ];
  const zone = "America/New_York";

  it("open inside, closed outside, by local time", () => {
    expect(inWindow(weekdays, new Date("2026-03-02T14:00:00Z"), zone)).toBe(true); // Mon 09:00
    expect(inWindow(weekdays, new Date("2026-03-02T12:30:00Z"), zone)).toBe(false); // Mon 07:30
    expect(inWindow(weekdays, new Date("2026-03-02T23:00:00Z"), zone)).toBe(false); // Mon 18:00
    expect(inWindow(weekdays, new Date("2026-03-07T15:00:00Z"), zone)).toBe(false); // Sat
  });

  it("no windows: always open", () => {
    expect(inWindow(undefined, new Date("2026-03-07T03:00:00Z"), zone)).toBe(true);
  });

  it("the next opening: Friday evening waits for Monday 08:00, across the DST change", () => {
    expect(nextOpening(weekdays, new Date("2026-03-06T23:30:00Z"), zone)?.toISOString()).toBe(
      "2026-03-09T12:00:00.000Z",
    );
    expect(nextOpening(weekdays, new Date("2026-03-02T12:30:00Z"), zone)?.toISOString()).toBe(
      "2026-03-02T13:00:00.000Z",
    );
  });
});
