import { NORMALIZERS, type NormalizerName } from "./normalize.js";
import type { Comparator, Compared, Level } from "./types.js";
import { compareRaw } from "./types.js";

// Scratch flags reused across calls, so a comparison allocates nothing.
let matchedA = new Uint8Array(64);
let matchedB = new Uint8Array(64);

/**
 * Jaro–Winkler similarity in [0, 1] of two strings as given (normalize
 * first). Winkler's prefix bonus: up to 4 common leading characters, scale
 * 0.1, applied when the Jaro similarity exceeds 0.7.
 */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length === 0 ? 0 : 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  if (matchedA.length < la) matchedA = new Uint8Array(la * 2);
  if (matchedB.length < lb) matchedB = new Uint8Array(lb * 2);
  matchedA.fill(0, 0, la);
  matchedB.fill(0, 0, lb);
  const window = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const code = a.charCodeAt(i);
    const end = Math.min(i + window + 1, lb);
    for (let j = Math.max(0, i - window); j < end; j++) {
      if (matchedB[j] === 0 && b.charCodeAt(j) === code) {
        matchedA[i] = 1;
        matchedB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let halfTranspositions = 0;
  for (let i = 0, j = 0; i < la; i++) {
    if (matchedA[i] === 0) continue;
    while (matchedB[j] === 0) j++;
    if (a.charCodeAt(i) !== b.charCodeAt(j)) halfTranspositions++;
    j++;
  }
  const m = matches;
  const jaro = (m / la + m / lb + (m - (halfTranspositions >> 1)) / m) / 3;
  if (jaro <= 0.7) return jaro;
  let prefix = 0;
  const maxPrefix = Math.min(4, la, lb);
  while (prefix < maxPrefix && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

export interface SimilarityLevels {
  /** Similarity at or above which the values agree. */
  readonly agreeAt: number;
  /** Similarity at or above which (and below `agreeAt`) they partially agree. */
  readonly partialAt: number;
}

export const DEFAULT_LEVELS: SimilarityLevels = { agreeAt: 0.94, partialAt: 0.85 };

/** The level of a similarity. */
export function levelOf(similarity: number, levels: SimilarityLevels): Compared {
  if (similarity >= levels.agreeAt) return "agree";
  return similarity >= levels.partialAt ? "partial" : "disagree";
}

export interface JaroWinklerOptions extends SimilarityLevels {
  readonly normalize: NormalizerName;
}

export function jaroWinklerComparator(
  options: Partial<JaroWinklerOptions> = {},
): Comparator<string> {
  const normalize = NORMALIZERS[options.normalize ?? "text"];
  const levels: SimilarityLevels = {
    agreeAt: options.agreeAt ?? DEFAULT_LEVELS.agreeAt,
    partialAt: options.partialAt ?? DEFAULT_LEVELS.partialAt,
  };
  return {
    prepare: (raw) => normalize(raw) || undefined,
    compare: (a, b) => (a === b ? "agree" : levelOf(jaroWinkler(a, b), levels)),
  };
}

/** One call: the level of two raw values by their Jaro–Winkler similarity. */
export function jaroWinklerLevel(
  a: string | null | undefined,
  b: string | null | undefined,
  options: Partial<JaroWinklerOptions> = {},
): Level {
  return compareRaw(jaroWinklerComparator(options), a, b);
}
