import type { CompiledExpression, ExpressionBudget } from "../expressions/runtime.js";
import type { DemographicField } from "../matching/config.js";
import type { CompiledDemographics } from "../matching/scorer.js";
import type { FieldType, MappingElement, RecordKind } from "../model/canonical-fields.js";
import type { CompiledReference } from "../paths/types.js";
import type { AppointmentOptions, AppointmentPatientStrategy } from "./appointments.js";
import type { ChargeOptions } from "./charges.js";
import type { DeliveryOptions } from "./delivery-options.js";
import type { Enablement } from "./enablement.js";
import type { MappingTable } from "./mapping-tables.js";
import type { OutboundOptions } from "./outbound-options.js";
import type { AckOptions, QueueOptions } from "./queue-options.js";

/**
 * A pack after loading: every reference and expression compiled, every
 * mapping table read. The per-message path reads only this.
 */

export interface PracticeDetails {
  readonly contextId: string;
  readonly name: string;
  readonly eventNumber?: string;
  readonly vendorName?: string;
  readonly vendorType?: string;
  readonly timeZone: string;
}

export interface CompiledFieldRule {
  readonly name: string;
  readonly field: string;
  readonly record: RecordKind;
  readonly type: FieldType;
  readonly from?: CompiledReference;
  readonly expr?: CompiledExpression;
  readonly when?: CompiledExpression;
  readonly map?: MappingElement;
  readonly default?: string | number | boolean;
  /** `FILE:LINE` where the rule was written, for traces and coverage. */
  readonly at: string;
}

export interface CompiledRequiredRule {
  readonly name: string;
  readonly record: RecordKind;
  readonly field?: string;
  readonly ref?: CompiledReference;
  readonly on: readonly ("create" | "update")[];
  readonly when?: CompiledExpression;
  readonly severity: "error" | "warning";
  readonly label: string;
  readonly at: string;
}

export interface CompiledMapping {
  readonly element: MappingElement;
  readonly table: string;
  readonly mappingRequired: boolean;
  readonly accept?: readonly ("practiceId" | "npi")[];
  /** Read when mapping is required (or an expression names the table). */
  readonly rows?: MappingTable;
  readonly at: string;
}

/** Table 5 / Table 6: one custom field holding an external ID. */
export interface CompiledExternalId {
  readonly name: string;
  readonly customFieldId: string;
  readonly from: CompiledReference;
  readonly useForMatching: boolean;
  readonly leadingZeros: "keep" | "strip";
  readonly direction: "both" | "inbound" | "outbound";
  readonly at: string;
}

export type PatientStrategy = "externalId" | "patientId" | "demographics";

export interface CompiledMatching {
  readonly order: {
    readonly patient: readonly PatientStrategy[];
    /** How an appointment message finds its patient (never by demographics). */
    readonly appointment: readonly AppointmentPatientStrategy[];
    readonly charge: readonly PatientStrategy[];
  };
  /** Where the practice system's patient ID travels (default PID.2). */
  readonly patientId: CompiledReference;
  /**
   * A patient ID that is present but held by nobody: `error` (the base,
   * PATIENT_NOT_FOUND) or `demographics` (match on demographics instead).
   */
  readonly unknownPatientId: "error" | "demographics";
  readonly demographics: CompiledDemographics;
  /** Patient fields whose change on a matched patient needs a person's review. */
  readonly substantialChange: readonly DemographicField[];
  readonly at: string;
}

export interface InsuranceOptions {
  /** "Is athenaNet receiving insurance data via the interface?" */
  readonly receive: boolean;
  /** Table 12 - Insurance processing options – patients. */
  readonly mode: "always" | "whenPresent";
  readonly casePolicies: "toSequenceZero" | "keepSequence";
  readonly relationshipDirection: "patientToInsured" | "insuredToPatient";
  readonly at: string;
}

export interface GuarantorOptions {
  readonly receive: boolean;
  readonly send: boolean;
  readonly relationshipDirection: "patientToGuarantor" | "guarantorToPatient";
}

export interface CompiledPack {
  readonly id: string;
  /** The pack file that was loaded, as given. */
  readonly file: string;
  readonly abstract: boolean;
  readonly practice?: PracticeDetails;
  readonly enabled: Enablement;
  /** Field rules in merged order. */
  readonly fields: readonly CompiledFieldRule[];
  readonly required: readonly CompiledRequiredRule[];
  readonly mappings: Readonly<Partial<Record<MappingElement, CompiledMapping>>>;
  /** Every table read, by table name (also those only `$mapCode` names). */
  readonly tables: ReadonlyMap<string, MappingTable>;
  readonly budget: ExpressionBudget;
  readonly externalIds: {
    readonly patient: readonly CompiledExternalId[];
    readonly appointment: readonly CompiledExternalId[];
  };
  readonly matching: CompiledMatching;
  readonly insurance: InsuranceOptions;
  /** Table 13 - Patient privacy processing option. */
  readonly privacy: { readonly autoCheck: boolean };
  /** How the MLLP listener acknowledges (docs/ack-codes.md). */
  readonly acks: AckOptions;
  /** Accepted headers, duplicates, retention, alerts (§20). */
  readonly queue: QueueOptions;
  readonly guarantor: GuarantorOptions;
  /** Table 15, reschedules, SIU statuses, Future/Past or present appointments (§17). */
  readonly appointments: AppointmentOptions;
  /** Tables 17 and 18, unmatched charges, grouping, combining, diagnosis limits (§18). */
  readonly charges: ChargeOptions;
  /** Tables 7, 8, 9, code systems, MSH, outbound mappings and field rules (§19). */
  readonly outbound: OutboundOptions;
  /** Sending the queued outbound messages to the receiver (`outbound.delivery`, §19, Sending). */
  readonly delivery?: DeliveryOptions;
  /** Practice code -> its inverse (`mappings/standard/relationshipInverse.yaml`), when a direction needs turning around. */
  readonly relationshipInverse?: MappingTable;
  /** The merged pack as data (`rulepack validate --effective`). */
  readonly effective: unknown;
}
