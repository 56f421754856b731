/**
 * The update rule of every canonical record (ARCHITECTURE.md "Action
 * types"): a key set to `null` clears the stored value, a missing (or
 * undefined) key leaves it as it is, a nested map (address, phones,
 * guarantor, externalIds, a policy snapshot) merges by the same rule, and
 * anything else (a string, a number, a list) replaces the stored value.
 *
 * Stored records never hold `null` or an empty map: a map whose every key
 * was cleared is removed, so a record reads the same however it was built.
 */

type JsonMap = { [key: string]: unknown };

export function isMap(value: unknown): value is JsonMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `patch` merged onto `stored` (both left untouched); the result is a new object. */
export function mergeRecord<T extends object>(stored: T | undefined, patch: object): T {
  return (mergeMap(stored as JsonMap | undefined, patch as JsonMap) ?? {}) as T;
}

/** A record as first written: `null` keys and empty maps dropped, lists copied. */
export function normalizeRecord<T extends object>(record: T): T {
  return mergeRecord<T>(undefined, record);
}

function mergeMap(stored: JsonMap | undefined, patch: JsonMap): JsonMap | undefined {
  const out: JsonMap = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    if (key === "__proto__" || value === undefined) continue;
    if (value === null) {
      delete out[key];
      continue;
    }
    if (isMap(value)) {
      const current = out[key];
      const merged = mergeMap(isMap(current) ? current : undefined, value);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
      continue;
    }
    out[key] = Array.isArray(value) ? copyList(value) : value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function copyList(list: readonly unknown[]): unknown[] {
  return list.map((item) =>
    Array.isArray(item) ? copyList(item) : isMap(item) ? (mergeMap(undefined, item) ?? {}) : item,
  );
}

/** Freeze a record and everything inside it (the memory store hands out what it holds). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
