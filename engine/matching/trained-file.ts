import { parse, stringify } from "yaml";
import { DEMOGRAPHIC_FIELDS, type DemographicField, type DemographicsConfig } from "./config.js";
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
export function trainedFileText(trained: TrainedWeights, patients: number): string {
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
  const on = isRecord(doc.trainedOn) ? doc.trainedOn : {};
  const count = (key: string) => (typeof on[key] === "number" ? (on[key] as number) : 0);
  return {
    trainedOn: {
      patients: count("patients"),
      pairs: count("pairs"),
      matchShare: count("matchShare"),
    },
    fields,
  };
}

/** The configuration with each field the file lists weighed by its trained weights, the rest as configured. */
export function withTrainedWeights(
  config: DemographicsConfig,
  file: TrainedFile,
): DemographicsConfig {
  return {
    ...config,
    fields: config.fields.map((field) => {
      const w = file.fields[field.field];
      if (w === undefined) return field;
      const { m: _m, u: _u, weights: _weights, ...rest } = field;
      return { ...rest, weights: { agree: w.agree, partial: w.partial, disagree: w.disagree } };
    }),
  };
}
