import type { Appointment, Claim, Guarantor, Patient, Policy, Privacy } from "./records.js";

/**
 * The actions an outcome carries, typed. Each is `{ type, <record>: {...} }`
 * with the record named after its kind (ARCHITECTURE.md). Updates are
 * partial: a key set to null clears the stored value, a missing key keeps it.
 */
export type PatientCreate = {
  readonly type: "patient.create";
  readonly patient: Patient & { readonly id: string };
};
export type PatientUpdate = {
  readonly type: "patient.update";
  readonly patientId: string;
  readonly patient: Patient;
};
export type ExternalIdSet = {
  readonly type: "externalId.set";
  readonly record: "patient" | "appointment";
  readonly recordId: string;
  /** The external ID's name (Table 5/6 custom field). */
  readonly name: string;
  /** Stored verbatim, as received. */
  readonly value: string;
  /** The normalized key used for matching (leading-zeros policy applied). */
  readonly key: string;
};
export type InsuranceAdd = {
  readonly type: "insurance.add";
  readonly patientId: string;
  readonly policy: Policy;
};
export type InsuranceUpdate = {
  readonly type: "insurance.update";
  readonly patientId: string;
  readonly policy: Partial<Policy> & { readonly sequence: number; readonly packageId: string };
};
export type InsuranceReplace = {
  readonly type: "insurance.replace";
  readonly patientId: string;
  readonly policy: Policy;
  /** The package of the policy that is cancelled. */
  readonly replacedPackageId: string;
};
export type InsuranceSelfPay = { readonly type: "insurance.selfPay"; readonly patientId: string };
export type PrivacySet = {
  readonly type: "privacy.set";
  readonly patientId: string;
  readonly privacy: Privacy;
};
export type GuarantorSet = {
  readonly type: "guarantor.set";
  readonly patientId: string;
  readonly guarantor: Guarantor;
};
export type AppointmentCreate = {
  readonly type: "appointment.create";
  readonly appointment: Appointment & { readonly id: string };
};
export type AppointmentChange = {
  readonly type:
    | "appointment.update"
    | "appointment.cancel"
    | "appointment.checkIn"
    | "appointment.checkOut";
  readonly appointmentId: string;
  readonly appointment: Appointment;
};
export type ClaimCreate = {
  readonly type: "claim.create";
  readonly claim: Claim & { readonly id: string };
};
export type ChargeAdd = {
  readonly type: "charge.add" | "charge.replace";
  readonly claimId: string;
  readonly charge: Claim["lines"][number];
  /** For charge.replace: the 0-based index in `claim.lines` of the line overridden. */
  readonly lineIndex?: number;
  /** Diagnoses appended to the claim header by this charge. */
  readonly diagnoses?: readonly string[];
};

export type TypedAction =
  | PatientCreate
  | PatientUpdate
  | ExternalIdSet
  | InsuranceAdd
  | InsuranceUpdate
  | InsuranceReplace
  | InsuranceSelfPay
  | PrivacySet
  | GuarantorSet
  | AppointmentCreate
  | AppointmentChange
  | ClaimCreate
  | ChargeAdd;
