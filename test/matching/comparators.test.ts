import { describe, expect, it } from "vitest";
import {
  areNicknames,
  compareDates,
  doubleMetaphone,
  exact,
  jaroWinkler,
  jaroWinklerLevel,
  nickname,
  phonetic,
  phoneticCodes,
} from "../../engine/matching/index.js";
import { NICKNAME_GROUP_COUNT } from "../../engine/matching/nicknames.js";

describe("exact", () => {
  it("compares text case-blind and ignores punctuation and spacing", () => {
    expect(exact("Smith ", "SMITH")).toBe("agree");
    expect(exact("Smith", "Smyth")).toBe("disagree");
  });
  it("digits: an SSN with or without dashes; all zeros is no value", () => {
    expect(exact("123-45-6789", "123456789", "digits")).toBe("agree");
    expect(exact("123-45-6789", "123-45-6788", "digits")).toBe("disagree");
    expect(exact("000-00-0000", "123456789", "digits")).toBe("missing");
  });
  it("initial: a middle name against its initial", () => {
    expect(exact("Quincy", "q.", "initial")).toBe("agree");
    expect(exact("Quincy", "R", "initial")).toBe("disagree");
  });
  it("last10: a phone with a country code against the bare number", () => {
    expect(exact("+1 (617) 555-1234", "617.555.1234", "last10")).toBe("agree");
    expect(exact("617-555-1234", "617-555-1235", "last10")).toBe("disagree");
  });
  it("is missing when either side has no value", () => {
    expect(exact(null, "A")).toBe("missing");
    expect(exact("A", undefined)).toBe("missing");
    expect(exact("  ", "A")).toBe("missing");
  });
});

describe("jaroWinkler", () => {
  it("gives the textbook similarities", () => {
    expect(jaroWinkler("MARTHA", "MARHTA")).toBeCloseTo(0.961, 3);
    expect(jaroWinkler("DWAYNE", "DUANE")).toBeCloseTo(0.84, 3);
    expect(jaroWinkler("DIXON", "DICKSONX")).toBeCloseTo(0.813, 3);
  });
  it("is symmetric, 1 for equal strings and 0 for nothing in common", () => {
    expect(jaroWinkler("DUANE", "DWAYNE")).toBe(jaroWinkler("DWAYNE", "DUANE"));
    expect(jaroWinkler("ABC", "ABC")).toBe(1);
    expect(jaroWinkler("ABC", "XYZ")).toBe(0);
    expect(jaroWinkler("", "")).toBe(0);
  });
  it("levels: agree at 0.94, partial at 0.85, after normalizing", () => {
    expect(jaroWinklerLevel("martha", "MARHTA")).toBe("agree");
    expect(jaroWinklerLevel("Dwayne", "Duane")).toBe("disagree");
    expect(jaroWinklerLevel("Dwayne", "Duane", { partialAt: 0.8 })).toBe("partial");
    expect(jaroWinklerLevel("Dixon", "Dicksonx", { agreeAt: 0.8 })).toBe("agree");
    expect(jaroWinklerLevel("Dixon", null)).toBe("missing");
  });
});

