import type { ExpressionBudget } from "../expressions/runtime.js";
import type { BlockingComponent } from "../matching/blocking.js";
import type {
  DemographicField,
  DemographicFieldConfig,
  DemographicsConfig,
} from "../matching/config.js";
import type { MappingElement, RecordKind } from "../model/canonical-fields.js";
import type { AppointmentStatus } from "../model/records.js";
import type { AppointmentChangeEvent, AppointmentPatientStrategy } from "./appointments.js";
import type {
  AppointmentMatching as ChargeAppointmentMatching,
  ChargeOptions,
  CombiningKey,
  DerivationMode,
  GroupingKey,
  SupervisingOption,
} from "./charges.js";
import type {
  GuarantorOptions,
  InsuranceOptions,
  PatientStrategy,
  PracticeDetails,
} from "./compiled.js";
import type { DeliveryAckMode, DeliveryOrdering, Weekday } from "./delivery-options.js";
import type { InboundEvent, OutboundEvent } from "./enablement.js";
import type { OutboundCodeElement } from "./outbound-codes.js";
import type { AppointmentEvent, OutboundOptions } from "./outbound-options.js";
import type { AlertOptions, EnhancedSender, ProcessingId } from "./queue-options.js";

/**
 * A merged pack as schemas/rulepack.schema.json admits it: what the section
 * compilers read, before defaults. The schema is the source of truth;
 * test/pack/raw-drift.test.ts reads these types with the TypeScript compiler
 * and fails when their keys or enumerations differ from the schema's
 * (docs/decisions/0016-raw-pack-types-with-a-drift-test.md).
 */

export interface RawPackSection {
  id: string;
  description?: string;
  extends?: string;
  abstract?: boolean;
  mappingsDir?: string;
}

export type RawPractice = { -readonly [K in keyof PracticeDetails]: PracticeDetails[K] };

export interface RawEnabled {
  inbound?: Partial<Record<InboundEvent, boolean | string | string[]>>;
  outbound?: Partial<Record<OutboundEvent, boolean | string>>;
}

export interface RawFieldRule {
  name: string;
  field: string;
  from?: string;
  expr?: string;
  when?: string;
  map?: MappingElement;
  default?: string | number | boolean;
  remove?: boolean;
}

export interface RawRequiredRule {
  name: string;
  field?: string;
  ref?: string;
  record?: RecordKind;
  on?: "create" | "update" | ("create" | "update")[];
  when?: string;
  severity?: "error" | "warning";
  label?: string;
  remove?: boolean;
}

export interface RawMapping {
  table?: string;
  mappingRequired?: boolean;
}

/** Only a provider may be sent as the practice's ID or as an NPI. */
export type RawMappings = Partial<Record<Exclude<MappingElement, "provider">, RawMapping>> & {
  provider?: RawMapping & { accept?: ("practiceId" | "npi")[] };
};

export interface RawLimits {
  expressions?: Partial<ExpressionBudget> & { maxLength?: number };
}

export interface RawExternalId {
  readonly name: string;
  readonly customFieldId: string;
  readonly from: string;
  readonly useForMatching?: boolean;
  readonly leadingZeros?: "keep" | "strip";
  readonly direction?: "both" | "inbound" | "outbound";
}

export interface RawExternalIds {
  patient?: RawExternalId[];
  appointment?: RawExternalId[];
}

export interface RawMatching {
  order?: {
    patient?: PatientStrategy[];
    appointment?: AppointmentPatientStrategy[];
    charge?: PatientStrategy[];
  };
  patientId?: { from?: string; unknown?: "error" | "demographics" };
  demographics?: RawDemographics;
  /** Blocking passes, each a list of components (engine/matching/blocking.ts). */
  blocking?: BlockingComponent[][];
  substantialChange?: PackDemographicField[];
}

/** The demographic fields a pack names (`externalId` is the engine's own blocking key). */
export type PackDemographicField = Exclude<DemographicField, "externalId">;

/** `matching.demographics`: what a pack may tune of DEFAULT_DEMOGRAPHICS (blocking and normalizers are the engine's). */
export interface RawDemographics {
  fields?: (Omit<DemographicFieldConfig, "field" | "normalize"> & {
    field: PackDemographicField;
  })[];
  thresholds?: DemographicsConfig["thresholds"];
  partialFactor?: number;
  guards?: { twins?: boolean; household?: boolean };
  /** The trained-weights file `rulepack match train` wrote, relative to the pack file. */
  trained?: string;
}

export type RawInsurance = Partial<Omit<InsuranceOptions, "at">>;

export interface RawAcks {
  held?: "AA" | "AE";
  enhanced?: EnhancedSender[];
}

