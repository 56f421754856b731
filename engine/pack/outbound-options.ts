import type { CompiledExpression } from "../expressions/runtime.js";
import type { OutboundCodeElement, OutboundCodeMap } from "./outbound-codes.js";
import type { Location } from "./outbound-location.js";

/**
 * What the `outbound` section (docs/pack-language.md §19) compiles to
 * (sections/outbound.ts), with its defaults written out: the per-event path
 * reads only this (`pack.outbound`).
 */

export type AppointmentEvent =
  | "appointmentSchedule"
  | "appointmentUpdate"
  | "appointmentCancel"
  | "appointmentCheckIn"
  | "appointmentCheckOut";

export interface OutboundFilter {
  readonly by: "provider" | "department";
  readonly names: readonly string[];
}

export interface OutboundOptions {
  readonly filters: {
    readonly patients?: OutboundFilter;
    readonly appointments?: OutboundFilter;
  };
  /** Table 8: SCH-25 per event. */
  readonly appointmentStatuses: Readonly<Record<AppointmentEvent, string>>;
  /** Table 9. */
  readonly providerId: {
    readonly use: "npi" | "practiceId";
    readonly identifierType?: string;
    readonly assigningAuthority?: string;
  };
  readonly codeSystems: {
    readonly race: string;
    readonly ethnicity: string;
    readonly language: string;
  };
  readonly appointmentDefaults: {
    readonly eventReason?: string;
    readonly fillerContactPerson?: string;
    readonly enteredByPerson?: string;
    readonly resourceType?: string;
  };
  readonly msh: {
    readonly sendingApplication: string;
    readonly sendingFacility?: string;
    readonly receivingApplication?: string;
    readonly receivingFacility?: string;
    readonly version: string;
    readonly processingId: string;
    readonly charset?: string;
    readonly controlIdPrefix: string;
    readonly acceptAckType?: string;
    readonly applicationAckType?: string;
  };
  /** Practice code -> receiver code, per element (`outbound.mappings`). */
  readonly mappings: Readonly<Partial<Record<OutboundCodeElement, OutboundCodeMap>>>;
  /** `outbound.fields`, in merged order. */
  readonly fields: readonly CompiledOutboundField[];
}

export interface CompiledOutboundField {
  readonly name: string;
  readonly to: Location;
  /** Record paths (`patient.phones.mobile`), split at the dots, tried in order. */
  readonly from?: readonly (readonly string[])[];
  readonly expr?: CompiledExpression;
  readonly when?: CompiledExpression;
  readonly map?: OutboundCodeElement;
  /** `SIU^S12`: the rule writes only these message types (absent: every one). */
  readonly messages?: readonly string[];
  readonly default?: string;
  /** `FILE:LINE` where the rule was written. */
  readonly at: string;
}
