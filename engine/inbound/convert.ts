import type { FieldType } from "../model/canonical-fields.js";
import { toDate, toDateTime, toServiceDate } from "../model/time.js";

/**
 * Conversion of an extracted value to its record field's type
 * (docs/pack-language.md §5.1, "Conversion by target type").
 */
export type Converted =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string };

type Converter = (value: unknown, timeZone: string) => Converted;

const text = (v: unknown) => (typeof v === "string" ? v : String(v));

const WHOLE = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;
/** HL7's SI (sequence ID) is at most four digits. */
const MAX_SET_ID = 9999;

/** A value quoted in a reason: a 400-digit number is shown by its start and length. */
function brief(t: string): string {
  return t.length > 24 ? `${t.slice(0, 20)}... (${t.length} characters)` : t;
}

/**
 * Numbers are JavaScript doubles: past 2^53 - 1 they are no longer exact
 * (99999999999999999999 was stored as 1e20) and 400 digits are Infinity.
 */
function beyondSafe(t: string): Converted {
  return {
    ok: false,
    reason: `'${brief(t)}' is beyond ±${Number.MAX_SAFE_INTEGER} (2^53 - 1), the largest number stored exactly`,
  };
}

const CONVERTERS: Readonly<Record<FieldType, Converter>> = {
  string: (v) => ({ ok: true, value: text(v) }),
  code: (v) => ({ ok: true, value: text(v) }),
  boolean: (v) => {
    if (typeof v === "boolean") return { ok: true, value: v };
    const t = text(v).toUpperCase();
    if (["Y", "YES", "TRUE", "1"].includes(t)) return { ok: true, value: true };
    if (["N", "NO", "FALSE", "0"].includes(t)) return { ok: true, value: false };
    return { ok: false, reason: `'${text(v)}' is not a yes/no value` };
  },
  date: (v) => {
    const date = toDate(text(v));
    return date
      ? { ok: true, value: date }
      : { ok: false, reason: `'${text(v)}' is not a full date (YYYYMMDD)` };
  },
  serviceDate: (v, zone) => {
    const date = toServiceDate(text(v), zone);
    return date
      ? { ok: true, value: date }
      : { ok: false, reason: `'${text(v)}' is not a full date (YYYYMMDD)` };
  },
  dateTime: (v, zone) => {
    const dateTime = toDateTime(text(v), zone);
    return dateTime
      ? { ok: true, value: dateTime }
      : { ok: false, reason: `'${text(v)}' is not a date-time to the minute (YYYYMMDDHHMM)` };
  },
  integer: (v) => {
    const t = text(v).trim();
    if (!WHOLE.test(t)) return { ok: false, reason: `'${t}' is not a whole number` };
    const value = Number.parseInt(t, 10);
    return Number.isSafeInteger(value) ? { ok: true, value } : beyondSafe(t);
  },
  number: (v) => {
    const t = text(v).trim();
    if (!DECIMAL.test(t)) return { ok: false, reason: `'${t}' is not a number` };
    const value = Number(t);
    return Math.abs(value) <= Number.MAX_SAFE_INTEGER ? { ok: true, value } : beyondSafe(t);
  },
  setId: (v) => {
    const t = text(v).trim();
    const value = WHOLE.test(t) ? Number.parseInt(t, 10) : Number.NaN;
    return value >= 1 && value <= MAX_SET_ID
      ? { ok: true, value }
      : {
          ok: false,
          reason: `'${brief(t)}' is not a set ID (SI): a whole number from 1 to ${MAX_SET_ID}`,
        };
  },
  list: (v) => ({ ok: true, value: (Array.isArray(v) ? v : [v]).map(text) }),
};

export function convertValue(type: FieldType, value: unknown, timeZone: string): Converted {
  return CONVERTERS[type](value, timeZone);
}
