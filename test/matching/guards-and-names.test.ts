import { describe, expect, it } from "vitest";
import {
  classify,
  compareDates,
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

/** CONFIG with a phone, so a family's shared fields can reach the match threshold. */
const WITH_PHONE: DemographicsConfig = {
  ...CONFIG,
  fields: [
    ...CONFIG.fields,
    { field: "phone", comparator: "identifier", weights: { agree: 8, disagree: -2 } },
  ],
};

describe("guards.twins", () => {
  const incoming: Patient = { ...ANNA, id: undefined, ssn: null, phones: { home: "5550001111" } };
  const twin: Patient = { ...incoming, id: "p2", firstName: "Maria" };
  it("a first-name disagreement with an agreeing date of birth is review, not a link (on by default)", () => {
    // dob 4 + lastName 6 - firstName 3 + phone 8 = 15 >= match 15.
    expect(scorePair(WITH_PHONE, incoming, twin).total).toBe(15);
    expect(scorePair(WITH_PHONE, incoming, twin).guard).toBe("twins");
    const decision = classify(WITH_PHONE, incoming, [twin]);
    expect(decision.kind).toBe("review");
    expect(decision.kind === "review" && decision.reason).toBe("possibleDuplicate");
  });
  it("off: the same pair links", () => {
    const decision = classify({ ...WITH_PHONE, guards: { twins: false } }, incoming, [twin]);
    expect(decision).toMatchObject({ kind: "match", patientId: "p2" });
  });
  it("a first name that only partially agrees is no twin", () => {
    const close = { ...twin, firstName: "Ana" };
    expect(scorePair(WITH_PHONE, incoming, close).guard).toBeUndefined();
  });
  it("an agreeing SSN is no twin: twins share a birth date, never an SSN", () => {
    const sameSsn = { ...twin, ssn: "123-45-6789" };
    const score = scorePair(WITH_PHONE, { ...incoming, ssn: "123456789" }, sameSsn);
    expect(score.guard).toBeUndefined();
    expect(classify(WITH_PHONE, { ...incoming, ssn: "123456789" }, [sameSsn]).kind).toBe("match");
  });
  it("refuses a guard it does not know", () => {
    expect(() => compileDemographics({ ...CONFIG, guards: { cousins: true } as never })).toThrow(
      /guards: must be a map of twins, household/,
    );
  });
});

describe("guards.household", () => {
  // A family: surname and phone shared; first name, birth date and SSN their own.
  const FAMILY: DemographicsConfig = {
    ...WITH_PHONE,
    fields: [
      ...(WITH_PHONE.fields.map((f) =>
        f.field === "lastName" ? { ...f, weights: { agree: 12, disagree: -4 } } : f,
      ) as DemographicsConfig["fields"]),
    ],
    guards: { twins: true },
  };
  const parent: Patient = { ...ANNA, id: undefined, phones: { home: "5550001111" } };
  const child: Patient = {
    ...parent,
    id: "p2",
    firstName: "Maria",
    dob: "2020-01-01",
    ssn: "987-65-4321",
  };
  it("none of first name, birth date and SSN agreeing is review, not a link (on by default)", () => {
    // lastName 12 + phone 8 - ssn 5 - dob 4 - firstName 3 = 8; below match, so weigh it up:
    const heavy = { ...FAMILY, thresholds: { match: 8, review: 4 } };
    expect(scorePair(heavy, parent, child).total).toBe(8);
    expect(scorePair(heavy, parent, child).guard).toBe("household");
    expect(classify(heavy, parent, [child]).kind).toBe("review");
  });
  it("off: the same pair links", () => {
    const heavy = { ...FAMILY, thresholds: { match: 8, review: 4 }, guards: { household: false } };
    expect(classify(heavy, parent, [child])).toMatchObject({ kind: "match", patientId: "p2" });
  });
  it("a first name, birth date or SSN agreeing even partially is no household", () => {
    expect(scorePair(FAMILY, parent, { ...child, firstName: "Ana" }).guard).toBeUndefined();
    expect(scorePair(FAMILY, parent, { ...child, dob: "2001-07-06" }).guard).toBeUndefined();
    expect(scorePair(FAMILY, parent, { ...child, ssn: "123-45-6780" }).guard).toBeUndefined();
  });
});

describe("date comparator: corrupted dates", () => {
  it("two unequal dates of which one has no calendar month or day say nothing (missing)", () => {
    expect(compareDates("1918-90-87", "1919-08-27")).toBe("missing");
    expect(compareDates("1977-04-17", "1977-40-37")).toBe("missing");
    expect(compareDates("1977-40-37", "1977-40-37")).toBe("agree");
    expect(compareDates("1977-04-17", "1978-05-18")).toBe("disagree");
  });
  it("weighs 0, as a missing value", () => {
    const corrupted = { ...ANNA, id: "p2", dob: "2001-96-07" };
    expect(scorePair(CONFIG, ANNA, corrupted).fields.dob).toEqual({ level: "missing", weight: 0 });
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
