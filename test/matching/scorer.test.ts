import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  blockingKeysFor,
  classify,
  compileDemographics,
  DEFAULT_DEMOGRAPHICS,
  type DemographicsConfig,
  DemographicsConfigError,
  demographicsConfigFrom,
  scorePair,
  substantialChanges,
} from "../../engine/matching/index.js";
import type { Patient } from "../../engine/model/records.js";

/** Round weights, so the totals below are exact. dob: m 0.8, u 0.2 -> agree 2, disagree -2. */
const TINY: DemographicsConfig = {
  fields: [
    { field: "ssn", comparator: "exact", weights: { agree: 10, disagree: -5 } },
    { field: "dob", comparator: "date", m: 0.8, u: 0.2 },
    { field: "lastName", comparator: "jaroWinkler", weights: { agree: 6, disagree: -4 } },
    { field: "firstName", comparator: "nickname", weights: { agree: 4, disagree: -3 } },
  ],
  thresholds: { match: 15, review: 8 },
  partialFactor: 0.5,
};
const tiny = compileDemographics(TINY);

const JOHN: Patient = {
  id: "p1",
  firstName: "John",
  lastName: "Smith",
  dob: "1980-03-04",
  ssn: "123-45-6789",
};

describe("weights", () => {
  const weights = Object.fromEntries(
    compileDemographics(DEFAULT_DEMOGRAPHICS).fields.map((f) => [
      f.field,
      [f.agree, f.partial, f.disagree],
    ]),
  );
  it("agree = log2(m/u), disagree = log2((1−m)/(1−u)), partial = partialFactor × agree", () => {
    const expected: Record<string, [number, number, number]> = {
      ssn: [13.243769, 6.621885, -5.058749],
      dob: [8.336878, 4.168439, -5.054559],
      lastName: [6.569856, 3.284928, -4.307429],
      firstName: [5.599913, 2.799956, -5.029747],
      middleName: [3, 1.5, -2.169925],
      sex: [0.970854, 0.485427, -4.643856],
      address: [9.643856, 4.821928, -2.320485],
      phone: [7.409391, 3.704695, -2.729734],
      externalId: [16.595141, 8.29757, -6.643842],
    };
    for (const [field, [agree, partial, disagree]] of Object.entries(expected)) {
      const [a, p, d] = weights[field] as number[];
      expect(a, field).toBeCloseTo(agree, 5);
      expect(p, field).toBeCloseTo(partial, 5);
      expect(d, field).toBeCloseTo(disagree, 5);
    }
  });
  it("weights: {agree, disagree} are taken as given; partial follows partialFactor", () => {
    const ssn = tiny.fields[0];
    expect([ssn?.agree, ssn?.partial, ssn?.disagree]).toEqual([10, 5, -5]);
    const dob = tiny.fields[1];
    expect(dob?.agree).toBeCloseTo(2, 12);
    expect(dob?.disagree).toBeCloseTo(-2, 12);
  });
});

