import type { FieldType } from "../model/canonical-fields.js";
import { toDate, toDateTime } from "../model/time.js";

/**
 * Conversion of an extracted value to its record field's type
 * (docs/pack-language.md §5.1, "Conversion by target type").
 */
export type Converted =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string };

type Converter = (value: unknown, timeZone: string) => Converted;

const text = (v: unknown) => (typeof v === "string" ? v : String(v));

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
  dateTime: (v, zone) => {
    const dateTime = toDateTime(text(v), zone);
    return dateTime
      ? { ok: true, value: dateTime }
      : { ok: false, reason: `'${text(v)}' is not a date-time to the minute (YYYYMMDDHHMM)` };
  },
  integer: (v) => {
    const t = text(v).trim();
    return /^[+-]?\d+$/.test(t)
      ? { ok: true, value: Number.parseInt(t, 10) }
      : { ok: false, reason: `'${t}' is not a whole number` };
  },
  number: (v) => {
    const t = text(v).trim();
    return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)
      ? { ok: true, value: Number(t) }
      : { ok: false, reason: `'${t}' is not a number` };
  },
  list: (v) => ({ ok: true, value: (Array.isArray(v) ? v : [v]).map(text) }),
};

export function convertValue(type: FieldType, value: unknown, timeZone: string): Converted {
  return CONVERTERS[type](value, timeZone);
}
