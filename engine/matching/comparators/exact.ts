import { NORMALIZERS, type NormalizerName } from "./normalize.js";
import type { Comparator, Level } from "./types.js";
import { compareRaw } from "./types.js";

/**
 * Equal after normalization (`digits` for an SSN, `initial` for a middle
 * name, `last10` for a phone, `text` otherwise) = agree, else disagree.
 */
export function exactComparator(normalize: NormalizerName = "text"): Comparator<string> {
  const fn = NORMALIZERS[normalize];
  return {
    prepare: (raw) => fn(raw) || undefined,
    compare: (a, b) => (a === b ? "agree" : "disagree"),
  };
}

const BY_NORMALIZER = new Map<NormalizerName, Comparator<string>>();

/** One call: two raw values, exactly compared after `normalize`. */
export function exact(
  a: string | null | undefined,
  b: string | null | undefined,
  normalize: NormalizerName = "text",
): Level {
  let comparator = BY_NORMALIZER.get(normalize);
  if (comparator === undefined) {
    comparator = exactComparator(normalize);
    BY_NORMALIZER.set(normalize, comparator);
  }
  return compareRaw(comparator, a, b);
}
