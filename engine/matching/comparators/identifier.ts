import { NORMALIZERS, type NormalizerName } from "./normalize.js";
import type { Comparator, Level } from "./types.js";
import { compareRaw } from "./types.js";

/**
 * A number typed by hand (SSN, phone): equal after normalization = agree;
 * the same length with one digit different, or two adjacent digits
 * transposed = partial (a typing error); anything else = disagree.
 */
export function identifierComparator(normalize: NormalizerName = "digits"): Comparator<string> {
  const fn = NORMALIZERS[normalize];
  return {
    prepare: (raw) => fn(raw) || undefined,
    compare: (a, b) => (a === b ? "agree" : oneTypo(a, b) ? "partial" : "disagree"),
  };
}

/** One substituted character, or one pair of adjacent characters swapped. */
export function oneTypo(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let first = -1;
  let count = 0;
  for (let i = 0; i < a.length; i++) {
    if (a.charCodeAt(i) === b.charCodeAt(i)) continue;
    if (++count > 2) return false;
    if (first < 0) first = i;
  }
  if (count === 1) return true;
  return (
    count === 2 &&
    a.charCodeAt(first) === b.charCodeAt(first + 1) &&
    a.charCodeAt(first + 1) === b.charCodeAt(first)
  );
}

/** One call: two raw identifiers. */
export function identifier(
  a: string | null | undefined,
  b: string | null | undefined,
  normalize: NormalizerName = "digits",
): Level {
  return compareRaw(identifierComparator(normalize), a, b);
}

/**
 * Whether two strings are at most `limit` edits apart (optimal string
 * alignment: a substitution, an insertion, a deletion, or two adjacent
 * characters swapped, each one edit).
 */
export function withinEdits(a: string, b: string, limit: number): boolean {
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > limit) return false;
  let before = new Array<number>(lb + 1);
  let previous = Array.from({ length: lb + 1 }, (_, j) => j);
  for (let i = 1; i <= la; i++) {
    const row = new Array<number>(lb + 1);
    row[0] = i;
    let least = i;
    for (let j = 1; j <= lb; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min(
        (previous[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      ) {
        d = Math.min(d, (before[j - 2] as number) + 1);
      }
      row[j] = d;
      if (d < least) least = d;
    }
    if (least > limit) return false;
    before = previous;
    previous = row;
  }
  return (previous[lb] as number) <= limit;
}
