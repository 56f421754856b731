import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blocksOf } from "../../engine/matching/blocking.js";
import { candidateBound } from "../../engine/matching/candidate-bound.js";
import {
  classify,
  compileDemographics,
  DEFAULT_DEMOGRAPHICS,
  scorePair,
} from "../../engine/matching/scorer.js";
import type { Patient } from "../../engine/model/records.js";

/**
 * classify scores in full only the candidates whose upper bound
 * (engine/matching/candidate-bound.ts) can reach review, or be the best of
 * a "none". The bound must never be below a pair's total, and the decision
 * must be the one scoring every candidate gives: both are checked on the
 * corpus matching data (read in place), pairs drawn property-style.
 */

const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), "../../../shared/corpus/matching");

/** A corpus CSV's rows as the Patient a PID segment gives (as scripts/match-eval.ts reads them). */
function corpusPatients(file: string): Patient[] {
  const lines = readFileSync(resolve(CORPUS, file), "latin1").split(/\r?\n/);
  const header = (lines[0] ?? "").split(",").map((h) => h.trim());
  const or = (value: string | undefined): string | null => (value ? value : null);
  return lines.slice(1).flatMap((line, i) => {
    if (line.trim() === "") return [];
    const cells = line.split(",").map((cell) => cell.trim());
    const row = Object.fromEntries(header.map((h, j) => [h, cells[j] ?? ""]));
    const dob = row.date_of_birth ?? "";
    const sex = (row.sex ?? "").toUpperCase();
    return [
      {
        id: String(i + 1),
        firstName: or(row.given_name),
        lastName: or(row.surname),
        dob: /^\d{8}$/.test(dob)
          ? `${dob.slice(0, 4)}-${dob.slice(4, 6)}-${dob.slice(6)}`
          : or(dob),
        sex: sex === "M" || sex === "F" ? sex : null,
        ssn: or(row.soc_sec_id),
        address: {
          line1: or([row.street_number, row.address_1].filter(Boolean).join(" ")),
          line2: or(row.address_2),
          city: or(row.suburb),
          state: or(row.state),
          zip: or(row.postcode),
        },
        phones: { home: or(row.phone_number) },
      },
    ];
  });
}

const SETS = {
  febrl3: corpusPatients("febrl/febrl_dataset3.csv"),
  dsgenC1k: corpusPatients("febrl_dsgen/dataset_C_1000.csv"),
  febrlUS1k: corpusPatients("febrl_us/febrl_us_dataset1000.csv"),
};

const matcher = compileDemographics(DEFAULT_DEMOGRAPHICS);
const { review, match } = matcher.thresholds;

/** Each record's block-mates under the default passes, as a store's lookup returns them. */
function blockMates(patients: readonly Patient[]): Patient[][] {
  const mates = patients.map(() => new Set<number>());
  for (const members of blocksOf(patients, matcher.blocking).values()) {
    for (const i of members) for (const j of members) if (i !== j) mates[i]?.add(j);
  }
  return mates.map((set) => [...set].sort((a, b) => a - b).map((j) => patients[j] as Patient));
}

/** A copy without the prepared values the scorer cached for the original. */
const fresh = (p: Patient): Patient => ({ ...p });

describe("the bound of a pair", () => {
  for (const [name, patients] of Object.entries(SETS)) {
    it(`is at least the pair's total, whatever floor stops it (${name}, pairs drawn at random and from blocks)`, () => {
      const mates = blockMates(patients);
      const pair = fc.oneof(
        fc
          .tuple(fc.nat(patients.length - 1), fc.nat(patients.length - 1))
          .map(([i, j]) => [patients[i] as Patient, patients[j] as Patient]),
        fc
          .tuple(fc.nat(patients.length - 1), fc.nat(1000))
          .filter(([i]) => (mates[i]?.length ?? 0) > 0)
          .map(([i, k]) => {
            const list = mates[i] as Patient[];
            return [patients[i] as Patient, list[k % list.length] as Patient];
          }),
      );
      const floor = fc.constantFrom(Number.NEGATIVE_INFINITY, review, match, 0);
      fc.assert(
        fc.property(pair, floor, ([a, b], f) => {
          const total = scorePair(matcher, a as Patient, b as Patient).total;
          const bound = candidateBound(matcher, matcher.prepared(a as Patient)).of(
            fresh(b as Patient),
            f,
          );
          expect(bound).toBeGreaterThanOrEqual(total);
        }),
        { numRuns: 3000, seed: 19 },
      );
    });
  }
});

