import type { CompiledPack } from "../pack/compiled.js";

/**
 * The `outbound` section (docs/pack-language.md §19) with its defaults
 * written out. The schema has checked the merged pack at load; this reads
 * it from the pack's effective data, once per pack.
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
}

type Raw = {
  filters?: OutboundOptions["filters"];
  appointmentStatuses?: Partial<Record<AppointmentEvent, string>>;
  providerId?: Partial<OutboundOptions["providerId"]>;
  codeSystems?: Partial<OutboundOptions["codeSystems"]>;
  appointmentDefaults?: OutboundOptions["appointmentDefaults"];
  msh?: Partial<OutboundOptions["msh"]>;
};

export const DEFAULT_APPOINTMENT_STATUSES: Readonly<Record<AppointmentEvent, string>> = {
  appointmentSchedule: "BOOKED",
  appointmentCheckIn: "ARRIVED",
  appointmentCheckOut: "COMPLETED",
  appointmentUpdate: "UPDATE",
  appointmentCancel: "CANCELLED",
};

const cache = new WeakMap<CompiledPack, OutboundOptions>();

export function outboundOptions(pack: CompiledPack): OutboundOptions {
  const hit = cache.get(pack);
  if (hit) return hit;
  const raw = ((pack.effective as { outbound?: Raw } | undefined)?.outbound ?? {}) as Raw;
  const use = raw.providerId?.use ?? "npi";
  const identifierType = raw.providerId?.identifierType ?? (use === "npi" ? "NPI" : undefined);
  const sendingFacility = raw.msh?.sendingFacility ?? pack.practice?.contextId;
  const receivingApplication = raw.msh?.receivingApplication ?? pack.practice?.vendorName;
  const options: OutboundOptions = {
    filters: { ...raw.filters },
    appointmentStatuses: { ...DEFAULT_APPOINTMENT_STATUSES, ...raw.appointmentStatuses },
    providerId: {
      use,
      ...(identifierType !== undefined && { identifierType }),
      ...(raw.providerId?.assigningAuthority !== undefined && {
        assigningAuthority: raw.providerId.assigningAuthority,
      }),
    },
    codeSystems: {
      race: raw.codeSystems?.race ?? "CDCREC",
      ethnicity: raw.codeSystems?.ethnicity ?? "CDCREC",
      language: raw.codeSystems?.language ?? "ISO6392",
    },
    appointmentDefaults: { ...raw.appointmentDefaults },
    msh: {
      ...raw.msh,
      sendingApplication: raw.msh?.sendingApplication ?? "RULEPACK",
      ...(sendingFacility !== undefined && { sendingFacility }),
      ...(receivingApplication !== undefined && { receivingApplication }),
      version: raw.msh?.version ?? "2.5.1",
      processingId: raw.msh?.processingId ?? "P",
      controlIdPrefix: raw.msh?.controlIdPrefix ?? "",
    },
  };
  cache.set(pack, options);
  return options;
}
