/**
 * What a comparator says about two values. `missing` (either side has no
 * value) weighs 0 in the scorer; the other three weigh the field's agree,
 * partial and disagree weights.
 */
export type Level = "agree" | "partial" | "disagree" | "missing";

/** The level of two values that are both present. */
export type Compared = Exclude<Level, "missing">;

/**
 * A comparator in two steps, so the scorer normalizes each record once and
 * compares the prepared forms many times.
 */
export interface Comparator<P> {
  /** The prepared form of a raw value; `undefined` when there is no value (missing). */
  prepare(raw: string): P | undefined;
  /** Compares two prepared values; `missing` when a value turns out to say nothing (a date with month 90). */
  compare(a: P, b: P): Level;
}

/** One call: prepare both sides, `missing` when either has no value. */
export function compareRaw<P>(
  comparator: Comparator<P>,
  a: string | null | undefined,
  b: string | null | undefined,
): Level {
  if (a == null || b == null) return "missing";
  const pa = comparator.prepare(a);
  if (pa === undefined) return "missing";
  const pb = comparator.prepare(b);
  if (pb === undefined) return "missing";
  return comparator.compare(pa, pb);
}