describe("scorePair", () => {
  it("sums the field weights, each with its level", () => {
    const score = scorePair(tiny, JOHN, { ...JOHN, id: "p2", dob: "1980-04-03", firstName: "Jon" });
    expect(score.fields.ssn).toEqual({ level: "agree", weight: 10 });
    expect(score.fields.dob?.level).toBe("partial");
    expect(score.fields.dob?.weight).toBeCloseTo(1, 12);
    expect(score.fields.lastName).toEqual({ level: "agree", weight: 6 });
    expect(score.fields.firstName).toEqual({ level: "agree", weight: 4 });
    expect(score.total).toBeCloseTo(21, 12);
  });
  it("a value missing on either side weighs 0", () => {
    const score = scorePair(tiny, JOHN, { id: "p2", lastName: "SMITH", ssn: null });
    expect(score.fields.ssn).toEqual({ level: "missing", weight: 0 });
    expect(score.fields.dob).toEqual({ level: "missing", weight: 0 });
    expect(score.fields.firstName).toEqual({ level: "missing", weight: 0 });
    expect(score.total).toBe(6);
  });
  it("disagreements subtract", () => {
    const score = scorePair(tiny, JOHN, {
      id: "p2",
      firstName: "Mary",
      lastName: "Jones",
      dob: "1990-01-01",
      ssn: "987654321",
    });
    expect(score.total).toBeCloseTo(-14, 12);
  });
  it("compiles a plain config once and scores the same", () => {
    const other = { ...JOHN, id: "p2" };
    expect(scorePair(TINY, JOHN, other)).toEqual(scorePair(tiny, JOHN, other));
  });
  it("phones: any of home, mobile and work may match any other", () => {
    const config = compileDemographics({
      fields: [{ field: "phone", comparator: "exact", m: 0.8, u: 0.2 }],
      thresholds: { match: 1, review: 0 },
    });
    const a: Patient = { phones: { home: "617-555-0001", mobile: "(617) 555-0002" } };
    const b: Patient = { phones: { work: "+1 617 555 0002" } };
    expect(scorePair(config, a, b).fields.phone?.level).toBe("agree");
    expect(scorePair(config, a, { phones: { home: "6175550003" } }).fields.phone?.level).toBe(
      "disagree",
    );
    expect(scorePair(config, a, { phones: {} }).fields.phone?.level).toBe("missing");
  });
  it("external IDs compare only under the same name", () => {
    const config = compileDemographics({
      fields: [{ field: "externalId", comparator: "exact", m: 0.8, u: 0.2 }],
      thresholds: { match: 1, review: 0 },
    });
    const a: Patient = { externalIds: { MRN: "a1", CHART: "9" } };
    expect(scorePair(config, a, { externalIds: { MRN: "A1" } }).fields.externalId?.level).toBe(
      "agree",
    );
    expect(scorePair(config, a, { externalIds: { MRN: "b2" } }).fields.externalId?.level).toBe(
      "disagree",
    );
    expect(scorePair(config, a, { externalIds: { OTHER: "a1" } }).fields.externalId?.level).toBe(
      "missing",
    );
  });
  it("address is line1 and zip; sex U says nothing", () => {
    const config = compileDemographics({
      fields: [
        { field: "address", comparator: "jaroWinkler", m: 0.8, u: 0.2 },
        { field: "sex", comparator: "exact", m: 0.8, u: 0.2 },
      ],
      thresholds: { match: 1, review: 0 },
    });
    const a: Patient = { sex: "F", address: { line1: "12 Main St.", zip: "02139", city: "X" } };
    const b: Patient = { sex: "U", address: { line1: "12 MAIN ST", zip: "02139", city: "Y" } };
    const score = scorePair(config, a, b);
    expect(score.fields.address?.level).toBe("agree");
    expect(score.fields.sex?.level).toBe("missing");
  });
});

describe("classify", () => {
  const same = (id: string, changes: Partial<Patient> = {}): Patient => ({
    ...JOHN,
    id,
    ...changes,
  });

  it("total ≥ match against exactly one candidate: match", () => {
    const decision = classify(tiny, JOHN, [same("a"), same("b", { ssn: null, lastName: "Jones" })]);
    expect(decision.kind).toBe("match");
    if (decision.kind !== "match") return;
    expect(decision.patientId).toBe("a");
    expect(decision.score.total).toBeCloseTo(22, 12);
  });
  it("total ≥ match against more than one candidate: review, ambiguousMatch", () => {
    const decision = classify(tiny, JOHN, [same("b", { dob: null }), same("a")]);
    expect(decision).toMatchObject({ kind: "review", reason: "ambiguousMatch" });
    if (decision.kind !== "review") return;
    expect(decision.candidates.map((c) => [c.patientId, c.total])).toEqual([
      ["a", 22],
      ["b", 20],
    ]);
    expect(decision.candidates[1]?.scores).toEqual({ ssn: 10, dob: 0, lastName: 6, firstName: 4 });
    expect(decision.candidates[1]?.fields.dob).toEqual({ level: "missing", weight: 0 });
  });
  it("review ≤ total < match: review, possibleDuplicate, listing only the band", () => {
    const inBand = same("a", { ssn: null }); // 2 + 6 + 4 = 12
    const below = same("b", { ssn: null, firstName: "Mary" }); // 2 + 6 - 3 = 5
    const decision = classify(tiny, JOHN, [below, inBand]);
    expect(decision).toMatchObject({ kind: "review", reason: "possibleDuplicate" });
    if (decision.kind !== "review") return;
    expect(decision.candidates.map((c) => [c.patientId, c.total])).toEqual([["a", 12]]);
  });
  it("total exactly at a threshold counts as reaching it", () => {
    const atMatch = classify(tiny, JOHN, [same("a", { dob: "1990-01-01", firstName: "Jon" })]);
    expect(atMatch).toMatchObject({ kind: "match", patientId: "a" }); // 10 - 2 + 6 + 4 = 18
    const atReview = compileDemographics({ ...TINY, thresholds: { match: 20, review: 18 } });
    expect(classify(atReview, JOHN, [same("a", { dob: "1990-01-01" })])).toMatchObject({
      kind: "review",
      reason: "possibleDuplicate",
    });
  });
  it("total < review: none, with the best candidate", () => {
    const decision = classify(tiny, JOHN, [
      same("a", { ssn: null, firstName: "Mary" }),
      same("b", { ssn: "999-99-9999", dob: null }),
    ]);
    expect(decision.kind).toBe("none");
    if (decision.kind !== "none") return;
    expect(decision.best?.patientId).toBe("a");
    expect(decision.best?.total).toBeCloseTo(5, 12);
  });
  it("no candidates: none without a best", () => {
    expect(classify(tiny, JOHN, [])).toEqual({ kind: "none" });
  });
  it("candidates with the same id count once, by their best total", () => {
    const decision = classify(tiny, JOHN, [same("a"), same("a", { dob: null })]);
    expect(decision).toMatchObject({ kind: "match", patientId: "a" });
  });
  it("a candidate without an id is an error", () => {
    expect(() => classify(tiny, JOHN, [{ lastName: "Smith" }])).toThrow(/without an id/);
  });
});