describe("phonetic (Double Metaphone)", () => {
  it("codes names as Philips' algorithm does", () => {
    expect(doubleMetaphone("SMITH")).toEqual(["SM0", "XMT"]);
    expect(doubleMetaphone("SCHMIDT")).toEqual(["XMT", "SMT"]);
    expect(doubleMetaphone("CATHERINE")).toEqual(["K0RN", "KTRN"]);
    expect(doubleMetaphone("THOMAS")).toEqual(["TMS", "TMS"]);
    expect(doubleMetaphone("JOSE")).toEqual(["HS", "HS"]);
    expect(doubleMetaphone("XAVIER")).toEqual(["SF", "SFR"]);
    expect(doubleMetaphone("KNIGHT")).toEqual(["NT", "NT"]);
    expect(doubleMetaphone("MICHAEL")).toEqual(["MKL", "MXL"]);
    expect(doubleMetaphone("GARCIA")).toEqual(["KRS", "KRX"]);
    expect(doubleMetaphone("EDGAR")).toEqual(["ATKR", "ATKR"]);
    // Codes stop at 4 characters; "McC" is one K (the "McClellan" rule).
    expect(doubleMetaphone("CHRISTOPHER")).toEqual(["KRST", "KRST"]);
    expect(doubleMetaphone("MCCARTHY")).toEqual(["MKR0", "MKRT"]);
  });
  it("normalizes before coding", () => {
    expect(phoneticCodes("o'Connor")).toEqual(doubleMetaphone("OCONNOR"));
    expect(phoneticCodes("--")).toEqual(["", ""]);
  });
  it("agrees when a primary or alternate code is shared, else disagrees", () => {
    expect(phonetic("Smith", "Schmidt")).toBe("agree");
    expect(phonetic("Catherine", "Kathryn")).toBe("agree");
    expect(phonetic("Phillips", "Filips")).toBe("agree");
    expect(phonetic("Smith", "Jones")).toBe("disagree");
    expect(phonetic("", "Jones")).toBe("missing");
  });
});

describe("date", () => {
  it("agrees on the same date in either spelling", () => {
    expect(compareDates("1980-03-04", "19800304")).toBe("agree");
  });
  it("is partial for day and month transposed", () => {
    expect(compareDates("1980-03-04", "1980-04-03")).toBe("partial");
  });
  it("is partial for one digit off", () => {
    expect(compareDates("1980-03-04", "1980-03-05")).toBe("partial");
    expect(compareDates("1980-03-04", "1960-03-04")).toBe("partial");
  });
  it("is partial for the year one apart", () => {
    expect(compareDates("1979-03-04", "1980-03-04")).toBe("partial");
  });
  it("disagrees otherwise", () => {
    expect(compareDates("1980-03-04", "1982-05-04")).toBe("disagree");
    expect(compareDates("1978-03-04", "1980-03-04")).toBe("disagree");
    expect(compareDates("1980-03-04", "1980-04-04x1")).toBe("disagree");
  });
  it("compares a value that is not 8 digits as text", () => {
    expect(compareDates("unknown", "UNKNOWN")).toBe("agree");
  });
  it("is missing without a value", () => {
    expect(compareDates(null, "1980-03-04")).toBe("missing");
    expect(compareDates("0000-00-00", "1980-03-04")).toBe("missing");
  });
});

describe("nickname", () => {
  it("agrees on nickname pairs, either way round and in any case", () => {
    expect(nickname("Bill", "William")).toBe("agree");
    expect(nickname("WILLIAM", "liam")).toBe("agree");
    expect(nickname("Liz", "Elizabeth")).toBe("agree");
    expect(nickname("Bob", "Robert")).toBe("agree");
    expect(nickname("Cathy", "Katherine")).toBe("agree");
    expect(nickname("Peggy", "Margaret")).toBe("agree");
  });
  it("falls back to the Jaro–Winkler levels", () => {
    expect(nickname("Jon", "Jonathan")).toBe("agree");
    expect(nickname("Jonathon", "Jonathan")).toBe("agree");
    expect(nickname("Jonh", "John")).toBe("partial");
    expect(nickname("John", "Jonathan")).toBe("disagree");
    expect(nickname("Bill", "Robert")).toBe("disagree");
    expect(nickname("Bill", null)).toBe("missing");
  });
  it("pairs names only within a group", () => {
    expect(areNicknames("AL", "ALBERT")).toBe(true);
    expect(areNicknames("AL", "ALFRED")).toBe(true);
    expect(areNicknames("ALBERT", "ALFRED")).toBe(false);
    expect(NICKNAME_GROUP_COUNT).toBeGreaterThanOrEqual(150);
  });
});