export interface RawQueue {
  accept?: { versions?: string[]; processingIds?: ProcessingId[] };
  duplicates?: { windowHours?: number };
  retentionDays?: { PROCESSED?: number; DELETED?: number };
  alerts?: Partial<Omit<AlertOptions, "command">> & { command?: string[] };
  listener?: { maxMessagesPerFrame?: number };
}

export interface RawPrivacy {
  autoCheck?: boolean;
}

export type RawGuarantor = Partial<GuarantorOptions>;

export interface RawAppointments {
  matching?: { by?: "practiceId" | "externalId"; from?: string; externalId?: string };
  reschedule?: "update" | "cancelAndCreate";
  updateEvents?: Partial<Record<AppointmentStatus, AppointmentChangeEvent>>;
  noShow?: { status?: Exclude<AppointmentStatus, "4">; cancelReason?: string };
  statusOnCreate?: {
    future?: Exclude<AppointmentStatus, "4" | "x">;
    pastOrPresent?: Exclude<AppointmentStatus, "4" | "x">;
  };
  requireInsurance?: boolean;
}

export interface RawCharges {
  transactionTypes?: string[];
  appointmentMatching?: {
    by?: ChargeAppointmentMatching["by"];
    from?: string;
    externalId?: string;
  };
  unmatched?: ChargeOptions["unmatched"];
  derivation?: { mode?: DerivationMode; supervisingProvider?: SupervisingOption };
  grouping?: { enabled?: boolean; keys?: GroupingKey[] };
  combining?: { mode?: ChargeOptions["combining"]["mode"]; keys?: CombiningKey[] };
  diagnoses?: Partial<ChargeOptions["diagnoses"]>;
  requireInsurance?: boolean;
}

export interface RawOutboundField {
  name: string;
  to: string;
  from?: string;
  expr?: string;
  when?: string;
  map?: OutboundCodeElement;
  messages?: OutboundMessageType[];
  default?: string;
  remove?: boolean;
}

/** The message types the engine sends (`outbound.fields[].messages`). */
export type OutboundMessageType =
  | "ADT^A01"
  | "ADT^A04"
  | "ADT^A05"
  | "ADT^A08"
  | "ADT^A28"
  | "ADT^A31"
  | "SIU^S12"
  | "SIU^S14"
  | "SIU^S15";

export interface RawOutbound {
  filters?: OutboundOptions["filters"];
  appointmentStatuses?: Partial<Record<AppointmentEvent, string>>;
  providerId?: Partial<OutboundOptions["providerId"]>;
  codeSystems?: Partial<OutboundOptions["codeSystems"]>;
  appointmentDefaults?: OutboundOptions["appointmentDefaults"];
  msh?: Partial<
    Omit<
      OutboundOptions["msh"],
      "version" | "processingId" | "acceptAckType" | "applicationAckType"
    >
  > & {
    version?: "2.3" | "2.3.1" | "2.4" | "2.5" | "2.5.1" | "2.6" | "2.7" | "2.7.1" | "2.8";
    processingId?: ProcessingId;
    acceptAckType?: AckType;
    applicationAckType?: AckType;
  };
  mappings?: Partial<Record<OutboundCodeElement, { table?: string }>>;
  fields?: RawOutboundField[];
  delivery?: RawDelivery;
}

/** `outbound.delivery` (delivery-options.ts). */
export interface RawDelivery {
  receiver?: {
    host: string;
    port: number;
    tls?: { ca?: string; cert?: string; key?: string; servername?: string };
  };
  connectTimeoutSeconds?: number;
  ackTimeoutSeconds?: number;
  retry?: { initialSeconds?: number; factor?: number; maxSeconds?: number };
  maxAttempts?: number;
  ackMode?: DeliveryAckMode;
  ordering?: DeliveryOrdering;
  connections?: number;
  windows?: { days?: Weekday[]; from: string; to: string }[];
  unreachableAlertMinutes?: number;
}

/** HL7 table 0155, MSH-15 and MSH-16. */
export type AckType = "AL" | "NE" | "ER" | "SU";

/** The whole merged pack; one key per top-level section. */
export interface RawPack {
  pack: RawPackSection;
  practice?: RawPractice;
  enabled?: RawEnabled;
  fields?: RawFieldRule[];
  required?: RawRequiredRule[];
  mappings?: RawMappings;
  limits?: RawLimits;
  externalIds?: RawExternalIds;
  matching?: RawMatching;
  insurance?: RawInsurance;
  acks?: RawAcks;
  queue?: RawQueue;
  privacy?: RawPrivacy;
  guarantor?: RawGuarantor;
  appointments?: RawAppointments;
  charges?: RawCharges;
  outbound?: RawOutbound;
}
