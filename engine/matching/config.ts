import {
  BLOCKING_COMPONENTS,
  type BlockingPass,
  DEFAULT_PASSES,
  INDEXED_PASSES,
  isIndexedPass,
  passName,
} from "./blocking.js";
import type { NormalizerName } from "./comparators/normalize.js";
import { isNormalizerName } from "./comparators/normalize.js";

/**
 * `matching.demographics` (docs/pack-language.md §13) as plain data: what a
 * pack file says, before compileDemographics turns it into closures.
 */

export const DEMOGRAPHIC_FIELDS = [
  "ssn",
  "dob",
  "firstName",
  "lastName",
  "middleName",
  "sex",
  "address",
  "city",
  "zip",
  "phone",
  "externalId",
] as const;
export type DemographicField = (typeof DEMOGRAPHIC_FIELDS)[number];

export const COMPARATORS = [
  "exact",
  "jaroWinkler",
  "phonetic",
  "date",
  "nickname",
  "identifier",
] as const;
export type ComparatorName = (typeof COMPARATORS)[number];

export interface DemographicFieldConfig {
  readonly field: DemographicField;
  /** Defaults to the field's comparator in DEFAULT_DEMOGRAPHICS. */
  readonly comparator?: ComparatorName;
  /** P(agree | same person); with `u`, agree = log2(m/u), disagree = log2((1−m)/(1−u)). */
  readonly m?: number;
  /** P(agree | different persons). */
  readonly u?: number;
  /** Instead of m and u: the weights themselves. */
  readonly weights?: {
    readonly agree: number;
    readonly disagree: number;
    /** The partial level's own weight (a trained one); partialFactor × agree without. */
    readonly partial?: number;
  };
  /** jaroWinkler and nickname: similarity at or above which the values agree (0.94). */
  readonly agreeAt?: number;
  /** jaroWinkler and nickname: similarity at or above which they partially agree (0.85). */
  readonly partialAt?: number;
  /** exact and jaroWinkler: the normalizer; defaults by field (ssn digits, phone last10, middleName initial). */
  readonly normalize?: NormalizerName;
}

/** A name field's common values and their shares of the patients, with the field's u of agreement. */
export interface TermFrequencies {
  readonly u: number;
  readonly values: Readonly<Record<string, number>>;
}

export interface DemographicsConfig {
  readonly fields: readonly DemographicFieldConfig[];
  /**
   * The blocking passes candidates are looked up by (engine/matching/blocking.ts):
   * a candidate sharing the key of any pass is scored once. Each must be one
   * the stores index (INDEXED_PASSES); DEFAULT_PASSES by default.
   */
  readonly blocking?: readonly BlockingPass[];
  /**
   * Guards, each on by default; a pair a guard stops is at most review:
   * `twins` — a first name that disagrees with a date of birth that agrees
   * (and SSNs that do not, surnames that do not disagree); `household` —
   * none of first name, date of birth and SSN agrees, even partially (a
   * family shares the rest; the scorer's isHousehold has the details).
   */
  readonly guards?: { readonly twins?: boolean; readonly household?: boolean };
  /**
   * Term-frequency adjustment (the trained file's, `rulepack match train`):
   * per name field, the share of patients holding each common value
   * (normalized: letters, upper case) and the field's u of agreement. An
   * agreement on a value whose share exceeds u weighs log2(share / u) less:
   * two Smiths agreeing say less than two Zbindens.
   */
  readonly termFrequencies?: Readonly<Partial<Record<"lastName" | "firstName", TermFrequencies>>>;
  /** Summed weights: ≥ match links, ≥ review asks for review. */
  readonly thresholds: { readonly match: number; readonly review: number };
  /** The weight of `partial` as a fraction of `agree` (0.5). */
  readonly partialFactor?: number;
}

/**
 * The defaults of §13, calibrated on corpus/matching (scripts/match-eval.ts;
 * test/fixtures/matching/eval-config.yaml states the same values in YAML).
 * Against the first draft, two values moved, both for households (family
 * members share last name, address and phone): phone u 0.0005 -> 0.005 and
 * firstName m 0.93 -> 0.97 (a first name that is neither equal, a nickname
 * nor close is strong evidence of another person). On febrl_us that cut the
 * review band from 148 records (36 true duplicates) to 50 (50), with
 * precision 1.0 and recall 0.991 (was 0.994); Febrl 1-4 did not move.
 */
