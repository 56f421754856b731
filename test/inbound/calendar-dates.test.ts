import { describe, expect, it } from "vitest";
import { convertValue } from "../../engine/inbound/convert.js";
import { CANONICAL_FIELDS } from "../../engine/model/canonical-fields.js";

/**
 * A date of birth is a calendar date: the day written is the day, whatever
 * time and offset follow it. Only the day a service happens is an instant
 * read in the practice's time zone (docs/pack-language.md §5.1 Conversion).
 */
const ZONE = "America/Chicago";

describe("Conversion to date (a calendar date as written)", () => {
  it.each([["patient.dob"], ["patient.guarantor.dob"], ["policy.insured.dob"]])(
    "%s is a calendar date",
    (field) => {
      expect(CANONICAL_FIELDS[field]).toBe("date");
    },
  );

  it("19800214233000-0800 is 1980-02-14 (its UTC instant is the 15th)", () => {
    expect(convertValue("date", "19800214233000-0800", ZONE)).toStrictEqual({
      ok: true,
      value: "1980-02-14",
    });
  });

  it("202603110300+0000 is 2026-03-11 (the practice's zone plays no part)", () => {
    expect(convertValue("date", "202603110300+0000", ZONE)).toStrictEqual({
      ok: true,
      value: "2026-03-11",
    });
  });
});

describe("Conversion to serviceDate (the practice's calendar day of an instant)", () => {
  it("claim.serviceDate is a service date", () => {
    expect(CANONICAL_FIELDS["claim.serviceDate"]).toBe("serviceDate");
  });

  it("202603110300+0000 is 2026-03-10 in Chicago", () => {
    expect(convertValue("serviceDate", "202603110300+0000", ZONE)).toStrictEqual({
      ok: true,
      value: "2026-03-10",
    });
  });

  it("without an offset, or without a time, the day is the one written", () => {
    expect(convertValue("serviceDate", "202603102300", ZONE)).toStrictEqual({
      ok: true,
      value: "2026-03-10",
    });
    expect(convertValue("serviceDate", "20260311", ZONE)).toStrictEqual({
      ok: true,
      value: "2026-03-11",
    });
  });

  it("less than a full date is refused", () => {
    expect(convertValue("serviceDate", "202603", ZONE)).toStrictEqual({
      ok: false,
      reason: "'202603' is not a full date (YYYYMMDD)",
    });
  });
});
