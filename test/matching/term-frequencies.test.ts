import { describe, expect, it } from "vitest";
import type { DemographicsConfig } from "../../engine/matching/config.js";
import { scorePair } from "../../engine/matching/scorer.js";
import { trainWeights } from "../../engine/matching/train.js";
import {
  nameShares,
  trainedFileFrom,
  trainedFileText,
  withTrainedWeights,
} from "../../engine/matching/trained-file.js";
import type { Patient } from "../../engine/model/records.js";

/** Term-frequency adjustment (decision 0028): two Smiths agreeing say less than two Zbindens. */

const CONFIG: DemographicsConfig = {
  fields: [
    { field: "lastName", comparator: "jaroWinkler", weights: { agree: 8, disagree: -4 } },
    { field: "firstName", comparator: "nickname", weights: { agree: 6, disagree: -3 } },
  ],
  thresholds: { match: 12, review: 6 },
  termFrequencies: { lastName: { u: 0.001, values: { SMITH: 0.016 } } },
};

describe("termFrequencies", () => {
  it("an agreeing common name weighs log2(share / u) less", () => {
    const a: Patient = { firstName: "Ann", lastName: "Smith" };
    const score = scorePair(CONFIG, a, { ...a, id: "p" });
    expect(score.fields.lastName?.weight).toBeCloseTo(8 - 4, 10);
    expect(score.total).toBeCloseTo(4 + 6, 10);
  });
  it("a name not listed, or a level other than agree, keeps its weight", () => {
    const a: Patient = { firstName: "Ann", lastName: "Zbinden" };
    expect(scorePair(CONFIG, a, { ...a, id: "p" }).fields.lastName?.weight).toBe(8);
    const smith: Patient = { firstName: "Ann", lastName: "Smith" };
    const other = { ...smith, id: "p", lastName: "Jones" };
    expect(scorePair(CONFIG, smith, other).fields.lastName?.weight).toBe(-4);
  });
});

/** Two letters of their own for each i < 260. */
const letters = (i: number) =>
  `${"ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i % 26]}${"ABCDEFGHIJ"[Math.floor(i / 26)]}`;

describe("the trained file's name shares", () => {
  const patients: Patient[] = Array.from({ length: 40 }, (_, i) => ({
    id: String(i),
    firstName: i % 2 ? "Ann" : `First${letters(i)}`,
    lastName: i < 10 ? "Smith" : `Last${letters(i)}`,
    dob: `19${50 + (i % 40)}-01-0${1 + (i % 9)}`,
  }));
  it("keeps only names at least five patients hold, as shares", () => {
    expect(nameShares(patients)).toEqual({
      lastName: { SMITH: 0.25 },
      firstName: { ANN: 0.5 },
    });
  });
  it("reach the scorer through the file, with the field's trained u of agreement", () => {
    const trained = trainWeights(CONFIG, patients);
    const file = trainedFileFrom(trainedFileText(trained, patients.length, nameShares(patients)));
    const u = trained.fields.find((f) => f.field === "lastName")?.u.agree as number;
    expect(file.termFrequencies?.lastName?.values).toEqual({ SMITH: 0.25 });
    expect(file.termFrequencies?.lastName?.u).toBeCloseTo(u, 4);
    const config = withTrainedWeights(CONFIG, file);
    expect(config.termFrequencies?.lastName?.values).toEqual({ SMITH: 0.25 });
  });
});
