import { normalizeText } from "./normalize.js";
import type { Comparator, Compared, Level } from "./types.js";
import { compareRaw } from "./types.js";

/**
 * A date of birth: equal = agree; day and month transposed, exactly one
 * digit different, or the year one apart with the same month and day =
 * partial; anything else = disagree. A value that is not 8 digits
 * (YYYY-MM-DD or YYYYMMDD, valid or not) is compared as text, equal or not.
 */
export const dateComparator: Comparator<string> = {
  prepare(raw) {
    const digits = raw.replace(/\D/g, "");
    if (digits.length === 8) return /^0+$/.test(digits) ? undefined : digits;
    return normalizeText(raw) || undefined;
  },
  compare(a, b): Compared {
    if (a === b) return "agree";
    if (a.length !== 8 || b.length !== 8 || !/^\d{8}$/.test(a) || !/^\d{8}$/.test(b)) {
      return "disagree";
    }
    let differing = 0;
    for (let i = 0; i < 8; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) differing++;
    if (differing === 1) return "partial";
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

/** One call: two raw dates (YYYY-MM-DD or YYYYMMDD). */
export function compareDates(a: string | null | undefined, b: string | null | undefined): Level {
  return compareRaw(dateComparator, a, b);
}