export const DEFAULT_DEMOGRAPHICS: DemographicsConfig = {
  fields: [
    { field: "ssn", comparator: "identifier", m: 0.97, u: 0.0001 },
    { field: "dob", comparator: "date", m: 0.97, u: 0.003 },
    {
      field: "lastName",
      comparator: "jaroWinkler",
      agreeAt: 0.94,
      partialAt: 0.85,
      m: 0.95,
      u: 0.01,
    },
    {
      field: "firstName",
      comparator: "nickname",
      agreeAt: 0.94,
      partialAt: 0.85,
      m: 0.97,
      u: 0.02,
    },
    { field: "middleName", comparator: "exact", m: 0.8, u: 0.1 },
    { field: "sex", comparator: "exact", m: 0.98, u: 0.5 },
    { field: "address", comparator: "jaroWinkler", m: 0.8, u: 0.001 },
    { field: "phone", comparator: "identifier", m: 0.85, u: 0.005 },
    { field: "externalId", comparator: "exact", m: 0.99, u: 0.00001 },
  ],
  blocking: DEFAULT_PASSES,
  guards: { twins: true, household: true },
  thresholds: { match: 20, review: 12 },
  partialFactor: 0.5,
};

/**
 * Fields `rulepack match train` compares beyond the pack's own, with their
 * comparators: where the practice's data shows they tell people apart, the
 * trained file lists them and a pack naming it compares them too
 * (docs/decisions/0043-location-fields-street-blocks-and-household-evidence.md). City and ZIP are
 * left out of the hand-set defaults: how many patients share them depends
 * on the practice, which only its own data says.
 */
export const TRAINED_EXTRA_FIELDS: readonly DemographicFieldConfig[] = [
  { field: "city", comparator: "jaroWinkler", m: 0.9, u: 0.05 },
  { field: "zip", comparator: "identifier", m: 0.9, u: 0.05 },
];

/** The configuration with the TRAINED_EXTRA_FIELDS it does not list, as training compares them. */
export function withExtraFields(config: DemographicsConfig): DemographicsConfig {
  const listed = new Set(config.fields.map((f) => f.field));
  const extra = TRAINED_EXTRA_FIELDS.filter((f) => !listed.has(f.field));
  return extra.length === 0 ? config : { ...config, fields: [...config.fields, ...extra] };
}

/** A configuration that does not make sense, with where: `fields[2].m: ...`. */
export class DemographicsConfigError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`matching.demographics.${path}: ${detail}`);
    this.name = "DemographicsConfigError";
  }
}

const FIELD_KEYS = new Set([
  "field",
  "name",
  "comparator",
  "m",
  "u",
  "weights",
  "agreeAt",
  "partialAt",
  "normalize",
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown): value is T {
  return typeof value === "string" && (allowed as readonly string[]).includes(value);
}

function probability(value: unknown, path: string): number {
  if (typeof value !== "number" || !(value > 0 && value < 1)) {
    throw new DemographicsConfigError(path, `must be a number strictly between 0 and 1`);
  }
  return value;
}

function finite(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new DemographicsConfigError(path, `must be a number`);
  }
  return value;
}

function checkField(item: unknown, path: string): DemographicFieldConfig {
  if (!isRecord(item)) throw new DemographicsConfigError(path, "must be a map");
  for (const key of Object.keys(item)) {
    if (!FIELD_KEYS.has(key)) throw new DemographicsConfigError(`${path}.${key}`, "unknown key");
  }
  if (!oneOf(DEMOGRAPHIC_FIELDS, item.field)) {
    throw new DemographicsConfigError(`${path}.field`, `must be one of ${DEMOGRAPHIC_FIELDS}`);
  }
  if (item.comparator !== undefined && !oneOf(COMPARATORS, item.comparator)) {
    throw new DemographicsConfigError(`${path}.comparator`, `must be one of ${COMPARATORS}`);
  }
  if (item.normalize !== undefined && !isNormalizerName(item.normalize)) {
    throw new DemographicsConfigError(`${path}.normalize`, "unknown normalizer");
  }
  const hasMu = item.m !== undefined || item.u !== undefined;
  if (hasMu === (item.weights !== undefined)) {
    throw new DemographicsConfigError(path, "needs either m and u or weights, not both");
  }
  if (hasMu) {
    const m = probability(item.m, `${path}.m`);
    const u = probability(item.u, `${path}.u`);
    if (m <= u) throw new DemographicsConfigError(path, `m (${m}) must exceed u (${u})`);
  } else {
    const weights = item.weights;
    if (!isRecord(weights)) throw new DemographicsConfigError(`${path}.weights`, "must be a map");
    const agree = finite(weights.agree, `${path}.weights.agree`);
    const disagree = finite(weights.disagree, `${path}.weights.disagree`);
    if (weights.partial !== undefined) finite(weights.partial, `${path}.weights.partial`);
    if (agree < disagree) {
      throw new DemographicsConfigError(`${path}.weights`, "agree must not be below disagree");
    }
  }
  for (const key of ["agreeAt", "partialAt"] as const) {
    const value = item[key];
    if (value !== undefined && (typeof value !== "number" || value < 0 || value > 1)) {
      throw new DemographicsConfigError(`${path}.${key}`, "must be a number in [0, 1]");
    }
  }
  if (typeof item.agreeAt === "number" && typeof item.partialAt === "number") {
    if (item.partialAt > item.agreeAt) {
      throw new DemographicsConfigError(path, "partialAt must not exceed agreeAt");
    }
  }
  return item as unknown as DemographicFieldConfig;
}

