import { distance } from "../documents/suggest.js";
import type { Patient } from "../model/records.js";
import type { BlockingKeys, BlockingPass } from "./blocking.js";
import { blockingKeysOf } from "./blocking.js";
import { candidateBound } from "./candidate-bound.js";
import { dateComparator } from "./comparators/date.js";
import { exactComparator } from "./comparators/exact.js";
import { identifierComparator } from "./comparators/identifier.js";
import {
  DEFAULT_LEVELS,
  jaroWinkler,
  jaroWinklerComparator,
  levelOf,
} from "./comparators/jaro-winkler.js";
import { nicknameComparator } from "./comparators/nickname.js";
import { normalizeName } from "./comparators/normalize.js";
import { phoneticComparator } from "./comparators/phonetic.js";
import type { Comparator, Level } from "./comparators/types.js";
import {
  type ComparatorName,
  DEFAULT_DEMOGRAPHICS,
  DEMOGRAPHIC_FIELDS,
  type DemographicField,
  type DemographicFieldConfig,
  type DemographicsConfig,
  demographicsConfigFrom,
} from "./config.js";
import { weightOf } from "./field-weight.js";
import { FIELD_NORMALIZERS, FIELD_READERS } from "./fields.js";

// The configuration's names, for modules that import the scorer only.
export { DEFAULT_DEMOGRAPHICS, type DemographicField, type DemographicsConfig };

/** Why a pair may not link automatically, whatever its total (DemographicsConfig.guards). */
export type Guard = "twins" | "household";

/** One field's verdict and what it weighs. */
export interface FieldScore {
  readonly level: Level;
  readonly weight: number;
}

export type FieldScores = Readonly<Partial<Record<DemographicField, FieldScore>>>;

export interface PairScore {
  readonly total: number;
  readonly fields: FieldScores;
  /** A guard that keeps the pair from an automatic link whatever its total. */
  readonly guard?: Guard;
}

/** A candidate as review shows it; `scores` (weight per field) fits the outcome's ReviewCandidate. */
export interface ScoredCandidate {
  readonly patientId: string;
  readonly total: number;
  readonly scores: Readonly<Partial<Record<DemographicField, number>>>;
  readonly fields: FieldScores;
}

export type MatchDecision =
  | { readonly kind: "match"; readonly patientId: string; readonly score: PairScore }
  | {
      readonly kind: "review";
      readonly reason: "possibleDuplicate" | "ambiguousMatch";
      /** Every candidate at or above `review`, best first. */
      readonly candidates: readonly ScoredCandidate[];
    }
  | { readonly kind: "none"; readonly best?: ScoredCandidate };

export interface SubstantialChange {
  readonly field: DemographicField;
  /** The comparator's level; `missing` when the incoming record clears the value. */
  readonly level: Level;
  readonly stored: unknown;
  readonly received: unknown;
}

/** A field ready to score: its reader and comparator as closures, its weights as numbers. */
export interface CompiledField {
  readonly field: DemographicField;
  readonly comparator: ComparatorName;
  readonly agree: number;
  readonly partial: number;
  readonly disagree: number;
  /** The prepared value of a patient's field; `undefined` when it has none. */
  prepare(patient: Patient): unknown;
  /** The level of two prepared values (`missing` when either is undefined). */
  level(a: unknown, b: unknown): Level;
  /** The raw value as read (for review and substantial changes). */
  raw(patient: Patient): unknown;
}

export interface CompiledDemographics {
  /** The configuration compiled. */
  readonly source: DemographicsConfig;
  readonly fields: readonly CompiledField[];
  readonly thresholds: { readonly match: number; readonly review: number };
  readonly partialFactor: number;
  readonly blocking: readonly BlockingPass[];
  readonly guards: { readonly twins: boolean; readonly household: boolean };
  /** Term-frequency adjustments: the field's index, its name's slot among the prepared values, u, the shares. */
  readonly termFrequencies: readonly {
    readonly index: number;
    readonly slot: number;
    readonly u: number;
    readonly shares: ReadonlyMap<string, number>;
  }[];
  /** Where the fields the guards read are in `fields` (-1: not configured). */
  readonly guardFields: {
    readonly firstName: number;
    readonly dob: number;
    readonly ssn: number;
    readonly lastName: number;
  };
  /**
   * Prepared values of a patient, one per field, cached per patient object
   * (records are immutable: the stores hand out frozen or fresh objects).
   */
  prepared(patient: Patient): readonly unknown[];
  /** A field's compiled form, or the default field's when the config does not list it. */
  fieldFor(field: DemographicField): CompiledField;
}

