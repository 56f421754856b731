import { describe, expect, it } from "vitest";
import { localDay, offsetAt, zoneOffset } from "../../engine/model/time.js";

const formats = new Map<string, Intl.DateTimeFormat>();

/** The offset as Intl states it for one instant, computed afresh (no cache). */
function reference(utcMillis: number, timeZone: string): string {
  const format =
    formats.get(timeZone) ??
    new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" });
  formats.set(timeZone, format);
  const name =
    format.formatToParts(utcMillis).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const m = /GMT([+-]\d{2}):?(\d{2})?/.exec(name);
  return m ? `${m[1]}:${m[2] ?? "00"}` : "+00:00";
}

const MINUTE = 60_000;
/** Zones with whole-hour, half-hour and 45-minute offsets and DST steps of 30 and 60 minutes. */
const ZONES = [
  "America/New_York",
  "America/St_Johns",
  "Europe/London",
  "Australia/Lord_Howe",
  "Asia/Kathmandu",
  "UTC",
];
/** Days around 2026's transitions (both hemispheres), and a day without one. */
const DAYS = ["2026-03-08", "2026-03-29", "2026-04-05", "2026-10-04", "2026-11-01", "2026-06-15"];

describe("zoneOffset, cached by the hour", () => {
  it("equals Intl's offset at every 15 minutes (and a second before each hour) of days with and without a transition", () => {
    for (const zone of ZONES) {
      for (const day of DAYS) {
        const start = Date.parse(`${day}T00:00:00Z`) - 14 * 60 * MINUTE;
        for (let t = start; t < start + 52 * 60 * MINUTE; t += 15 * MINUTE) {
          expect(zoneOffset(t, zone), `${zone} ${new Date(t).toISOString()}`).toBe(
            reference(t, zone),
          );
          expect(zoneOffset(t - 1000, zone)).toBe(reference(t - 1000, zone));
        }
      }
    }
  });

  it("the conversions built on it say the same: the offset of a local time, the local day", () => {
    expect(offsetAt("2026-03-08T01:30:00", "America/New_York")).toBe("-05:00");
    expect(offsetAt("2026-03-08T03:30:00", "America/New_York")).toBe("-04:00");
    expect(localDay("2026-03-12T03:30:00Z", "America/New_York")).toBe("2026-03-11");
    expect(localDay("2026-03-12T05:30:00Z", "America/New_York")).toBe("2026-03-12");
  });
});
