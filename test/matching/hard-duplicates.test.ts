import { describe, expect, it } from "vitest";
import { distance } from "../../engine/documents/suggest.js";
import {
  BLOCKING_COMPONENTS,
  blockingComponentsOf,
  DEFAULT_PASSES,
  INDEXED_PASSES,
  passKeysOf,
  passName,
  streetNameOf,
} from "../../engine/matching/blocking.js";
import { NORMALIZERS } from "../../engine/matching/comparators/normalize.js";
import {
  classify,
  compareDates,
  type DemographicsConfig,
  demographicsConfigFrom,
  scorePair,
} from "../../engine/matching/index.js";
import { trainWeights } from "../../engine/matching/train.js";
import {
  trainedFileFrom,
  trainedFileText,
  withTrainedWeights,
} from "../../engine/matching/trained-file.js";
import type { Patient } from "../../engine/model/records.js";

/**
 * Issue 19, the hard duplicates (docs/decisions/0043-location-fields-street-blocks-and-household-evidence.md):
 * swapped digits in a date, near-miss SSNs and birthdays of another year
 * in the household guard, a guarded candidate beside the patient himself,
 * city and ZIP judged by training, street blocks.
 */

/** Round weights, so the totals below are exact. */
const CONFIG: DemographicsConfig = {
  fields: [
    { field: "ssn", comparator: "identifier", weights: { agree: 10, disagree: -5, partial: 4 } },
    { field: "dob", comparator: "date", weights: { agree: 4, disagree: -4 } },
    { field: "lastName", comparator: "jaroWinkler", weights: { agree: 6, disagree: -4 } },
    { field: "firstName", comparator: "nickname", weights: { agree: 4, disagree: -3 } },
    { field: "address", comparator: "jaroWinkler", weights: { agree: 8, disagree: -1 } },
    { field: "phone", comparator: "identifier", weights: { agree: 8, disagree: -1 } },
  ],
  thresholds: { match: 15, review: 8 },
  partialFactor: 0.5,
};

const HOME = { line1: "15 Hambidge Crescent", city: "Daroobalgie", zip: "02073" };

const ELIJAH: Patient = {
  id: "p1",
  firstName: "Elijah",
  lastName: "Sudworth",
  dob: "1994-08-11",
  ssn: "155907803",
  address: HOME,
  phones: { home: "6122357389" },
};

describe("date comparator: swapped digits", () => {
  it("two adjacent digits swapped are partial, even into a date no calendar has", () => {
    expect(compareDates("1933-03-16", "1933-30-16")).toBe("partial");
    expect(compareDates("1980-03-04", "1980-03-40")).toBe("partial");
    expect(compareDates("1980-03-14", "1980-03-41")).toBe("partial");
  });
  it("one mistyped digit into a date no calendar has still says nothing", () => {
    expect(compareDates("2001-06-07", "2001-96-07")).toBe("missing");
  });
});

describe("distance (optimal string alignment), as the household guard reads SSNs", () => {
  it("counts substitutions, insertions, deletions and adjacent swaps as one edit each", () => {
    expect(distance("9879045", "9879955") <= 2).toBe(true);
    expect(distance("123456789", "123457698") <= 2).toBe(true);
    expect(distance("123456789", "12345678") <= 1).toBe(true);
    expect(distance("123456789", "213456798") <= 1).toBe(false);
    expect(distance("155907803", "915449616") <= 2).toBe(false);
    expect(distance("", "12") <= 2).toBe(true);
  });
});

describe("guards.household: what counts as the person's own", () => {
  const housemate: Patient = {
    ...ELIJAH,
    id: "p2",
    firstName: "Maria",
    dob: "1996-08-11",
    ssn: "915449616",
  };
  it("a birth date of another year on the same day, with first names disagreeing, is a housemate's", () => {
    const score = scorePair(CONFIG, ELIJAH, housemate);
    expect(score.fields.dob?.level).toBe("partial");
    expect(score.guard).toBe("household");
  });
  it("a birth date with its day and month swapped is no housemate's", () => {
    expect(scorePair(CONFIG, ELIJAH, { ...housemate, dob: "1994-11-08" }).guard).toBeUndefined();
  });
  it("an SSN two typing errors from the other is no housemate's", () => {
    const near = { ...housemate, dob: "1970-01-01", ssn: "155970813" };
    expect(scorePair(CONFIG, ELIJAH, near).fields.ssn?.level).toBe("disagree");
    expect(scorePair(CONFIG, ELIJAH, near).guard).toBeUndefined();
  });
  it("a first name only close to the other, with surname, birth date and SSN disagreeing, is a housemate's", () => {
    const elthia: Patient = {
      ...housemate,
      firstName: "Elthia",
      lastName: "Earlson",
      dob: "1990-04-17",
    };
    const score = scorePair(CONFIG, ELIJAH, elthia);
    expect(score.fields.firstName?.level).toBe("partial");
    expect(score.guard).toBe("household");
    // The same close first name with the surname agreeing stays no household.
    expect(scorePair(CONFIG, ELIJAH, { ...elthia, lastName: "Sudworth" }).guard).toBeUndefined();
  });
});