describe("the defaults on typical cases", () => {
  const stored: Patient = {
    id: "p1",
    firstName: "William",
    lastName: "Smith",
    dob: "1980-03-04",
    sex: "M",
    address: { line1: "12 Main St", zip: "02139" },
    phones: { home: "617-555-1234" },
  };
  const total = (incoming: Patient) => scorePair(DEFAULT_DEMOGRAPHICS, incoming, stored).total;

  it("a nickname and a last-name typo, same date, address and phone, no SSN: match", () => {
    const incoming: Patient = { ...stored, id: "new", firstName: "Bill", lastName: "Smitt" };
    expect(total(incoming)).toBeCloseTo(35.24582, 4);
    expect(classify(DEFAULT_DEMOGRAPHICS, incoming, [stored]).kind).toBe("match");
  });
  it("the same person after a move (new address and phone), no SSN: review", () => {
    const incoming: Patient = {
      ...stored,
      address: { line1: "9 Elm Road", zip: "10001" },
      phones: { home: "212-555-9876" },
    };
    expect(total(incoming)).toBeCloseTo(16.427282, 4);
    expect(classify(DEFAULT_DEMOGRAPHICS, incoming, [stored])).toMatchObject({
      kind: "review",
      reason: "possibleDuplicate",
    });
  });
  it("a family member (same name, address, phone, sex; other first name and date): none", () => {
    const son: Patient = { ...stored, firstName: "Oliver", dob: "2012-11-21", ssn: "111-22-3333" };
    const father = { ...stored, ssn: "444-55-6666" };
    expect(scorePair(DEFAULT_DEMOGRAPHICS, son, father).total).toBeCloseTo(9.450902, 4);
    expect(classify(DEFAULT_DEMOGRAPHICS, son, [father]).kind).toBe("none");
  });
});

describe("substantialChanges", () => {
  const fields = ["dob", "lastName", "firstName", "sex", "ssn"];
  const stored: Patient = { ...JOHN, sex: "M", firstName: "William" };

  it("a case change, or William -> Bill, is not a change", () => {
    const incoming = { ...stored, lastName: "SMITH", firstName: "bill", ssn: "123456789" };
    expect(substantialChanges(DEFAULT_DEMOGRAPHICS, fields, stored, incoming)).toEqual([]);
  });
  it("reports each changed field with its level and both values", () => {
    const incoming = { ...stored, dob: "1980-04-03", lastName: "Jones" };
    expect(substantialChanges(DEFAULT_DEMOGRAPHICS, fields, stored, incoming)).toEqual([
      { field: "dob", level: "partial", stored: "1980-03-04", received: "1980-04-03" },
      { field: "lastName", level: "disagree", stored: "Smith", received: "Jones" },
    ]);
  });
  it("a field the update does not carry, or one filled in for the first time, is no change", () => {
    const partial: Patient = { id: "x", lastName: "Smith" };
    expect(substantialChanges(DEFAULT_DEMOGRAPHICS, fields, stored, partial)).toEqual([]);
    const bare: Patient = { id: "p1", lastName: "Smith" };
    expect(substantialChanges(DEFAULT_DEMOGRAPHICS, fields, bare, stored)).toEqual([]);
  });
  it("clearing a stored value is a change", () => {
    expect(
      substantialChanges(DEFAULT_DEMOGRAPHICS, fields, stored, { ...stored, ssn: null }),
    ).toEqual([{ field: "ssn", level: "missing", stored: "123-45-6789", received: null }]);
  });
  it("only the listed fields count", () => {
    const incoming = { ...stored, dob: "1990-01-01", lastName: "Jones" };
    expect(
      substantialChanges(DEFAULT_DEMOGRAPHICS, ["lastName"], stored, incoming).map((c) => c.field),
    ).toEqual(["lastName"]);
  });
  it("a field the scorer does not compare is judged by its default comparator", () => {
    const config = { ...TINY, fields: TINY.fields.filter((f) => f.field !== "ssn") };
    const incoming = { ...stored, ssn: "123 45 6789", sex: "F" };
    expect(substantialChanges(config, fields, stored, incoming).map((c) => c.field)).toEqual([
      "sex",
    ]);
  });
  it("an unknown field name is an error", () => {
    expect(() => substantialChanges(tiny, ["shoeSize"], stored, stored)).toThrow(/shoeSize/);
  });
});

