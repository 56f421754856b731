/**
 * The practice's own records that rules check codes against
 * (`rules/practices/<name>/master-data.yaml`, schemas/master-data.schema.json).
 * Foreign codes are mapped only by mapping tables; these are the practice
 * system's values.
 */
export interface Provider {
  readonly id: string;
  readonly npi?: string;
  readonly name?: string;
  readonly supervisingProviderId?: string;
}

export interface Department {
  readonly id: string;
  readonly name?: string;
}

export interface InsurancePackage {
  readonly id: string;
  readonly name?: string;
  /** A case policy (motor vehicle accident, workers compensation): sequence 1 becomes 0. */
  readonly casePolicy?: boolean;
}

export interface AppointmentType {
  readonly id: string;
  readonly name?: string;
  /** Billing Slip Required: false keeps the appointment off the Missing Slips worklist. */
  readonly billingSlipRequired?: boolean;
}

export interface Procedure {
  readonly code: string;
  readonly description?: string;
}

export interface MasterData {
  readonly providers: readonly Provider[];
  readonly departments: readonly Department[];
  readonly insurancePackages: readonly InsurancePackage[];
  readonly appointmentTypes: readonly AppointmentType[];
  /** When empty the practice lists no procedures, and codes get only a format check. */
  readonly procedures: readonly Procedure[];
}

export const EMPTY_MASTER_DATA: MasterData = Object.freeze({
  providers: [],
  departments: [],
  insurancePackages: [],
  appointmentTypes: [],
  procedures: [],
});
