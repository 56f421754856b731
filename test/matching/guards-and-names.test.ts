import { describe, expect, it } from "vitest";
import {
  classify,
  compileDemographics,
  type DemographicsConfig,
  identifier,
  nickname,
  scorePair,
} from "../../engine/matching/index.js";
import { trainWeights } from "../../engine/matching/train.js";
import type { Patient } from "../../engine/model/records.js";

/** Round weights, so the totals below are exact. */
const CONFIG: DemographicsConfig = {
  fields: [
    { field: "ssn", comparator: "identifier", weights: { agree: 10, disagree: -5, partial: 4 } },
    { field: "dob", comparator: "date", weights: { agree: 4, disagree: -4 } },
    { field: "lastName", comparator: "jaroWinkler", weights: { agree: 6, disagree: -4 } },
    { field: "firstName", comparator: "nickname", weights: { agree: 4, disagree: -3 } },
  ],
  thresholds: { match: 15, review: 8 },
  partialFactor: 0.5,
};

const ANNA: Patient = {
  id: "p1",
  firstName: "Anna",
  lastName: "Kowalski",
  dob: "2001-06-07",
  ssn: "123-45-6789",
};

describe("identifier comparator", () => {
  it("one digit different or two adjacent digits swapped is partial", () => {
    expect(identifier("123-45-6789", "123456789")).toBe("agree");
    expect(identifier("123456789", "123456780")).toBe("partial");
    expect(identifier("123456789", "123457689")).toBe("partial");
    expect(identifier("123456789", "123457698")).toBe("disagree");
    expect(identifier("123456789", "12345678")).toBe("disagree");
    expect(identifier(null, "123456789")).toBe("missing");
  });
  it("weighs its partial level with the field's partial weight", () => {
    const other = { ...ANNA, id: "p2", ssn: "123-45-6798" };
    expect(scorePair(CONFIG, ANNA, other).fields.ssn).toEqual({ level: "partial", weight: 4 });
  });
});

describe("first-name initial", () => {
  it("an initial and a name it begins partially agree; another initial disagrees", () => {
    expect(nickname("J", "John")).toBe("partial");
    expect(nickname("John", "j.")).toBe("partial");
    expect(nickname("K", "John")).toBe("disagree");
  });
});

describe("swapped first and last name", () => {
  it("names written in each other's place take the crossed levels", () => {
    const swapped = { ...ANNA, id: "p2", firstName: "Kowalski", lastName: "Anna" };
    const score = scorePair(CONFIG, ANNA, swapped);
    expect(score.fields.firstName?.level).toBe("agree");
    expect(score.fields.lastName?.level).toBe("agree");
    expect(score.total).toBe(24);
  });
  it("does not apply when only one crossed pair is close", () => {
    const other = { ...ANNA, id: "p2", firstName: "Kowalski", lastName: "Nowak" };
    expect(scorePair(CONFIG, ANNA, other).fields.lastName?.level).toBe("disagree");
  });
});

describe("guards.twins", () => {
  const twin: Patient = { ...ANNA, id: "p2", firstName: "Maria", ssn: null };
  const incoming: Patient = { ...ANNA, id: undefined, ssn: "123-45-6789" };
  const sibling: Patient = { ...twin, ssn: "123-45-6789" };
  it("a first-name disagreement with an agreeing date of birth is review, not a link (on by default)", () => {
    // ssn 10 + dob 4 + lastName 6 - firstName 3 = 17 >= match 15.
    expect(scorePair(CONFIG, incoming, sibling).total).toBe(17);
    expect(scorePair(CONFIG, incoming, sibling).guard).toBe("twins");
    const decision = classify(CONFIG, incoming, [sibling]);
    expect(decision.kind).toBe("review");
    expect(decision.kind === "review" && decision.reason).toBe("possibleDuplicate");
  });
  it("off: the same pair links", () => {
    const decision = classify({ ...CONFIG, guards: { twins: false } }, incoming, [sibling]);
    expect(decision).toMatchObject({ kind: "match", patientId: "p2" });
  });
  it("a first name that only partially agrees is no twin", () => {
    const close = { ...sibling, firstName: "Ana" };
    expect(scorePair(CONFIG, incoming, close).guard).toBeUndefined();
  });
  it("refuses a guard it does not know", () => {
    expect(() => compileDemographics({ ...CONFIG, guards: { cousins: true } as never })).toThrow(
      /guards: must be a map of twins/,
    );
  });
});

describe("trainWeights", () => {
  it("gives agreement a positive and disagreement a negative weight on duplicated records", () => {
    const people: Patient[] = [];
    const first = ["Anna", "Boris", "Clara", "David", "Erin", "Farid", "Greta", "Hugo"];
    const last = ["Kowalski", "Nowak", "Smith", "Jones", "Brown", "Lee", "Garcia", "Kim"];
    for (let i = 0; i < 64; i++) {
      const person: Patient = {
        firstName: first[i % 8] as string,
        lastName: last[Math.floor(i / 8)] as string,
        dob: `19${String(40 + i).padStart(2, "0")}-0${(i % 9) + 1}-1${i % 10}`,
        ssn: String(100000000 + i * 7919),
      };
      people.push(person, { ...person, ssn: String(100000000 + i * 7919 + 1) });
    }
    const trained = trainWeights(CONFIG, people, { randomPairs: 5000 });
    expect(trained.pairs).toBeGreaterThan(0);
    for (const field of trained.fields.filter((f) => f.field !== "ssn")) {
      expect(field.weights.agree).toBeGreaterThan(0);
      expect(field.weights.disagree).toBeLessThan(0);
    }
    expect(trained.fields.find((f) => f.field === "ssn")?.weights.partial).toBeGreaterThan(0);
  });
});
