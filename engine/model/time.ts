/**
 * HL7 timestamps (TS/DTM: YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ]) to the
 * canonical forms: dates `YYYY-MM-DD`, date-times ISO-8601 with an offset —
 * the message's own when it has one, else the practice time zone's offset
 * at that local time.
 */
const TS = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.\d{1,4})?([+-]\d{4})?$/;

export interface HL7Timestamp {
  readonly year: number;
  readonly month?: number;
  readonly day?: number;
  readonly hour?: number;
  readonly minute?: number;
  readonly second?: number;
  /** `+HH:MM` / `-HH:MM` when the value carried one. */
  readonly offset?: string;
}

export function parseTimestamp(text: string): HL7Timestamp | undefined {
  const m = TS.exec(text.trim());
  if (!m) return undefined;
  const n = (i: number) => (m[i] === undefined ? undefined : Number(m[i]));
  const ts = {
    year: Number(m[1]),
    ...(n(2) !== undefined && { month: n(2) }),
    ...(n(3) !== undefined && { day: n(3) }),
    ...(n(4) !== undefined && { hour: n(4) }),
    ...(n(5) !== undefined && { minute: n(5) }),
    ...(n(6) !== undefined && { second: n(6) }),
    ...(m[7] && { offset: `${m[7].slice(0, 3)}:${m[7].slice(3)}` }),
  };
  if (!validParts(ts)) return undefined;
  return ts;
}

function validParts(t: HL7Timestamp): boolean {
  if (t.month !== undefined && (t.month < 1 || t.month > 12)) return false;
  if (t.day !== undefined) {
    const days = new Date(Date.UTC(t.year, t.month ?? 1, 0)).getUTCDate();
    if (t.day < 1 || t.day > days) return false;
  }
  if (t.hour !== undefined && t.hour > 23) return false;
  if (t.minute !== undefined && t.minute > 59) return false;
  if (t.second !== undefined && t.second > 59) return false;
  return true;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * `YYYY-MM-DD` as written, or undefined when the value is not a full date.
 * A calendar date (a date of birth) keeps its day whatever time and offset
 * follow it: `19800214233000-0800` is 1980-02-14.
 */
export function toDate(text: string): string | undefined {
  const t = parseTimestamp(text);
  if (!t || t.month === undefined || t.day === undefined) return undefined;
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}`;
}

/**
 * The day of a service, `YYYY-MM-DD`, or undefined when the value is not a
 * full date. A value with a time and an offset is an instant: its day is
 * the calendar day in `timeZone` (the practice's), not the day the offset
 * writes (`202603110300+0000` is 2026-03-10 in America/New_York). Without
 * an offset, or without a time, the day is the one written.
 */
export function toServiceDate(text: string, timeZone: string): string | undefined {
  const date = toDate(text);
  const t = parseTimestamp(text);
  if (!date || !t || t.offset === undefined || t.hour === undefined) return date;
  const wall = `${date}T${pad(t.hour)}:${pad(t.minute ?? 0)}:${pad(t.second ?? 0)}${t.offset}`;
  return localDay(wall, timeZone);
}

/** ISO-8601 with an offset, or undefined below minute precision. */
export function toDateTime(text: string, timeZone: string): string | undefined {
  const t = parseTimestamp(text);
  if (
    !t ||
    t.day === undefined ||
    t.month === undefined ||
    t.hour === undefined ||
    t.minute === undefined
  ) {
    return undefined;
  }
  const local = `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second ?? 0)}`;
  return `${local}${t.offset ?? offsetAt(local, timeZone)}`;
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The offset Intl gives for one instant (formatToParts: microseconds a call). */
function formattedOffset(utcMillis: number, timeZone: string): string {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" });
    offsetFormats.set(timeZone, format);
  }
  const name =
    format.formatToParts(utcMillis).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const m = /GMT([+-]\d{2}):?(\d{2})?/.exec(name);
  return m ? `${m[1]}:${m[2] ?? "00"}` : "+00:00";
}

const HOUR_MS = 3_600_000;
/**
 * By zone and UTC hour: the offset in force for the whole hour, or null when
 * it changes within it (a transition). An hour whose first and last
 * millisecond have the same offset has it throughout: no zone changes its
 * offset twice within an hour. Bounded: cleared when full.
 */
const offsetsByHour = new Map<string, string | null>();
const MAX_CACHED_HOURS = 4096;

/** The zone's UTC offset in force at instant `utcMillis`, as `+HH:MM`. */
export function zoneOffset(utcMillis: number, timeZone: string): string {
  const hour = Math.floor(utcMillis / HOUR_MS);
  const key = `${timeZone}\u0000${hour}`;
  let whole = offsetsByHour.get(key);
  if (whole === undefined) {
    const first = formattedOffset(hour * HOUR_MS, timeZone);
    whole = first === formattedOffset(hour * HOUR_MS + HOUR_MS - 1, timeZone) ? first : null;
    if (offsetsByHour.size >= MAX_CACHED_HOURS) offsetsByHour.clear();
    offsetsByHour.set(key, whole);
  }
  return whole ?? formattedOffset(utcMillis, timeZone);
}

function offsetMinutes(offset: string): number {
  const sign = offset.startsWith("-") ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
}

/** The offset of a local wall time in a zone (two passes settle DST edges). */
export function offsetAt(localIso: string, timeZone: string): string {
  const wall = Date.parse(`${localIso}Z`);
  let offset = zoneOffset(wall, timeZone);
  offset = zoneOffset(wall - offsetMinutes(offset) * 60_000, timeZone);
  return offset;
}

/** The calendar day (YYYY-MM-DD) of an instant in a zone. */
export function localDay(instant: Date | string, timeZone: string): string {
  const millis = typeof instant === "string" ? Date.parse(instant) : instant.getTime();
  const offset = zoneOffset(millis, timeZone);
  return new Date(millis + offsetMinutes(offset) * 60_000).toISOString().slice(0, 10);
}
