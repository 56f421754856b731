import { areNicknames, nicknameGroupsOf, sharesNicknameGroup } from "../nicknames.js";
import { DEFAULT_LEVELS, jaroWinkler, levelOf, type SimilarityLevels } from "./jaro-winkler.js";
import { normalizeName } from "./normalize.js";
import type { Comparator, Level } from "./types.js";
import { compareRaw } from "./types.js";

export interface NicknameForm {
  readonly name: string;
  readonly groups: readonly number[];
}

/**
 * A first name: equal or a nickname pair (engine/matching/nicknames.ts) =
 * agree; an initial and a name it begins ("J" and "JOHN") = partial; else
 * the Jaro–Winkler levels.
 */
export function nicknameComparator(
  options: Partial<SimilarityLevels> = {},
): Comparator<NicknameForm> {
  const levels: SimilarityLevels = {
    agreeAt: options.agreeAt ?? DEFAULT_LEVELS.agreeAt,
    partialAt: options.partialAt ?? DEFAULT_LEVELS.partialAt,
  };
  return {
    prepare(raw) {
      const name = normalizeName(raw);
      return name ? { name, groups: nicknameGroupsOf(name) } : undefined;
    },
    compare(a, b) {
      if (a.name === b.name || sharesNicknameGroup(a.groups, b.groups)) return "agree";
      if (a.name.length === 1 || b.name.length === 1) {
        return a.name.charAt(0) === b.name.charAt(0) ? "partial" : "disagree";
      }
      return levelOf(jaroWinkler(a.name, b.name), levels);
    },
  };
}

const DEFAULT = nicknameComparator();

/** One call: two raw first names. */
export function nickname(
  a: string | null | undefined,
  b: string | null | undefined,
  options?: Partial<SimilarityLevels>,
): Level {
  return compareRaw(options ? nicknameComparator(options) : DEFAULT, a, b);
}

export { areNicknames };
