/**
 * The canonical record fields a field rule can fill (docs/pack-language.md
 * §8), with the type a value is converted to and the record it belongs to.
 * The pack schema's `fields[].field` enum lists exactly these keys (a test
 * holds the two together).
 */
export type FieldType =
  | "string"
  | "code"
  /** A calendar date as written (a date of birth keeps its day whatever the offset). */
  | "date"
  /**
   * The day a service happens: a value with a time and an offset is an
   * instant, and its day is the one in the practice's time zone.
   */
  | "serviceDate"
  | "dateTime"
  | "integer"
  | "number"
  /** HL7 SI, a sequence ID: a whole number from 1 to 9999. */
  | "setId"
  | "boolean"
  | "list";

export type RecordKind = "patient" | "policy" | "appointment" | "claim" | "charge";

const address = (prefix: string): Record<string, FieldType> => ({
  [`${prefix}.line1`]: "string",
  [`${prefix}.line2`]: "string",
  [`${prefix}.city`]: "string",
  [`${prefix}.state`]: "string",
  [`${prefix}.zip`]: "string",
});

export const CANONICAL_FIELDS: Readonly<Record<string, FieldType>> = {
  "patient.lastName": "string",
  "patient.firstName": "string",
  "patient.middleName": "string",
  "patient.dob": "date",
  "patient.sex": "code",
  "patient.ssn": "string",
  "patient.senderPatientId": "string",
  ...address("patient.address"),
  "patient.address.country": "code",
  "patient.phones.home": "string",
  "patient.phones.mobile": "string",
  "patient.phones.work": "string",
  "patient.email": "string",
  "patient.race": "code",
  "patient.ethnicity": "code",
  "patient.language": "code",
  "patient.maritalStatus": "code",
  "patient.primaryProviderId": "code",
  "patient.primaryDepartmentId": "code",
  "patient.guarantor.lastName": "string",
  "patient.guarantor.firstName": "string",
  ...address("patient.guarantor.address"),
  "patient.guarantor.phone": "string",
  "patient.guarantor.dob": "date",
  "patient.guarantor.relationship": "code",
  "patient.nextOfKin.lastName": "string",
  "patient.nextOfKin.firstName": "string",
  "patient.nextOfKin.relationship": "code",
  "patient.nextOfKin.phone": "string",
  "policy.sequence": "setId",
  "policy.packageId": "code",
  "policy.policyNumber": "string",
  "policy.relationshipToInsured": "code",
  "policy.insured.lastName": "string",
  "policy.insured.firstName": "string",
  "policy.insured.dob": "date",
  "policy.insured.sex": "code",
  ...address("policy.insured.address"),
  "appointment.start": "dateTime",
  "appointment.durationMinutes": "integer",
  "appointment.providerId": "code",
  "appointment.departmentId": "code",
  "appointment.type": "code",
  "appointment.notes": "string",
  "appointment.cancelReason": "code",
  "appointment.status": "code",
  "claim.serviceDate": "serviceDate",
  "claim.renderingProviderId": "code",
  "claim.supervisingProviderId": "code",
  "claim.departmentId": "code",
  "charge.transactionType": "code",
  "charge.procedure": "code",
  "charge.modifiers": "list",
  "charge.units": "number",
  "charge.diagnoses": "list",
};

export function recordOf(field: string): RecordKind {
  return field.slice(0, field.indexOf(".")) as RecordKind;
}

/** The message structures whose segments can feed each record (engine/hl7/structures.ts). */
export const RECORD_STRUCTURES: Readonly<Record<RecordKind, readonly string[]>> = {
  // SIU and DFT messages carry PID too, but every patient segment is in the ADT structures.
  patient: ["ADT_A01", "ADT_A05"],
  policy: ["ADT_A01", "ADT_A05", "DFT_P03"],
  appointment: ["SIU_S12"],
  claim: ["DFT_P03"],
  charge: ["DFT_P03"],
};

/** The Table 19 - Custom mapping elements (docs/pack-language.md §10). */
export const MAPPING_ELEMENTS = [
  "sex",
  "race",
  "country",
  "language",
  "maritalStatus",
  "ethnicity",
  "department",
  "provider",
  "insurancePlan",
  "relationshipToInsured",
  "guarantorRelationship",
  "nextOfKinRelationship",
  "cancelReason",
  "appointmentType",
  "appointmentStatus",
] as const;

export type MappingElement = (typeof MAPPING_ELEMENTS)[number];