const COMPILED = Symbol("compiledDemographics");
type Compiled = CompiledDemographics & { readonly [COMPILED]: true };

function comparatorFor(config: DemographicFieldConfig, name: ComparatorName): Comparator<unknown> {
  const normalize = config.normalize ?? FIELD_NORMALIZERS[config.field];
  const levels = {
    ...(config.agreeAt !== undefined && { agreeAt: config.agreeAt }),
    ...(config.partialAt !== undefined && { partialAt: config.partialAt }),
  };
  switch (name) {
    case "exact":
      return exactComparator(normalize) as Comparator<unknown>;
    case "identifier":
      return identifierComparator(normalize) as Comparator<unknown>;
    case "jaroWinkler":
      return jaroWinklerComparator({ ...levels, normalize }) as Comparator<unknown>;
    case "phonetic":
      return phoneticComparator as Comparator<unknown>;
    case "date":
      return dateComparator as Comparator<unknown>;
    case "nickname":
      return nicknameComparator(levels) as Comparator<unknown>;
  }
}

const RANK: Readonly<Record<Level, number>> = { missing: 0, disagree: 1, partial: 2, agree: 3 };

function compileField(config: DemographicFieldConfig, partialFactor: number): CompiledField {
  const name =
    config.comparator ??
    DEFAULT_DEMOGRAPHICS.fields.find((f) => f.field === config.field)?.comparator ??
    "exact";
  const comparator = comparatorFor(config, name);
  let agree: number;
  let disagree: number;
  let partial: number | undefined;
  if (config.weights) {
    ({ agree, disagree, partial } = config.weights);
  } else {
    const m = config.m as number;
    const u = config.u as number;
    agree = Math.log2(m / u);
    disagree = Math.log2((1 - m) / (1 - u));
  }
  const reader = FIELD_READERS[config.field];
  const base = {
    field: config.field,
    comparator: name,
    agree,
    partial: partial ?? partialFactor * agree,
    disagree,
  };
  if (reader.kind === "single") {
    return {
      ...base,
      raw: reader.read,
      prepare(patient) {
        const raw = reader.read(patient);
        return raw == null ? undefined : comparator.prepare(raw);
      },
      level: (a, b) => (a === undefined || b === undefined ? "missing" : comparator.compare(a, b)),
    };
  }
  type Entry = readonly [string, unknown];
  return {
    ...base,
    raw: reader.read,
    prepare(patient) {
      const entries = reader.read(patient);
      if (entries === undefined || entries.length === 0) return undefined;
      const out: Entry[] = [];
      for (const [key, raw] of entries) {
        const value = comparator.prepare(raw);
        if (value !== undefined) out.push([key, value]);
      }
      return out.length === 0 ? undefined : out;
    },
    // The best level over entries with equal keys; no equal keys is missing.
    level(a, b) {
      if (a === undefined || b === undefined) return "missing";
      let best: Level = "missing";
      for (const [ka, va] of a as readonly Entry[]) {
        for (const [kb, vb] of b as readonly Entry[]) {
          if (ka !== kb) continue;
          const level = comparator.compare(va, vb);
          if (level === "agree") return level;
          if (RANK[level] > RANK[best]) best = level;
        }
      }
      return best;
    },
  };
}

/**
 * Compiles `matching.demographics` once: checks it (DemographicsConfigError),
 * builds each field's comparator and weights. Scoring with the result
 * allocates only the prepared values of each patient (cached per object)
 * and the field records of the candidates it reports.
 */