describe("guards.twins: twins share a surname", () => {
  const twin: Patient = { ...ELIJAH, id: "p2", firstName: "Maria", ssn: null };
  it("a first-name disagreement with the birth date and surname agreeing is a twin", () => {
    expect(scorePair(CONFIG, ELIJAH, twin).guard).toBe("twins");
  });
  it("with the surname disagreeing too it is no twin: the total decides", () => {
    const renamed = { ...twin, lastName: "Earlson" };
    expect(scorePair(CONFIG, ELIJAH, renamed).fields.lastName?.level).toBe("disagree");
    expect(scorePair(CONFIG, ELIJAH, renamed).guard).toBeUndefined();
  });
});

describe("classify: a guarded candidate beside the patient himself", () => {
  const self: Patient = { ...ELIJAH, id: "self", firstName: "Elija" };
  // Surname, address and phone 22, birth date on another year 2, first name -3, no SSN: 21.
  const sister: Patient = {
    ...ELIJAH,
    id: "sister",
    firstName: "Zoe",
    dob: "1996-08-11",
    ssn: null,
  };
  it("links the one unguarded match that scores above every guarded one", () => {
    expect(scorePair(CONFIG, ELIJAH, sister).guard).toBe("household");
    expect(scorePair(CONFIG, ELIJAH, sister).total).toBe(21);
    expect(classify(CONFIG, ELIJAH, [sister, self])).toMatchObject({
      kind: "match",
      patientId: "self",
    });
  });
  it("a guarded candidate scoring above the unguarded match: review, ambiguousMatch", () => {
    // SSN one typo 4, birth date 4, names 10, another address -1, no phone: 17.
    const weak: Patient = {
      ...self,
      ssn: "155907804",
      address: { line1: "1 Other Road" },
      phones: {},
    };
    expect(scorePair(CONFIG, ELIJAH, weak).total).toBe(17);
    expect(classify(CONFIG, ELIJAH, [sister, weak])).toMatchObject({
      kind: "review",
      reason: "ambiguousMatch",
    });
  });
});

describe("fields city and zip", () => {
  const withPlace: DemographicsConfig = {
    ...CONFIG,
    fields: [
      ...CONFIG.fields,
      { field: "city", comparator: "jaroWinkler", weights: { agree: 3, disagree: -1 } },
      { field: "zip", comparator: "identifier", weights: { agree: 3, disagree: -1 } },
    ],
  };
  it("compare address.city and address.zip; a ZIP+4 is its ZIP", () => {
    const other: Patient = {
      ...ELIJAH,
      id: "p2",
      address: { city: "DAROOBALGIE", zip: "02073-1234" },
    };
    const score = scorePair(withPlace, ELIJAH, other);
    expect(score.fields.city).toEqual({ level: "agree", weight: 3 });
    expect(score.fields.zip).toEqual({ level: "agree", weight: 3 });
    expect(NORMALIZERS.zip("02073-1234")).toBe("02073");
    expect(NORMALIZERS.zip("SW1A 1AA")).toBe("SW1A1AA");
  });
  it("are fields a pack may list", () => {
    expect(demographicsConfigFrom(withPlace).fields.map((f) => f.field)).toContain("zip");
  });
});

