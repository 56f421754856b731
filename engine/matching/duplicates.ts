import type { Patient } from "../model/records.js";
import { blocksOf, MAX_BLOCK_SIZE } from "./blocking.js";
import type { DemographicField, DemographicsConfig } from "./config.js";
import { type CompiledDemographics, compiledOf, type PairScore, scorePair } from "./scorer.js";

/** Two stored patients that are likely one person, as a person reviews them. */
export interface DuplicatePair {
  /** The older patient first (store order). */
  readonly patientIds: readonly [string, string];
  readonly total: number;
  /** `match` at or above the match threshold, else `review`. */
  readonly band: "match" | "review";
  /** A guard that would keep the pair from an automatic link (twins, household). */
  readonly guard?: PairScore["guard"];
  /** The fields by level (no values: the worklist shows IDs and field names only). */
  readonly agree: readonly DemographicField[];
  readonly partial: readonly DemographicField[];
  readonly disagree: readonly DemographicField[];
}

/**
 * Likely duplicate pairs among stored patients: every pair sharing a key of
 * the configuration's blocking passes (blocks larger than MAX_BLOCK_SIZE
 * skipped, as lookups do) is scored once, and those at or above the review
 * threshold are listed, best first. Patients need an `id`.
 */
export function findDuplicates(
  config: CompiledDemographics | DemographicsConfig,
  patients: readonly Patient[],
): DuplicatePair[] {
  const compiled = compiledOf(config);
  const blocks = blocksOf(patients, compiled.blocking);
  const seen = new Set<string>();
  const out: DuplicatePair[] = [];
  for (const list of blocks.values()) {
    if (list.length < 2 || list.length > MAX_BLOCK_SIZE) continue;
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        const a = patients[list[x] as number] as Patient;
        const b = patients[list[y] as number] as Patient;
        const pair = `${list[x]}:${list[y]}`;
        if (seen.has(pair)) continue;
        seen.add(pair);
        const score = scorePair(compiled, a, b);
        if (score.total < compiled.thresholds.review) continue;
        const by = (level: string) =>
          Object.entries(score.fields)
            .filter(([, s]) => s?.level === level)
            .map(([field]) => field as DemographicField);
        out.push({
          patientIds: [String(a.id), String(b.id)],
          total: score.total,
          band: score.total >= compiled.thresholds.match ? "match" : "review",
          ...(score.guard && { guard: score.guard }),
          agree: by("agree"),
          partial: by("partial"),
          disagree: by("disagree"),
        });
      }
    }
  }
  return out.sort(
    (p, q) =>
      q.total - p.total ||
      (p.patientIds[0] < q.patientIds[0] ? -1 : p.patientIds[0] > q.patientIds[0] ? 1 : 0),
  );
}