describe("blockingKeysFor", () => {
  const patient: Patient = {
    lastName: "Smith",
    dob: "1980-03-04",
    ssn: "123-45-6789",
    phones: { home: "617-555-1234" },
  };
  it("gives the key of every default pass whose components all have a value", () => {
    expect(blockingKeysFor(DEFAULT_DEMOGRAPHICS, patient)).toEqual({
      passes: [
        "lastNameSoundex+birthYear:S530|1980",
        "dob:19800304",
        "ssn:123456789",
        "phone:6175551234",
      ],
    });
  });
  it("gives only the configured passes' keys, components in their fixed order", () => {
    const config = { ...TINY, blocking: [["birthYear", "lastNameSoundex"], ["phone"]] } as const;
    expect(blockingKeysFor(config, patient)).toEqual({
      passes: ["lastNameSoundex+birthYear:S530|1980", "phone:6175551234"],
    });
  });
  it("refuses a pass the stores do not index", () => {
    expect(() => compileDemographics({ ...TINY, blocking: [["sex" as never]] })).toThrow(
      /blocking\[0\]: must be a non-empty list of/,
    );
    expect(() => compileDemographics({ ...TINY, blocking: [["zip"]] })).toThrow(
      /blocking\[0\]: zip is not a pass the stores index/,
    );
  });
});

describe("configuration", () => {
  const bad = (change: Record<string, unknown>, message: RegExp) => {
    expect(() => compileDemographics({ ...TINY, ...change } as DemographicsConfig)).toThrow(
      message,
    );
  };
  it("rejects what makes no sense, saying where", () => {
    const field = (extra: Record<string, unknown>) => ({
      fields: [{ field: "ssn", comparator: "exact", ...extra }],
    });
    bad(field({ m: 0.1, u: 0.2 }), /fields\[0\]: m \(0.1\) must exceed u/);
    bad(field({ m: 1, u: 0.2 }), /fields\[0\]\.m/);
    bad(field({ m: 0.9, u: 0.1, weights: { agree: 1, disagree: -1 } }), /either m and u/);
    bad(field({}), /either m and u/);
    bad(field({ m: 0.9, u: 0.1, agreeAt: 0.8, partialAt: 0.9 }), /partialAt/);
    bad(field({ m: 0.9, u: 0.1, colour: "red" }), /fields\[0\]\.colour: unknown key/);
    bad({ fields: [{ field: "shoeSize", m: 0.9, u: 0.1 }] }, /fields\[0\]\.field/);
    bad({ fields: [{ field: "ssn", comparator: "soundex", m: 0.9, u: 0.1 }] }, /comparator/);
    bad({ fields: [TINY.fields[0], TINY.fields[0]] }, /ssn is listed twice/);
    bad({ thresholds: { match: 5, review: 8 } }, /review must not exceed match/);
    bad({ partialFactor: 2 }, /partialFactor/);
    bad({ blocking: ["shoeSize"] }, /blocking/);
    expect(() => demographicsConfigFrom(null)).toThrow(DemographicsConfigError);
  });
  it("a field without a comparator takes the default field's", () => {
    const config = compileDemographics({
      fields: [{ field: "firstName", m: 0.9, u: 0.1 }],
      thresholds: { match: 1, review: 0 },
    });
    expect(config.fields[0]?.comparator).toBe("nickname");
  });
  it("the evaluation's YAML states the defaults", () => {
    const url = new URL("../fixtures/matching/eval-config.yaml", import.meta.url);
    const yaml = parse(readFileSync(url, "utf8")) as { matching: { demographics: unknown } };
    const config = demographicsConfigFrom(yaml.matching.demographics);
    expect(config).toEqual(DEFAULT_DEMOGRAPHICS);
  });
});
