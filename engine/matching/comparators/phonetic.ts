import { doubleMetaphone } from "../double-metaphone.js";
import { normalizeName } from "./normalize.js";
import type { Comparator, Level } from "./types.js";
import { compareRaw } from "./types.js";

/** A name and its Double Metaphone codes (primary, alternate). */
export interface PhoneticForm {
  readonly name: string;
  readonly primary: string;
  readonly alternate: string;
}

/** The Double Metaphone codes of a name: [primary, alternate]. */
export function phoneticCodes(name: string): readonly [string, string] {
  const normalized = normalizeName(name);
  return normalized ? doubleMetaphone(normalized) : ["", ""];
}

/**
 * Equal names, or any shared Double Metaphone code (primary or alternate of
 * one side equal to primary or alternate of the other) = agree, else
 * disagree. There is no partial level.
 */
export const phoneticComparator: Comparator<PhoneticForm> = {
  prepare(raw) {
    const name = normalizeName(raw);
    if (!name) return undefined;
    const [primary, alternate] = doubleMetaphone(name);
    return { name, primary, alternate };
  },
  compare(a, b) {
    if (a.name === b.name) return "agree";
    const shared =
      (a.primary !== "" && (a.primary === b.primary || a.primary === b.alternate)) ||
      (a.alternate !== "" && (a.alternate === b.primary || a.alternate === b.alternate));
    return shared ? "agree" : "disagree";
  },
};

/** One call: two raw names compared by their Double Metaphone codes. */
export function phonetic(a: string | null | undefined, b: string | null | undefined): Level {
  return compareRaw(phoneticComparator, a, b);
}
