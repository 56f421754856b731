import { isAbsent } from "./absent.js";

/**
 * The matching rules of rule tests, defined once (docs/rule-tests.md):
 * - a record (a map) is compared deep-partially: only the keys written;
 * - a list of records at the top of an expectation (actions, errors, review,
 *   a patient's stored policies) is an in-order subsequence of the actual
 *   list, or the whole list item by item when `exact`; an empty list
 *   written means "none", always;
 * - a list inside a record is compared whole, item by item;
 * - YAML `null` expects a null (a cleared value); `!absent` expects the key
 *   to be missing; a scalar must be equal and of the same type.
 */

/** Marks "the key is missing" in a mismatch (distinct from null). */
export const MISSING = Symbol("missing");

export interface Mismatch {
  /** Where, from the expectation's root: `actions[1].policy.sequence`. */
  readonly path: string;
  readonly expected: unknown;
  readonly actual: unknown;
  /** Why, when equality is not the whole story. */
  readonly note?: string;
}

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !isAbsent(v);

const join = (path: string, key: string | number): string =>
  typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/** Compare one expected value with the actual one; no mismatches means it matches. */
export function matchValue(expected: unknown, actual: unknown, path = ""): Mismatch[] {
  if (isAbsent(expected)) {
    return actual === undefined
      ? []
      : [{ path, expected, actual, note: "expected the key to be missing (!absent)" }];
  }
  if (actual === undefined) {
    return [
      {
        path,
        expected,
        actual: MISSING,
        ...(expected === null && { note: "expected null (a cleared value); the key is missing" }),
      },
    ];
  }
  if (expected === null) {
    return actual === null ? [] : [{ path, expected, actual, note: "expected null" }];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [{ path, expected, actual, note: "expected a list" }];
    if (expected.length !== actual.length) {
      return [
        {
          path,
          expected,
          actual,
          note: `expected ${expected.length} item(s), got ${actual.length}`,
        },
      ];
    }
    return expected.flatMap((e, i) => matchValue(e, actual[i], join(path, i)));
  }
  if (isMap(expected)) {
    if (!isMap(actual)) return [{ path, expected, actual, note: "expected a map" }];
    return Object.entries(expected).flatMap(([k, e]) => matchValue(e, actual[k], join(path, k)));
  }
  if (Object.is(expected, actual)) return [];
  if (typeof expected !== typeof actual && String(expected) === String(actual)) {
    return [
      {
        path,
        expected,
        actual,
        note: `expected a ${typeof expected}, got a ${typeof actual}${typeof actual === "string" ? ": quote it in the YAML" : ""}`,
      },
    ];
  }
  return [{ path, expected, actual }];
}

export interface ListFailure {
  /** The list's path (`actions`). */
  readonly path: string;
  /** The expected item that was not matched (its index), or undefined for a length problem. */
  readonly item?: number;
  readonly message: string;
  /** The mismatches against the closest actual item, for the diff. */
  readonly closest?: { readonly index: number; readonly mismatches: readonly Mismatch[] };
  readonly expected: readonly unknown[];
  readonly actual: readonly unknown[];
}

/**
 * A top-level list: in-order subsequence (greedy earliest match, which finds
 * one whenever one exists), or the whole list when `exact`.
 */
export function matchList(
  expected: readonly unknown[],
  actual: readonly unknown[],
  exact: boolean,
  path: string,
): ListFailure | undefined {
  const base = { path, expected, actual };
  if (expected.length === 0) {
    return actual.length === 0
      ? undefined
      : { ...base, message: `expected no ${path} ([] means none), got ${actual.length}` };
  }
  if (exact) {
    if (expected.length !== actual.length) {
      return {
        ...base,
        message: `expected exactly ${expected.length} ${path} (exact), got ${actual.length}`,
      };
    }
    for (const [i, e] of expected.entries()) {
      const mismatches = matchValue(e, actual[i], join(path, i));
      if (mismatches.length > 0) {
        return {
          ...base,
          item: i,
          message: `${join(path, i)} does not match (exact)`,
          closest: { index: i, mismatches },
        };
      }
    }
    return undefined;
  }
  let from = 0;
  for (const [i, e] of expected.entries()) {
    let found = -1;
    for (let j = from; j < actual.length; j++) {
      if (matchValue(e, actual[j], "").length === 0) {
        found = j;
        break;
      }
    }
    if (found >= 0) {
      from = found + 1;
      continue;
    }
    const after = from > 0 ? ` after ${join(path, from - 1)}` : "";
    return {
      ...base,
      item: i,
      message: `expected ${path} item ${i + 1} (${summary(e)}) not found${after}`,
      ...closestOf(e, actual, from, path),
    };
  }
  return undefined;
}

/** The actual item (from `from` on, else any) that differs from `e` in the fewest places. */
function closestOf(
  e: unknown,
  actual: readonly unknown[],
  from: number,
  path: string,
): { closest?: { index: number; mismatches: Mismatch[] } } {
  let best: { index: number; mismatches: Mismatch[] } | undefined;
  const order = [...actual.keys()].sort((a, b) => Number(a < from) - Number(b < from) || a - b);
  for (const j of order) {
    const mismatches = matchValue(e, actual[j], join(path, j));
    if (isMap(e) && !kindMatches(e, actual[j])) continue;
    if (!best || mismatches.length < best.mismatches.length) best = { index: j, mismatches };
  }
  return best ? { closest: best } : {};
}

/** An action is compared with actions of its type, an error with errors of its code. */
function kindMatches(e: Json, a: unknown): boolean {
  if (!isMap(a)) return false;
  for (const key of ["type", "code", "reason"]) {
    if (key in e) return e[key] === a[key];
  }
  return true;
}

/** A short, one-line rendering of an expected item: `insurance.add {policy: {sequence: 1}}`. */
export function summary(value: unknown): string {
  if (!isMap(value)) return render(value);
  const key = ["type", "code", "reason"].find((k) => typeof value[k] === "string");
  if (key === undefined) return render(value);
  const rest = Object.entries(value).filter(([k]) => k !== key);
  return rest.length ? `${value[key]} ${render(Object.fromEntries(rest))}` : String(value[key]);
}

/** A value as a person reads it in a diff: YAML-like flow, `!absent`, `(missing)`. */
export function render(value: unknown): string {
  if (value === MISSING) return "(missing)";
  if (isAbsent(value)) return "!absent";
  if (value === undefined) return "(missing)";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(render).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Json).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${k}: ${render(v)}`).join(", ")}}`;
  }
  return String(value);
}