export function compileDemographics(config: DemographicsConfig): CompiledDemographics {
  demographicsConfigFrom(config);
  const partialFactor = config.partialFactor ?? DEFAULT_DEMOGRAPHICS.partialFactor ?? 0.5;
  const fields = config.fields.map((f) => compileField(f, partialFactor));
  const byField = new Map<DemographicField, CompiledField>(fields.map((f) => [f.field, f]));
  const cache = new WeakMap<Patient, readonly unknown[]>();
  const compiled: Compiled = {
    [COMPILED]: true,
    source: config,
    fields,
    thresholds: { match: config.thresholds.match, review: config.thresholds.review },
    partialFactor,
    blocking: config.blocking ?? DEFAULT_DEMOGRAPHICS.blocking ?? [],
    guards: {
      twins: config.guards?.twins ?? DEFAULT_DEMOGRAPHICS.guards?.twins ?? true,
      household: config.guards?.household ?? DEFAULT_DEMOGRAPHICS.guards?.household ?? true,
    },
    termFrequencies: (["firstName", "lastName"] as const).flatMap((name, k) => {
      const tf = config.termFrequencies?.[name];
      const index = fields.findIndex((f) => f.field === name);
      if (tf === undefined || index < 0) return [];
      return [
        { index, slot: fields.length + k, u: tf.u, shares: new Map(Object.entries(tf.values)) },
      ];
    }),
    guardFields: {
      firstName: fields.findIndex((f) => f.field === "firstName"),
      dob: fields.findIndex((f) => f.field === "dob"),
      ssn: fields.findIndex((f) => f.field === "ssn"),
      lastName: fields.findIndex((f) => f.field === "lastName"),
    },
    prepared(patient) {
      let values = cache.get(patient);
      if (values === undefined) {
        // The fields' prepared values, then the two names as letters (for swapped names).
        values = [
          ...fields.map((f) => f.prepare(patient)),
          normalizeName(patient.firstName ?? "") || undefined,
          normalizeName(patient.lastName ?? "") || undefined,
        ];
        cache.set(patient, values);
      }
      return values;
    },
    fieldFor(field) {
      let found = byField.get(field);
      if (found === undefined) {
        const fallback = DEFAULT_DEMOGRAPHICS.fields.find((f) => f.field === field);
        if (fallback === undefined) throw new Error(`no default for demographic field ${field}`);
        found = compileField(fallback, partialFactor);
        byField.set(field, found);
      }
      return found;
    },
  };
  return compiled;
}

const COMPILED_CONFIGS = new WeakMap<DemographicsConfig, CompiledDemographics>();

/** The compiled form of a configuration (compiled once per configuration object). */
export function compiledOf(
  config: CompiledDemographics | DemographicsConfig,
): CompiledDemographics {
  if (COMPILED in config) return config as CompiledDemographics;
  const plain = config as DemographicsConfig;
  let compiled = COMPILED_CONFIGS.get(plain);
  if (compiled === undefined) {
    compiled = compileDemographics(plain);
    COMPILED_CONFIGS.set(plain, compiled);
  }
  return compiled;
}

/**
 * Each field's level. First and last name written in each other's place
 * (each close to the other side's opposite name by Jaro–Winkler) take the
 * crossed levels, when neither agreed as written.
 */
function levelsOf(c: CompiledDemographics, a: readonly unknown[], b: readonly unknown[]): Level[] {
  const fields = c.fields;
  const levels: Level[] = new Array(fields.length);
  let first = -1;
  let last = -1;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as CompiledField;
    levels[i] = field.level(a[i], b[i]);
    if (field.field === "firstName") first = i;
    else if (field.field === "lastName") last = i;
  }
  if (first >= 0 && last >= 0 && levels[first] !== "agree" && levels[last] !== "agree") {
    const n = fields.length;
    const [af, al, bf, bl] = [a[n], a[n + 1], b[n], b[n + 1]] as (string | undefined)[];
    if (af && al && bf && bl && af !== al) {
      const firstCross = levelOf(jaroWinkler(af, bl), DEFAULT_LEVELS);
      const lastCross = levelOf(jaroWinkler(al, bf), DEFAULT_LEVELS);
      if (firstCross !== "disagree" && lastCross !== "disagree") {
        if (RANK[firstCross] > RANK[levels[first] as Level]) levels[first] = firstCross;
        if (RANK[lastCross] > RANK[levels[last] as Level]) levels[last] = lastCross;
      }
    }
  }
  return levels;
}

