/**
 * The loader's caches (decision 0036): each keeps an answer while what it was
 * built from is the same, and forgets everything once it is full (a long
 * `serve` whose packs keep changing).
 */

/** `map.set(key, value)`, first emptying a map that holds `max` entries; returns `value`. */
export function keepBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): V {
  if (map.size >= max) map.clear();
  map.set(key, value);
  return value;
}

/** Whether two lists hold the very same objects in the same order. */
export function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}
