import { iso6392 } from "iso-639-2";

/**
 * Standard code lists a practice system recognizes without a mapping (the
 * spec's TIP: "Sending standard codes that athenaNet already recognizes
 * reduces the amount of work"). Used when an element's mapping is not
 * required: a code outside its list is INVALID_VALUE.
 */

/** HL7 table 0001 Administrative Sex (v2.5.1; X from v2.9). */
const SEX = ["F", "M", "O", "U", "A", "N", "X"];

/**
 * CDC Race & Ethnicity Code Set (PHIN VADS 2.16.840.1.113883.6.238): the
 * OMB roll-up races and the codes most often sent; detailed codes (e.g.
 * 1019-9 White Mountain Apache) are NNNN-N and accepted by form.
 */
const RACE_ROLLUP = ["1002-5", "2028-9", "2054-5", "2076-8", "2106-3", "2131-1", "2500-7"];
const ETHNICITY = ["2135-2", "2186-5"];
const CDC_DETAILED = /^\d{4}-\d$/;

export type StandardList = "sex" | "race" | "ethnicity" | "language";

/** ISO 639-2 codes, bibliographic and terminologic (`ger` and `deu`), from the `iso-639-2` package. */
const LANGUAGES: ReadonlySet<string> = new Set(
  iso6392.flatMap((l) =>
    [l.iso6392B, l.iso6392T].filter((c): c is string => typeof c === "string"),
  ),
);

export function isStandardCode(list: StandardList, code: string): boolean {
  switch (list) {
    case "sex":
      return SEX.includes(code.toUpperCase());
    case "race":
      return RACE_ROLLUP.includes(code) || CDC_DETAILED.test(code);
    case "ethnicity":
      return ETHNICITY.includes(code) || CDC_DETAILED.test(code);
    case "language":
      return LANGUAGES.has(code.toLowerCase());
  }
}

export const STANDARD_LISTS: Readonly<Record<string, StandardList>> = {
  sex: "sex",
  race: "race",
  ethnicity: "ethnicity",
  language: "language",
};