describe("rulepack match train: city and ZIP judged by the practice's data", () => {
  const streets = ["Main St", "Oak Ave", "Elm Rd", "Pine Ct"];
  const cities = ["Springfield", "Shelbyville", "Ogdenville", "Brockway"];
  const people: Patient[] = [];
  for (let i = 0; i < 48; i++) {
    const person: Patient = {
      firstName: ["Anna", "Boris", "Clara", "David", "Erin", "Farid"][i % 6] as string,
      lastName: ["Kowalski", "Nowak", "Smith", "Jones", "Brown", "Lee", "Garcia", "Kim"][
        Math.floor(i / 6)
      ] as string,
      dob: `19${String(40 + i).padStart(2, "0")}-0${(i % 9) + 1}-1${i % 10}`,
      ssn: String(100000000 + i * 7919),
      address: {
        line1: `${i + 1} ${streets[i % 4]}`,
        city: cities[Math.floor(i / 12)] as string,
        zip: String(10000 + i * 37),
      },
    };
    people.push(person, { ...person, ssn: String(100000000 + i * 7919 + 1) });
  }
  it("trains city and zip beside the pack's fields, and a pack naming the file compares them", () => {
    const trained = trainWeights(CONFIG, people, { randomPairs: 5000 });
    const names = trained.fields.map((f) => f.field);
    expect(names).toEqual(expect.arrayContaining(["city", "zip"]));
    const zip = trained.fields.find((f) => f.field === "zip");
    expect(zip?.weights.agree).toBeGreaterThan(0);
    const config = withTrainedWeights(
      CONFIG,
      trainedFileFrom(trainedFileText(trained, people.length)),
    );
    expect(config.fields.map((f) => f.field)).toEqual([
      "ssn",
      "dob",
      "lastName",
      "firstName",
      "address",
      "phone",
      "city",
      "zip",
    ]);
    expect(config.fields.at(-1)?.comparator).toBe("identifier");
  });
  it("leaves them out when no compared pair holds them, and a file without them adds nothing", () => {
    const bare = people.map(({ address: _address, ...rest }) => rest);
    const trained = trainWeights(CONFIG, bare, { randomPairs: 5000 });
    expect(trained.fields.map((f) => f.field)).not.toContain("city");
    const config = withTrainedWeights(CONFIG, trainedFileFrom("fields: {}\n"));
    expect(config.fields).toHaveLength(CONFIG.fields.length);
  });
});

describe("blocking passes on the street", () => {
  it("the street's name is the first word of letters, house numbers and units left out", () => {
    expect(streetNameOf("12B Main St")).toBe("MAIN");
    expect(streetNameOf("57 burkittstreet")).toBe("BURKITTSTREET");
    expect(streetNameOf("4 / 17 O'Connell Street")).toBe("OCONNELL");
    expect(streetNameOf("223")).toBe("");
    expect(streetNameOf(null)).toBe("");
  });
  it("streetSoundex and citySoundex are components; the two street passes (with the first initial) are indexed and on by default", () => {
    expect(BLOCKING_COMPONENTS).toEqual(expect.arrayContaining(["streetSoundex", "citySoundex"]));
    const names = (passes: readonly (readonly string[])[]) =>
      passes.map((p) => passName(p as never));
    for (const pass of [
      "firstInitial+zip+streetSoundex",
      "firstInitial+streetSoundex+citySoundex",
    ]) {
      expect(names(INDEXED_PASSES)).toContain(pass);
      expect(names(DEFAULT_PASSES)).toContain(pass);
    }
  });
  it("a record whose surname, first name (but its initial), birth date and numbers were mistyped shares its street's keys", () => {
    const stored: Patient = {
      firstName: "Madelyn",
      lastName: "Gilbey",
      dob: "1970-12-04",
      ssn: "4470530",
      address: { line1: "175 chuculba crescent", city: "arundel", zip: "2852" },
      phones: { home: "03 00651776" },
    };
    const typed: Patient = {
      firstName: "Madootn",
      lastName: "Jilbey",
      dob: "1970-21-04",
      ssn: "4475930",
      address: { line1: "106 chuculbcrescent", city: "arundell", zip: "2852" },
      phones: { home: "03 00615776" },
    };
    expect(blockingComponentsOf(typed)).toMatchObject({ streetSoundex: "C241", zip: "2852" });
    const shared = passKeysOf(stored, DEFAULT_PASSES).filter((k) =>
      passKeysOf(typed, DEFAULT_PASSES).includes(k),
    );
    expect(shared).toEqual([
      "firstInitial+zip+streetSoundex:M|2852|C241",
      "firstInitial+streetSoundex+citySoundex:M|C241|A653",
    ]);
  });
});