describe("classify with the bound", () => {
  for (const [name, patients] of Object.entries(SETS)) {
    it(`decides as scoring every candidate does, each record against its block-mates (${name})`, () => {
      const mates = blockMates(patients);
      let differing = 0;
      const kinds = new Map<string, number>();
      patients.forEach((patient, i) => {
        const { id: _id, ...incoming } = patient;
        const candidates = mates[i] as Patient[];
        const bounded = classify(matcher, incoming, candidates.map(fresh));
        const plain = classify(matcher, incoming, candidates.map(fresh), { everyCandidate: true });
        if (JSON.stringify(bounded) !== JSON.stringify(plain)) differing++;
        kinds.set(plain.kind, (kinds.get(plain.kind) ?? 0) + 1);
      });
      expect(differing).toBe(0);
      // The sets hold all three outcomes, so each path is exercised.
      expect([...kinds.keys()].sort()).toEqual(["match", "none", "review"]);
    });
  }

  /** Round weights of its own, so the cases below do not move with the defaults. */
  const small = compileDemographics({
    fields: [
      { field: "ssn", comparator: "identifier", weights: { agree: 10, disagree: -5 } },
      { field: "dob", comparator: "date", weights: { agree: 6, disagree: -4 } },
      { field: "lastName", comparator: "jaroWinkler", weights: { agree: 5, disagree: -3 } },
      { field: "firstName", comparator: "nickname", weights: { agree: 4, disagree: -3 } },
      { field: "address", comparator: "jaroWinkler", weights: { agree: 6, disagree: -2 } },
      { field: "phone", comparator: "identifier", weights: { agree: 5, disagree: -3 } },
    ],
    thresholds: { match: 15, review: 8 },
  });
  const SMITH: Patient = {
    id: "1",
    firstName: "John",
    lastName: "Smith",
    dob: "1980-03-04",
    sex: "M",
    ssn: "123-45-6789",
    phones: { home: "(555) 201-0001" },
    address: { line1: "12 Main St", zip: "12301" },
  };
  /** A block-mate whose SSN, date of birth and phone disagree; its names and address count reads. */
  const counted = (id: string, reads: { count: number }): Patient => {
    const base = { ...SMITH, id, dob: "1950-11-20", ssn: "987-65-4321" };
    return Object.defineProperties(
      { ...base, phones: { home: "(555) 999-0000" } },
      Object.fromEntries(
        (["firstName", "lastName", "address"] as const).map((key) => [
          key,
          {
            enumerable: true,
            get() {
              reads.count++;
              return base[key];
            },
          },
        ]),
      ),
    ) as Patient;
  };

  it("does not read the names or address of a candidate whose SSN, date of birth and phone rule it out (36 at most, 3 after them, review 8)", () => {
    const reads = { count: 0 };
    const { id: _id, ...incoming } = SMITH;
    const decision = classify(small, incoming, [SMITH, counted("2", reads), counted("3", reads)]);
    expect(decision).toMatchObject({ kind: "match", patientId: "1" });
    expect(reads.count).toBe(0);
    classify(small, incoming, [SMITH, counted("4", reads)], { everyCandidate: true });
    expect(reads.count).toBeGreaterThan(0);
  });

  it("still names the best of a none among candidates the bound held (each totals 3)", () => {
    const reads = { count: 0 };
    const { id: _id, ...incoming } = { ...SMITH, ssn: "555-55-5555", dob: "1990-01-01" };
    const candidates = [counted("2", reads), counted("3", reads)];
    expect(classify(small, incoming, candidates)).toEqual(
      classify(small, incoming, candidates, { everyCandidate: true }),
    );
    expect(classify(small, incoming, candidates)).toMatchObject({
      kind: "none",
      best: { patientId: "2" },
    });
  });

  it("keeps the first of equal totals for one id, as scoring every candidate does", () => {
    const { id: _id, ...incoming } = { ...SMITH, ssn: "555-55-5555", dob: "1990-01-01" };
    const low = { ...SMITH, id: "7", phones: { home: "(555) 999-0000" }, middleName: "Q" };
    const candidates = [low, { ...low }, { ...SMITH, id: "8", ssn: "111-22-3333" }];
    expect(classify(small, incoming, candidates)).toEqual(
      classify(small, incoming, candidates, { everyCandidate: true }),
    );
  });
});