/** Each configured field's level for two patients (swapped names taken into account). */
export function levelsOfPair(
  config: CompiledDemographics | DemographicsConfig,
  a: Patient,
  b: Patient,
): Level[] {
  const c = compiledOf(config);
  return levelsOf(c, c.prepared(a), c.prepared(b));
}

/**
 * The guard the pair trips, if any. `twins`: first names disagree, dates of
 * birth agree, SSNs do not and surnames do not disagree (twins share a
 * birth date and a surname, never an SSN). `household`: first name, date of
 * birth and SSN say another person (isHousehold; surname, address and
 * phone are what a family shares).
 */
function guardOf(
  c: CompiledDemographics,
  levels: readonly Level[],
  a: readonly unknown[],
  b: readonly unknown[],
): Guard | undefined {
  if (!c.guards.twins && !c.guards.household) return undefined;
  const { firstName: fi, dob: di, ssn: si, lastName: li } = c.guardFields;
  const at = (i: number): Level => (i < 0 ? "missing" : (levels[i] as Level));
  const first = at(fi);
  const dob = at(di);
  const ssn = at(si);
  const last = at(li);
  // Twins share a birth date and a surname, never an SSN.
  if (
    c.guards.twins &&
    first === "disagree" &&
    dob === "agree" &&
    ssn !== "agree" &&
    last !== "disagree"
  ) {
    return "twins";
  }
  if (
    c.guards.household &&
    isHousehold(first, dob, ssn, last, {
      dobA: a[di],
      dobB: b[di],
      ssnA: a[si],
      ssnB: b[si],
    })
  ) {
    return "household";
  }
  return undefined;
}

/**
 * Whether first name, date of birth and SSN all say "another person": none
 * agrees even partially, an SSN two typing errors from the other counts as
 * a partial agreement, and a date of birth that differs only in its year
 * (same month and day) does not, when the first names disagree: a family
 * member born on the same day of another year explains it as well as a
 * typing error does (households share surname, address and phone).
 */
function isHousehold(
  first: Level,
  dob: Level,
  ssn: Level,
  last: Level,
  values: { dobA: unknown; dobB: unknown; ssnA: unknown; ssnB: unknown },
): boolean {
  if (first === "agree") return false;
  // A first name only close to the other, with surname, birth date and SSN
  // all disagreeing, is a housemate's (Elijah and Elthia at one address).
  if (first === "partial" && !(last === "disagree" && dob === "disagree")) return false;
  if (dob === "agree") return false;
  if (dob === "partial") {
    const a = values.dobA as string;
    const b = values.dobB as string;
    const yearOnly = first === "disagree" && a.slice(4) === b.slice(4);
    if (!yearOnly) return false;
  }
  if (ssn === "agree" || ssn === "partial") return false;
  if (ssn === "disagree" && distance(values.ssnA as string, values.ssnB as string) <= 2) {
    return false;
  }
  return true;
}

/** What an agreement on the entry's field weighs less for the value's frequency (0 or negative). */
function tfAdjustment(
  tf: CompiledDemographics["termFrequencies"][number],
  a: readonly unknown[],
  level: Level,
): number {
  if (level !== "agree") return 0;
  const share = tf.shares.get(a[tf.slot] as string);
  return share !== undefined && share > tf.u ? -Math.log2(share / tf.u) : 0;
}

function totalOf(c: CompiledDemographics, a: readonly unknown[], levels: readonly Level[]): number {
  let total = 0;
  const fields = c.fields;
  for (let i = 0; i < fields.length; i++) {
    total += weightOf(fields[i] as CompiledField, levels[i] as Level);
  }
  for (const tf of c.termFrequencies) total += tfAdjustment(tf, a, levels[tf.index] as Level);
  return total;
}

