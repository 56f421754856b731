import { oneTypo } from "./identifier.js";
import { normalizeText } from "./normalize.js";
import type { Comparator, Level } from "./types.js";
import { compareRaw } from "./types.js";

/**
 * A date of birth: equal = agree; two adjacent digits swapped (even into a
 * date no calendar has: 1933-30-16 for 1933-03-16), day and month
 * transposed, exactly one digit different, or the year one apart with the
 * same month and day = partial; anything else = disagree. Two unequal dates
 * of which one has no calendar month or day (1918-90-87, a corrupted entry)
 * and that are not two swapped digits apart are missing: they say nothing. A value that is not 8 digits is compared as text, equal or not.
 */
export const dateComparator: Comparator<string> = {
  prepare(raw) {
    const digits = raw.replace(/\D/g, "");
    if (digits.length === 8) return /^0+$/.test(digits) ? undefined : digits;
    return normalizeText(raw) || undefined;
  },
  compare(a, b): Level {
    if (a === b) return "agree";
    if (a.length !== 8 || b.length !== 8 || !/^\d{8}$/.test(a) || !/^\d{8}$/.test(b)) {
      return "disagree";
    }
    // Two adjacent digits swapped (19330316 and 19333016): a typing error,
    // even when it made a date no calendar has.
    if (oneTypo(a, b) && differing(a, b) === 2) return "partial";
    // Otherwise a date no calendar has (month 90, day 37) is a corrupted value: it says nothing.
    if (!isCalendarDate(a) || !isCalendarDate(b)) return "missing";
    if (differing(a, b) === 1) return "partial";
    const sameYear = a.slice(0, 4) === b.slice(0, 4);
    if (sameYear && a.slice(4, 6) === b.slice(6, 8) && a.slice(6, 8) === b.slice(4, 6)) {
      return "partial";
    }
    if (
      a.slice(4) === b.slice(4) &&
      Math.abs(Number(a.slice(0, 4)) - Number(b.slice(0, 4))) === 1
    ) {
      return "partial";
    }
    return "disagree";
  },
};

/** How many of the positions of two equally long strings differ. */
function differing(a: string, b: string): number {
  let count = 0;
  for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) count++;
  return count;
}

/** YYYYMMDD with a month 01-12 and a day 01-31. */
function isCalendarDate(digits: string): boolean {
  const month = Number(digits.slice(4, 6));
  const day = Number(digits.slice(6, 8));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** One call: two raw dates (YYYY-MM-DD or YYYYMMDD). */
export function compareDates(a: string | null | undefined, b: string | null | undefined): Level {
  return compareRaw(dateComparator, a, b);
}
