import type { Hl7Delimiters } from "./tree.js";

export const STANDARD_DELIMITERS: Hl7Delimiters = Object.freeze({
  field: "|",
  component: "^",
  repetition: "~",
  escape: "\\",
  subcomponent: "&",
  truncation: null,
});

/**
 * Delimiters from a field separator and the encoding characters of MSH-2
 * (or FHS-2/BHS-2), in the standard's order: component, repetition, escape,
 * subcomponent, then (v2.7+) truncation.
 *
 * Senders that use no escape character write three characters (`^~}`): the
 * third is then the subcomponent separator, unless it is a backslash, the
 * conventional escape character (see docs/decisions/0001-own-hl7-parser.md).
 */
export function delimitersFrom(field: string, encoding: string): Hl7Delimiters {
  const chars = [...encoding];
  const component = chars[0] ?? STANDARD_DELIMITERS.component;
  const repetition = chars[1] ?? STANDARD_DELIMITERS.repetition;
  if (chars.length === 3 && chars[2] !== "\\") {
    return Object.freeze({
      field,
      component,
      repetition,
      escape: null,
      subcomponent: chars[2] as string,
      truncation: null,
    });
  }
  return Object.freeze({
    field,
    component,
    repetition,
    escape: chars[2] ?? (chars.length < 3 ? STANDARD_DELIMITERS.escape : null),
    subcomponent: chars[3] ?? STANDARD_DELIMITERS.subcomponent,
    truncation: chars[4] ?? null,
  });
}

/** MSH-2 as it should be written for these delimiters. */
export function encodingCharacters(d: Hl7Delimiters): string {
  if (d.escape === null) return d.component + d.repetition + d.subcomponent;
  return d.component + d.repetition + d.escape + d.subcomponent + (d.truncation ?? "");
}
