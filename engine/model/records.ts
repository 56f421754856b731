/**
 * The canonical records (ARCHITECTURE.md), camelCase, codes already mapped to
 * the practice system's codes. In an update a key set to `null` clears the
 * stored value and a missing key leaves it as it is, so every field is
 * optional and nullable here.
 */

export type Nullable<T> = T | null;

export interface Address {
  readonly line1?: Nullable<string>;
  readonly line2?: Nullable<string>;
  readonly city?: Nullable<string>;
  readonly state?: Nullable<string>;
  readonly zip?: Nullable<string>;
  readonly country?: Nullable<string>;
}

export interface Person {
  readonly lastName?: Nullable<string>;
  readonly firstName?: Nullable<string>;
  readonly dob?: Nullable<string>;
  readonly sex?: Nullable<string>;
  readonly address?: Address;
  readonly phone?: Nullable<string>;
}

export interface Guarantor extends Person {
  /** The patient's relationship to the guarantor, as the spec names it. */
  readonly relationship?: Nullable<string>;
}

export interface NextOfKin extends Person {
  readonly relationship?: Nullable<string>;
}

export interface Privacy {
  readonly releaseOfBillingInformation: boolean;
  readonly assignmentOfBenefits: boolean;
}

export interface Patient {
  readonly id?: string;
  readonly externalIds?: Readonly<Record<string, string>>;
  /** The sender's own patient identifier as received (PID-3's MR repetition, else its first); written once. */
  readonly senderPatientId?: Nullable<string>;
  readonly lastName?: Nullable<string>;
  readonly firstName?: Nullable<string>;
  readonly middleName?: Nullable<string>;
  /** YYYY-MM-DD */
  readonly dob?: Nullable<string>;
  readonly sex?: Nullable<string>;
  readonly ssn?: Nullable<string>;
  readonly address?: Address;
  readonly phones?: {
    readonly home?: Nullable<string>;
    readonly mobile?: Nullable<string>;
    readonly work?: Nullable<string>;
  };
  readonly email?: Nullable<string>;
  readonly race?: Nullable<string>;
  readonly ethnicity?: Nullable<string>;
  readonly language?: Nullable<string>;
  readonly maritalStatus?: Nullable<string>;
  readonly primaryProviderId?: Nullable<string>;
  readonly primaryDepartmentId?: Nullable<string>;
  readonly guarantor?: Guarantor;
  readonly nextOfKin?: NextOfKin;
  readonly privacy?: Privacy;
}

export interface Policy {
  /** 0 = case policy, 1 primary, 2 secondary, 3 tertiary. */
  readonly sequence: number;
  /** The foreign insurance key the package was mapped from. */
  readonly foreignKey?: string;
  readonly packageId: string;
  readonly policyNumber?: Nullable<string>;
  /** The patient's relationship to the policy holder, as the spec names it. */
  readonly relationshipToInsured?: Nullable<string>;
  readonly insured?: Person;
}

export type AppointmentStatus = "f" | "2" | "3" | "4" | "x";

export interface Appointment {
  readonly id?: string;
  readonly externalIds?: Readonly<Record<string, string>>;
  readonly patientId?: string;
  readonly start?: Nullable<string>;
  readonly durationMinutes?: Nullable<number>;
  readonly providerId?: Nullable<string>;
  readonly departmentId?: Nullable<string>;
  readonly type?: Nullable<string>;
  readonly notes?: Nullable<string>;
  readonly cancelReason?: Nullable<string>;
  readonly primaryPolicy?: Nullable<Policy>;
  readonly secondaryPolicy?: Nullable<Policy>;
  readonly status?: AppointmentStatus;
}

export interface ChargeLine {
  readonly procedure: string;
  readonly modifiers: readonly string[];
  readonly units: number;
  readonly diagnosisPointers: readonly number[];
}

export interface Claim {
  readonly id?: string;
  readonly status: "unbilled" | "billed";
  readonly patientId: string;
  readonly appointmentId?: string;
  readonly serviceDate: string;
  readonly renderingProviderId: string;
  readonly supervisingProviderId: string;
  readonly departmentId: string;
  readonly primaryPolicy?: Nullable<Policy>;
  readonly secondaryPolicy?: Nullable<Policy>;
  readonly diagnoses: readonly string[];
  readonly lines: readonly ChargeLine[];
}