function detailOf(
  c: CompiledDemographics,
  a: readonly unknown[],
  b: readonly unknown[],
): PairScore {
  const out: Partial<Record<DemographicField, FieldScore>> = {};
  const levels = levelsOf(c, a, b);
  let total = 0;
  c.fields.forEach((field, i) => {
    const level = levels[i] as Level;
    const tf = c.termFrequencies.find((t) => t.index === i);
    const weight = weightOf(field, level) + (tf === undefined ? 0 : tfAdjustment(tf, a, level));
    out[field.field] = { level, weight };
    total += weight;
  });
  const guard = guardOf(c, levels, a, b);
  return guard ? { total, fields: out, guard } : { total, fields: out };
}

/** The Fellegi–Sunter score of two patients, per field and summed. */
export function scorePair(
  config: CompiledDemographics | DemographicsConfig,
  incoming: Patient,
  candidate: Patient,
): PairScore {
  const c = compiledOf(config);
  return detailOf(c, c.prepared(incoming), c.prepared(candidate));
}

function scoredCandidate(patientId: string, score: PairScore): ScoredCandidate {
  const scores: Partial<Record<DemographicField, number>> = {};
  for (const [field, s] of Object.entries(score.fields)) {
    scores[field as DemographicField] = (s as FieldScore).weight;
  }
  return { patientId, total: score.total, scores, fields: score.fields };
}

export interface ClassifyOptions {
  /**
   * Score every candidate in full. By default a candidate whose upper bound
   * (candidate-bound.ts) cannot reach review or match is not scored unless
   * it may be the best of a "none": the decision is the same either way.
   */
  readonly everyCandidate?: boolean;
}

/**
 * Decides a demographic match (§13): total ≥ match against exactly one
 * candidate is a match; against more than one, review (ambiguousMatch);
 * best total in [review, match), review (possibleDuplicate); below, none.
 * A pair a guard stops (twins) is at most review, whatever its total; it
 * does not hold back the one unguarded match that scores above it (a
 * household member beside the patient himself). Candidates must carry an
 * `id`; several with the same id count once, by their best total.
 */
