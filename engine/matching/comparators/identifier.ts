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
