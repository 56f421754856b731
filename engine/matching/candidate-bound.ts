import type { Patient } from "../model/records.js";
import type { ComparatorName } from "./config.js";
import { weightOf } from "./field-weight.js";
import type { CompiledDemographics, CompiledField } from "./scorer.js";

/**
 * A cheap upper bound on a candidate's total, so classify scores in full
 * only the candidates that can still reach review (or be the best of a
 * "none"). Most candidates of a block are other people: their SSN, date of
 * birth and phone disagree, and after those three the bound is below
 * review without preparing or comparing a name or an address.
 *
 * The bound starts from the incoming patient's ceiling: each field the
 * incoming patient has counts its largest weight (a field it lacks weighs
 * 0 whatever the candidate holds). Then the candidate's fields are compared
 * one at a time, cheapest and most telling first, each replacing its
 * largest weight by the weight of its level, until the bound falls below
 * the floor asked or the fields run out. First and last names are never
 * compared here: the scorer may raise their levels when they were written
 * in each other's place, so they always count their largest weight.
 * Term-frequency adjustments only lower a total, and the guards only hold
 * a pair back, so neither can lift a total above the bound.
 *
 * Values are prepared per comparison, not cached: a candidate read from
 * SQLite or PostgreSQL is a fresh object each lookup.
 */
export interface CandidateBound {
  /**
   * A number at least the candidate's total, computed no further than
   * needed to fall below `floor` (so a value ≥ floor says nothing more).
   */
  of(candidate: Patient, floor: number): number;
}

interface BoundPlan {
  /** Indexes in `fields` the bound compares, in the order it compares them. */
  readonly order: readonly number[];
  /** Each field's largest weight: the most it can add to a total. */
  readonly most: Float64Array;
}

/** Comparators that read and compare digits or short codes: cheap to prepare and compare. */
const CHEAP: ReadonlySet<ComparatorName> = new Set(["exact", "identifier", "date"]);

/** Fields whose level the scorer may change after their comparator spoke (swapped names). */
const CROSSED = new Set(["firstName", "lastName"]);

const PLANS = new WeakMap<CompiledDemographics, BoundPlan>();

function planOf(c: CompiledDemographics): BoundPlan {
  let plan = PLANS.get(c);
  if (plan !== undefined) return plan;
  const most = new Float64Array(c.fields.length);
  c.fields.forEach((f, i) => {
    most[i] = Math.max(f.agree, f.partial, f.disagree, 0);
  });
  // The largest fall a disagreement makes, cheap comparators first.
  const swing = (i: number): number => {
    const f = c.fields[i] as CompiledField;
    return (most[i] as number) - Math.min(f.agree, f.partial, f.disagree, 0);
  };
  const order = c.fields
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => !CROSSED.has(f.field))
    .sort(
      (x, y) =>
        Number(!CHEAP.has(x.f.comparator)) - Number(!CHEAP.has(y.f.comparator)) ||
        swing(y.i) - swing(x.i) ||
        x.i - y.i,
    )
    .map(({ i }) => i);
  plan = { order, most };
  PLANS.set(c, plan);
  return plan;
}

/**
 * The bound of candidates against one incoming patient, whose prepared
 * values (`c.prepared(incoming)`) are `mine`.
 */
export function candidateBound(c: CompiledDemographics, mine: readonly unknown[]): CandidateBound {
  const { order, most } = planOf(c);
  const fields = c.fields;
  // A slack far above rounding: the bound sums the weights in another order than the total.
  let ceiling = 1e-9;
  for (let i = 0; i < fields.length; i++) if (mine[i] !== undefined) ceiling += most[i] as number;
  return {
    of(candidate, floor) {
      let bound = ceiling;
      for (let k = 0; k < order.length && bound >= floor; k++) {
        const i = order[k] as number;
        const value = mine[i];
        if (value === undefined) continue;
        const field = fields[i] as CompiledField;
        const level = field.level(value, field.prepare(candidate));
        bound += weightOf(field, level) - (most[i] as number);
      }
      return bound;
    },
  };
}