export function classify(
  config: CompiledDemographics | DemographicsConfig,
  incoming: Patient,
  candidates: readonly Patient[],
  options: ClassifyOptions = {},
): MatchDecision {
  const c = compiledOf(config);
  const mine = c.prepared(incoming);
  const { match, review } = c.thresholds;
  // Best total per patient id, and which candidate gave it (the first of equal totals).
  const best = new Map<
    string,
    { total: number; candidate: Patient; guarded: boolean; index: number }
  >();
  const score = (candidate: Patient, index: number, id: string): number => {
    const theirs = c.prepared(candidate);
    const levels = levelsOf(c, mine, theirs);
    const total = totalOf(c, mine, levels);
    const guarded = guardOf(c, levels, mine, theirs) !== undefined;
    const seen = best.get(id);
    if (seen === undefined) best.set(id, { total, candidate, guarded, index });
    else if (total > seen.total || (total === seen.total && index < seen.index)) {
      seen.total = total;
      seen.candidate = candidate;
      seen.guarded = guarded;
      seen.index = index;
    }
    return total;
  };
  // A candidate whose bound (candidate-bound.ts) is below both thresholds is held, not scored.
  const bound = options.everyCandidate ? undefined : candidateBound(c, mine);
  const floor = Math.min(match, review);
  const held: { candidate: Patient; index: number; id: string; bound: number }[] = [];
  let highest = Number.NEGATIVE_INFINITY;
  candidates.forEach((candidate, index) => {
    const id = candidate.id;
    if (id === undefined) throw new Error("classify: a candidate patient without an id");
    const most = bound?.of(candidate, floor);
    if (most !== undefined && most < floor) held.push({ candidate, index, id, bound: most });
    else highest = Math.max(highest, score(candidate, index, id));
  });
  // None reached a threshold: the best of a "none" may be held. Score each held
  // candidate whose bound does not fall below the highest total scored.
  if (bound !== undefined && highest < floor) {
    held.sort((x, y) => y.bound - x.bound);
    for (const { candidate, index, id } of held) {
      if (bound.of(candidate, highest) < highest) continue;
      highest = Math.max(highest, score(candidate, index, id));
    }
  }
  let matches = 0;
  let matchedId = "";
  let top: { id: string; total: number; candidate: Patient } | undefined;
  const reviewed: { id: string; candidate: Patient }[] = [];
  let guardedMatches = 0;
  let guardedTop = Number.NEGATIVE_INFINITY;
  let matchedTotal = Number.NEGATIVE_INFINITY;
  for (const [id, { total, candidate, guarded }] of best) {
    if (total >= match && guarded) {
      guardedMatches++;
      guardedTop = Math.max(guardedTop, total);
    } else if (total >= match) {
      matches++;
      matchedId = id;
      matchedTotal = total;
    }
    if (total >= review) reviewed.push({ id, candidate });
    if (top === undefined || total > top.total || (total === top.total && id < top.id)) {
      top = { id, total, candidate };
    }
  }
  const describe = (id: string, candidate: Patient) =>
    scoredCandidate(id, detailOf(c, mine, c.prepared(candidate)));
  // A guarded pair (a twin, a household member) is no rival to the one
  // unguarded match that outscores it: the guard says it is another person.
  if (matches === 1 && (guardedMatches === 0 || matchedTotal > guardedTop)) {
    const { candidate } = best.get(matchedId) as { candidate: Patient };
    return { kind: "match", patientId: matchedId, score: detailOf(c, mine, c.prepared(candidate)) };
  }
  if (reviewed.length > 0) {
    const listed = reviewed
      .map(({ id, candidate }) => describe(id, candidate))
      .sort((x, y) => y.total - x.total || (x.patientId < y.patientId ? -1 : 1));
    return {
      kind: "review",
      reason: matches + guardedMatches > 1 ? "ambiguousMatch" : "possibleDuplicate",
      candidates: listed,
    };
  }
  return top === undefined
    ? { kind: "none" }
    : { kind: "none", best: describe(top.id, top.candidate) };
}

function isDemographicField(name: string): name is DemographicField {
  return (DEMOGRAPHIC_FIELDS as readonly string[]).includes(name);
}

/**
 * The changes an update makes to a matched patient on the fields of
 * `fields` (matching.substantialChange), judged by each field's comparator:
 * a level other than agree is a change, so a case change, or William ->
 * Bill, is not. A field the update does not carry (undefined) is no change,
 * nor is filling in a value the stored patient lacks; clearing a stored
 * value (null or empty) is. `stored` and `received` are the values as read
 * (address: line1 and zip; phone and externalId: [key, value] entries).
 */
export function substantialChanges(
  config: CompiledDemographics | DemographicsConfig,
  fields: readonly string[],
  stored: Patient,
  incoming: Patient,
): SubstantialChange[] {
  const c = compiledOf(config);
  const changes: SubstantialChange[] = [];
  for (const name of fields) {
    if (!isDemographicField(name)) {
      throw new Error(`substantialChange: ${name} is not one of ${DEMOGRAPHIC_FIELDS}`);
    }
    const field = c.fieldFor(name);
    const received = field.raw(incoming);
    if (received === undefined) continue;
    const before = field.prepare(stored);
    if (before === undefined) continue;
    const after = field.prepare(incoming);
    const level = after === undefined ? "missing" : field.level(before, after);
    if (level !== "agree")
      changes.push({ field: name, level, stored: field.raw(stored), received });
  }
  return changes;
}

/** The keys of the configuration's blocking passes a patient has: what candidates are looked up by. */
export function blockingKeysFor(
  config: CompiledDemographics | DemographicsConfig,
  patient: Patient,
): BlockingKeys {
  const { passes } = blockingKeysOf(patient, compiledOf(config).blocking);
  return passes ? { passes } : {};
}
