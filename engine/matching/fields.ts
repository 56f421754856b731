import type { Patient } from "../model/records.js";
import type { NormalizerName } from "./comparators/normalize.js";
import type { DemographicField } from "./config.js";

/**
 * How each demographic field is read from a Patient. A single field reads
 * one string; a multi field reads several `[key, value]` entries, and only
 * entries with equal keys are compared (phones all share the key "", so
 * any home, mobile or work number may match any other; external IDs are
 * keyed by their name).
 *
 * `undefined` means the record does not say (an update leaves the value as
 * it is); `null` means it says "no value" (an update clears it).
 */
export type FieldReader =
  | { readonly kind: "single"; read(patient: Patient): string | null | undefined }
  | {
      readonly kind: "multi";
      read(patient: Patient): readonly (readonly [string, string])[] | undefined;
    };

const sex = (patient: Patient): string | null | undefined => {
  const value = patient.sex;
  // U (unknown) says nothing about the person.
  return value != null && /^\s*u/i.test(value) ? null : value;
};

const address = (patient: Patient): string | null | undefined => {
  const a = patient.address;
  if (a === undefined) return undefined;
  const parts = [a.line1, a.zip].filter((part): part is string => !!part && part.trim() !== "");
  return parts.length === 0 ? null : parts.join(" ");
};

const phones = (patient: Patient): readonly (readonly [string, string])[] | undefined => {
  const p = patient.phones;
  if (p === undefined) return undefined;
  const out: [string, string][] = [];
  if (p.home) out.push(["", p.home]);
  if (p.mobile) out.push(["", p.mobile]);
  if (p.work) out.push(["", p.work]);
  return out;
};

const externalIds = (patient: Patient): readonly (readonly [string, string])[] | undefined => {
  const ids = patient.externalIds;
  return ids === undefined ? undefined : Object.entries(ids);
};

export const FIELD_READERS: Readonly<Record<DemographicField, FieldReader>> = {
  ssn: { kind: "single", read: (p) => p.ssn },
  dob: { kind: "single", read: (p) => p.dob },
  firstName: { kind: "single", read: (p) => p.firstName },
  lastName: { kind: "single", read: (p) => p.lastName },
  middleName: { kind: "single", read: (p) => p.middleName },
  sex: { kind: "single", read: sex },
  address: { kind: "single", read: address },
  city: { kind: "single", read: (p) => (p.address === undefined ? undefined : p.address.city) },
  zip: { kind: "single", read: (p) => (p.address === undefined ? undefined : p.address.zip) },
  phone: { kind: "multi", read: phones },
  externalId: { kind: "multi", read: externalIds },
};

/** The normalizer a field's exact or jaroWinkler comparator uses unless configured. */
export const FIELD_NORMALIZERS: Readonly<Record<DemographicField, NormalizerName>> = {
  ssn: "digits",
  dob: "text",
  firstName: "name",
  lastName: "name",
  middleName: "initial",
  sex: "text",
  address: "text",
  city: "text",
  zip: "zip",
  phone: "last10",
  externalId: "code",
};
