import type { PackErrorCode } from "../documents/errors.js";
import type { PathKey } from "../documents/merge.js";
import { charsetWritable } from "../hl7/charset.js";
import {
  codeMapOf,
  OUTBOUND_CODE_ELEMENTS,
  type OutboundCodeElement,
  type OutboundCodeMap,
} from "../outbound/codes.js";
import {
  type CompiledOutboundField,
  compileOutboundFields,
  type RawOutboundField,
} from "../outbound/field-rules.js";
import type { MappingTable } from "./mapping-tables.js";

/**
 * The `outbound` section (docs/pack-language.md §19) compiled once, at pack
 * load, with its defaults written out: the per-event path reads only this
 * (`pack.outbound`). The schema has checked shapes and enums; this checks
 * what spans files: every outbound mapping table exists and reads, every
 * field rule's location and expressions compile.
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

export interface RawOutbound {
  filters?: OutboundOptions["filters"];
  appointmentStatuses?: Partial<Record<AppointmentEvent, string>>;
  providerId?: Partial<OutboundOptions["providerId"]>;
  codeSystems?: Partial<OutboundOptions["codeSystems"]>;
  appointmentDefaults?: OutboundOptions["appointmentDefaults"];
  msh?: Partial<OutboundOptions["msh"]>;
  mappings?: Partial<Record<OutboundCodeElement, { table?: string }>>;
  fields?: RawOutboundField[];
}

export const DEFAULT_APPOINTMENT_STATUSES: Readonly<Record<AppointmentEvent, string>> = {
  appointmentSchedule: "BOOKED",
  appointmentCheckIn: "ARRIVED",
  appointmentCheckOut: "COMPLETED",
  appointmentUpdate: "UPDATE",
  appointmentCancel: "CANCELLED",
};

export interface OutboundCompileHelpers {
  fail(path: PathKey, code: PackErrorCode, message: string, column?: number): void;
  at(path: PathKey): string;
  /** A mapping table of the pack's chain (standard rows overlaid by the practice's); reports a miss. */
  readTable(table: string, path: PathKey, why: string): MappingTable | undefined;
  /** An abstract pack (base.yaml) has no practice folder: its practices bring the tables. */
  readonly abstract: boolean;
  readonly practice?: { readonly contextId?: string; readonly vendorName?: string };
}

export function compileOutbound(
  raw: RawOutbound | undefined,
  helpers: OutboundCompileHelpers,
): OutboundOptions {
  const r = raw ?? {};
  const use = r.providerId?.use ?? "npi";
  const identifierType = r.providerId?.identifierType ?? (use === "npi" ? "NPI" : undefined);
  const sendingFacility = r.msh?.sendingFacility ?? helpers.practice?.contextId;
  const receivingApplication = r.msh?.receivingApplication ?? helpers.practice?.vendorName;
  checkFilterNames(r.filters, helpers);
  if (!charsetWritable(r.msh?.charset))
    helpers.fail(
      ["outbound", "msh", "charset"],
      "INVALID_VALUE",
      `'${r.msh?.charset}' is not a character set the engine writes (UNICODE UTF-8, ASCII, 8859/1 ... 8859/15, as HL7 table 0211 names them)`,
    );
  const mappings = compileMappings(r.mappings, helpers);
  return {
    filters: { ...r.filters },
    appointmentStatuses: { ...DEFAULT_APPOINTMENT_STATUSES, ...r.appointmentStatuses },
    providerId: {
      use,
      ...(identifierType !== undefined && { identifierType }),
      ...(r.providerId?.assigningAuthority !== undefined && {
        assigningAuthority: r.providerId.assigningAuthority,
      }),
    },
    codeSystems: {
      race: r.codeSystems?.race ?? "CDCREC",
      ethnicity: r.codeSystems?.ethnicity ?? "CDCREC",
      language: r.codeSystems?.language ?? "ISO6392",
    },
    appointmentDefaults: { ...r.appointmentDefaults },
    msh: {
      ...r.msh,
      sendingApplication: r.msh?.sendingApplication ?? "RULEPACK",
      ...(sendingFacility !== undefined && { sendingFacility }),
      ...(receivingApplication !== undefined && { receivingApplication }),
      version: r.msh?.version ?? "2.5.1",
      processingId: r.msh?.processingId ?? "P",
      controlIdPrefix: r.msh?.controlIdPrefix ?? "",
    },
    mappings,
    fields: compileOutboundFields(r.fields, { ...helpers, mapped: new Set(Object.keys(mappings)) }),
  };
}

/**
 * Table 7 names are master-data names or IDs, and master data is runtime
 * (the store's), so a name is checked when an event is filtered (the
 * FILTERED info names those no master-data entry has). At load: a name
 * listed twice is a mistake.
 */
function checkFilterNames(filters: RawOutbound["filters"], helpers: OutboundCompileHelpers): void {
  for (const kind of ["patients", "appointments"] as const) {
    const seen = new Map<string, number>();
    (filters?.[kind]?.names ?? []).forEach((name, i) => {
      const key = name.toLowerCase();
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else
        helpers.fail(
          ["outbound", "filters", kind, "names", i],
          "INVALID_VALUE",
          `'${name}' is already listed (names[${first}]); names are matched ignoring case`,
        );
    });
  }
}

function compileMappings(
  raw: RawOutbound["mappings"],
  helpers: OutboundCompileHelpers,
): Partial<Record<OutboundCodeElement, OutboundCodeMap>> {
  const out: Partial<Record<OutboundCodeElement, OutboundCodeMap>> = {};
  if (helpers.abstract) return out;
  for (const element of OUTBOUND_CODE_ELEMENTS) {
    const config = raw?.[element];
    if (!config) continue;
    const path = ["outbound", "mappings", element];
    const table = config.table ?? element;
    const rows = helpers.readTable(
      table,
      config.table === undefined ? path : [...path, "table"],
      `is named by outbound.mappings.${element}`,
    );
    if (rows) out[element] = codeMapOf(element, rows, helpers.at(path));
  }
  return out;
}
