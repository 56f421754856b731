import { parse, stringify } from "yaml";
import type { Patient } from "../model/records.js";
import { normalizeName } from "./comparators/normalize.js";
import {
  DEMOGRAPHIC_FIELDS,
  type DemographicField,
  type DemographicsConfig,
  type TermFrequencies,
  TRAINED_EXTRA_FIELDS,
} from "./config.js";
import type { TrainedWeights } from "./train.js";

/**
 * The file `rulepack match train` writes and a pack names in
 * `matching.demographics.trained` (docs/decisions/0028-capped-blocks-and-practice-weights.md):
 * per field, the weight of each comparison level estimated on the
 * practice's own patients. A field the file does not list keeps the pack's
 * hand-set m and u.
 *
 * ```yaml
 * trainedOn: { patients: 48210, pairs: 310422, matchShare: 0.0121 }
 * fields:
 *   lastName: { agree: 9.3, partial: 6.1, disagree: -3.1, m: {...}, u: {...} }
 * ```
 */
export interface TrainedFile {
  readonly trainedOn: {
    readonly patients: number;
    readonly pairs: number;
    readonly matchShare: number;
  };
  readonly fields: Readonly<
    Partial<Record<DemographicField, { agree: number; partial: number; disagree: number }>>
  >;
  /** Common first and last names with their shares of the patients (the term-frequency adjustment). */
  readonly termFrequencies?: DemographicsConfig["termFrequencies"];
}

/** A name counts as common when this share of the patients, and at least MIN_HOLDERS of them, hold it. */
const MIN_SHARE = 0.001;
const MIN_HOLDERS = 5;

/**
 * The shares of the common first and last names among the patients
 * (normalized as the scorer compares them). Only names many patients
 * hold are kept: the file is an aggregate, not a list of patients.
 */
export function nameShares(
  patients: readonly Patient[],
): Record<"lastName" | "firstName", Record<string, number>> {
  const counts = { lastName: new Map<string, number>(), firstName: new Map<string, number>() };
  for (const p of patients) {
    for (const field of ["lastName", "firstName"] as const) {
      const name = normalizeName(p[field] ?? "");
      if (name) counts[field].set(name, (counts[field].get(name) ?? 0) + 1);
    }
  }
  const shares = (map: Map<string, number>) => {
    const out: Record<string, number> = {};
    const least = Math.max(MIN_HOLDERS, MIN_SHARE * patients.length);
    for (const [name, n] of [...map].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))) {
      if (n >= least) out[name] = Math.round((n / patients.length) * 1e6) / 1e6;
    }
    return out;
  };
  return { lastName: shares(counts.lastName), firstName: shares(counts.firstName) };
}

/** A trained-weights file that does not have the shape, with where: `fields.dob.agree`. */
export class TrainedFileError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = "TrainedFileError";
  }
}