function checkBlocking(blocking: unknown): void {
  if (!Array.isArray(blocking) || blocking.length === 0) {
    throw new DemographicsConfigError("blocking", "must be a non-empty list of passes");
  }
  blocking.forEach((pass, i) => {
    if (
      !Array.isArray(pass) ||
      pass.length === 0 ||
      !pass.every((c) => oneOf(BLOCKING_COMPONENTS, c))
    ) {
      throw new DemographicsConfigError(
        `blocking[${i}]`,
        `must be a non-empty list of ${BLOCKING_COMPONENTS}`,
      );
    }
    if (!isIndexedPass(pass)) {
      throw new DemographicsConfigError(
        `blocking[${i}]`,
        `${passName(pass)} is not a pass the stores index (${INDEXED_PASSES.map(passName).join(", ")})`,
      );
    }
  });
}

function checkTermFrequencies(value: unknown): void {
  if (!isRecord(value)) throw new DemographicsConfigError("termFrequencies", "must be a map");
  for (const [field, tf] of Object.entries(value)) {
    const path = `termFrequencies.${field}`;
    if (field !== "lastName" && field !== "firstName") {
      throw new DemographicsConfigError(path, "must be lastName or firstName");
    }
    if (!isRecord(tf) || !isRecord(tf.values)) {
      throw new DemographicsConfigError(path, "must be a map of u and values");
    }
    probability(tf.u, `${path}.u`);
    for (const [name, share] of Object.entries(tf.values)) {
      if (typeof share !== "number" || !(share > 0 && share <= 1)) {
        throw new DemographicsConfigError(`${path}.values.${name}`, "must be a share in (0, 1]");
      }
    }
  }
}

/**
 * Checks untyped data (a parsed pack or YAML file) against the shape of
 * `matching.demographics` and returns it typed; throws
 * DemographicsConfigError at the first problem.
 */
export function demographicsConfigFrom(value: unknown): DemographicsConfig {
  if (!isRecord(value)) throw new DemographicsConfigError("", "must be a map");
  for (const key of Object.keys(value)) {
    if (
      !["fields", "blocking", "guards", "thresholds", "partialFactor", "termFrequencies"].includes(
        key,
      )
    ) {
      throw new DemographicsConfigError(key, "unknown key");
    }
  }
  if (!Array.isArray(value.fields) || value.fields.length === 0) {
    throw new DemographicsConfigError("fields", "must be a non-empty list");
  }
  const seen = new Set<string>();
  value.fields.forEach((item, i) => {
    const field = checkField(item, `fields[${i}]`);
    if (seen.has(field.field)) {
      throw new DemographicsConfigError(`fields[${i}]`, `${field.field} is listed twice`);
    }
    seen.add(field.field);
  });
  if (value.blocking !== undefined) checkBlocking(value.blocking);
  if (value.guards !== undefined) {
    const guards = value.guards;
    if (!isRecord(guards) || Object.keys(guards).some((k) => k !== "twins" && k !== "household")) {
      throw new DemographicsConfigError("guards", "must be a map of twins, household");
    }
    for (const name of ["twins", "household"] as const) {
      if (guards[name] !== undefined && typeof guards[name] !== "boolean") {
        throw new DemographicsConfigError(`guards.${name}`, "must be true or false");
      }
    }
  }
  if (value.termFrequencies !== undefined) checkTermFrequencies(value.termFrequencies);
  const thresholds = value.thresholds;
  if (!isRecord(thresholds)) throw new DemographicsConfigError("thresholds", "must be a map");
  const match = finite(thresholds.match, "thresholds.match");
  const review = finite(thresholds.review, "thresholds.review");
  if (review > match)
    throw new DemographicsConfigError("thresholds", "review must not exceed match");
  if (value.partialFactor !== undefined) {
    const factor = finite(value.partialFactor, "partialFactor");
    if (factor < 0 || factor > 1) {
      throw new DemographicsConfigError("partialFactor", "must be in [0, 1]");
    }
  }
  return value as unknown as DemographicsConfig;
}