/** The file's text for trained weights of `patients` patients (YAML, m and u kept for a reader). */
export function trainedFileText(
  trained: TrainedWeights,
  patients: number,
  shares?: Record<"lastName" | "firstName", Record<string, number>>,
): string {
  const round = (n: number) => Math.round(n * 10_000) / 10_000;
  const fields: Record<string, unknown> = {};
  for (const f of trained.fields) {
    // A level the data never showed has no estimate: the field keeps its hand-set weights.
    if (!(f.weights.agree > f.weights.disagree)) continue;
    fields[f.field] = {
      agree: round(f.weights.agree),
      partial: round(Math.min(f.weights.partial, f.weights.agree)),
      disagree: round(Math.min(f.weights.disagree, 0)),
      m: { agree: round(f.m.agree), partial: round(f.m.partial), disagree: round(f.m.disagree) },
      u: { agree: round(f.u.agree), partial: round(f.u.partial), disagree: round(f.u.disagree) },
    };
  }
  return `# Written by rulepack match train: weights (log2 m/u) per comparison level, estimated by EM\n# over this practice's stored patients. A field not listed keeps the pack's m and u.\n${stringify(
    {
      trainedOn: { patients, pairs: trained.pairs, matchShare: round(trained.matchShare) },
      fields,
      ...(shares && { termFrequencies: shares }),
    },
  )}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Reads a trained-weights file's text; throws TrainedFileError at the first problem. */
export function trainedFileFrom(text: string): TrainedFile {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new TrainedFileError("", `not YAML (${(e as Error).message.split("\n")[0]})`);
  }
  if (!isRecord(doc) || !isRecord(doc.fields))
    throw new TrainedFileError("fields", "must be a map");
  const fields: Record<string, { agree: number; partial: number; disagree: number }> = {};
  for (const [name, value] of Object.entries(doc.fields)) {
    if (!(DEMOGRAPHIC_FIELDS as readonly string[]).includes(name)) {
      throw new TrainedFileError(`fields.${name}`, "not a demographic field");
    }
    if (!isRecord(value)) throw new TrainedFileError(`fields.${name}`, "must be a map");
    const level = (key: string): number => {
      const n = value[key];
      if (typeof n !== "number" || !Number.isFinite(n)) {
        throw new TrainedFileError(`fields.${name}.${key}`, "must be a number");
      }
      return n;
    };
    const weights = {
      agree: level("agree"),
      partial: level("partial"),
      disagree: level("disagree"),
    };
    if (weights.agree < weights.disagree) {
      throw new TrainedFileError(`fields.${name}`, "agree must not be below disagree");
    }
    fields[name] = weights;
  }
  const termFrequencies: Partial<Record<"lastName" | "firstName", TermFrequencies>> = {};
  if (doc.termFrequencies !== undefined) {
    if (!isRecord(doc.termFrequencies)) {
      throw new TrainedFileError("termFrequencies", "must be a map");
    }
    for (const [name, values] of Object.entries(doc.termFrequencies)) {
      if (name !== "lastName" && name !== "firstName") {
        throw new TrainedFileError(`termFrequencies.${name}`, "must be lastName or firstName");
      }
      const u = (
        isRecord(doc.fields[name]) && isRecord((doc.fields[name] as Record<string, unknown>).u)
          ? (
              (doc.fields[name] as Record<string, Record<string, unknown>>).u as Record<
                string,
                unknown
              >
            ).agree
          : undefined
      ) as number | undefined;
      if (!isRecord(values)) throw new TrainedFileError(`termFrequencies.${name}`, "must be a map");
      for (const [value, share] of Object.entries(values)) {
        if (typeof share !== "number" || !(share > 0 && share <= 1)) {
          throw new TrainedFileError(
            `termFrequencies.${name}.${value}`,
            "must be a share in (0, 1]",
          );
        }
      }
      // Without the field's trained u of agreement there is nothing to compare a share with.
      if (typeof u === "number" && u > 0 && u < 1) {
        termFrequencies[name] = { u, values: values as Record<string, number> };
      }
    }
  }
  const on = isRecord(doc.trainedOn) ? doc.trainedOn : {};
  const count = (key: string) => (typeof on[key] === "number" ? (on[key] as number) : 0);
  return {
    trainedOn: {
      patients: count("patients"),
      pairs: count("pairs"),
      matchShare: count("matchShare"),
    },
    fields,
    ...(Object.keys(termFrequencies).length > 0 && { termFrequencies }),
  };
}

/**
 * The configuration with each field the file lists weighed by its trained
 * weights, the rest as configured; a field training adds (TRAINED_EXTRA_FIELDS:
 * city, ZIP) that the file lists and the configuration does not is compared
 * with its trained weights.
 */
export function withTrainedWeights(
  config: DemographicsConfig,
  file: TrainedFile,
): DemographicsConfig {
  // Fields training adds (city, ZIP) are compared when the file lists them.
  const listed = new Set(config.fields.map((f) => f.field));
  const added = TRAINED_EXTRA_FIELDS.filter(
    (f) => !listed.has(f.field) && file.fields[f.field] !== undefined,
  );
  return {
    ...config,
    ...(file.termFrequencies && { termFrequencies: file.termFrequencies }),
    fields: [...config.fields, ...added].map((field) => {
      const w = file.fields[field.field];
      if (w === undefined) return field;
      const { m: _m, u: _u, weights: _weights, ...rest } = field;
      return { ...rest, weights: { agree: w.agree, partial: w.partial, disagree: w.disagree } };
    }),
  };
}
