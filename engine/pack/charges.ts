import type { PackErrorCode } from "../documents/errors.js";
import type { PathKey } from "../documents/merge.js";
import type { RecordKind } from "../model/canonical-fields.js";
import type { CompiledReference } from "../paths/types.js";
import type { CompiledExternalId } from "./compiled.js";

/**
 * The `charges` section (docs/pack-language.md §18): Table 17 - Matching
 * charge messages to appointments options, Charges with Unmatched
 * Appointments, Table 18 - Data derived from the matching appointment,
 * Charge Grouping, Charge Combining and the diagnosis limits, compiled.
 * The schema already checked the enums and the options that exclude each
 * other; this adds what needs the rest of the pack (the appointment
 * external ID) and the keys a claim cannot do without.
 */

/** Table 18 - Data derived from the matching appointment. */
export type DerivationMode = "fromAppointment" | "insuranceFromAppointment" | "freeStanding";

/**
 * Table 18's two provider choices: "Supervising Provider from Rendering
 * Provider (per relationship defined in your provider table …)"
 * (providerTable) or "Supervising Provider in FT1.21" (message).
 */
export type SupervisingOption = "providerTable" | "message";

export const GROUPING_KEYS = [
  "patient",
  "serviceDate",
  "renderingProvider",
  "supervisingProvider",
  "department",
  "primaryInsurance",
  "secondaryInsurance",
  "appointment",
] as const;
export type GroupingKey = (typeof GROUPING_KEYS)[number];

export const COMBINING_KEYS = ["patient", "procedure", "serviceDate", "modifiers"] as const;
export type CombiningKey = (typeof COMBINING_KEYS)[number];

export type AppointmentMatching =
  | { readonly by: "none" }
  | { readonly by: "practiceId"; readonly from: CompiledReference }
  | {
      readonly by: "externalId";
      readonly from: CompiledReference;
      /** The `externalIds.appointment` entry whose stored key the ID is looked up by. */
      readonly externalId: CompiledExternalId;
    };

export interface ChargeOptions {
  /** FT1.6 codes that are charges; other lines are TRANSACTION_SKIPPED. */
  readonly transactionTypes: readonly string[];
  readonly appointmentMatching: AppointmentMatching;
  readonly unmatched: "error" | "freeStandingClaim";
  readonly derivation: {
    readonly mode: DerivationMode;
    readonly supervisingProvider: SupervisingOption;
  };
  readonly grouping: { readonly enabled: boolean; readonly keys: readonly GroupingKey[] };
  readonly combining: {
    readonly mode: "override" | "none";
    readonly keys: readonly CombiningKey[];
  };
  readonly diagnoses: {
    readonly pointersPerLine: number;
    readonly additionalHeaderCodes: number;
    readonly onTooMany: "error" | "truncate";
  };
  /** A DFT for a patient with no policy and not self-pay is NO_INSURANCE. */
  readonly requireInsurance: boolean;
  readonly at: string;
}

export interface RawCharges {
  transactionTypes?: string[];
  appointmentMatching?: {
    by?: AppointmentMatching["by"];
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

/** What compiling the section needs from the pack compiler. */
export interface ChargeCompileHelpers {
  readonly fail: (path: PathKey, code: PackErrorCode, message: string) => void;
  readonly at: (path: PathKey) => string;
  readonly reference: (
    path: PathKey,
    text: string,
    record: RecordKind,
  ) => CompiledReference | undefined;
  /** The compiled `externalIds.appointment` entries (Table 6). */
  readonly appointmentIds: readonly CompiledExternalId[];
}

/** Table 17 names no field; PV1.19 (visit number) is chosen (§23 open question 1). */
export const DEFAULT_APPOINTMENT_ID_FROM = "PV1.19";

const DEFAULT_GROUPING: readonly GroupingKey[] = [
  "patient",
  "serviceDate",
  "renderingProvider",
  "supervisingProvider",
  "department",
  "primaryInsurance",
  "secondaryInsurance",
];

const DEFAULT_COMBINING: readonly CombiningKey[] = [
  "patient",
  "procedure",
  "serviceDate",
  "modifiers",
];

/**
 * A claim has one patient and one service date, and a line has no date of
 * its own: grouping and combining always compare them (and combining the
 * procedure and its modifiers: an RT and an LT line are two services, the
 * inbound charges' same-service.ts).
 */
const ALWAYS_GROUPING: readonly GroupingKey[] = ["patient", "serviceDate"];
const ALWAYS_COMBINING: readonly CombiningKey[] = [
  "patient",
  "procedure",
  "serviceDate",
  "modifiers",
];

export function compileCharges(
  raw: RawCharges | undefined,
  helpers: ChargeCompileHelpers,
): ChargeOptions | undefined {
  const { fail, at } = helpers;
  const matching = compileAppointmentMatching(raw?.appointmentMatching, helpers);
  const grouping = raw?.grouping?.keys ?? DEFAULT_GROUPING;
  const combining = raw?.combining?.keys ?? DEFAULT_COMBINING;
  const noGrouping = ALWAYS_GROUPING.filter((k) => !grouping.includes(k));
  if (noGrouping.length > 0) {
    fail(
      ["charges", "grouping", "keys"],
      "OPTION_DEPENDENCY",
      `charges.grouping.keys must include ${words(noGrouping)}: a claim has one patient and one service date, so charges are only grouped onto a claim of the same patient and service date`,
    );
  }
  const noCombining = ALWAYS_COMBINING.filter((k) => !combining.includes(k));
  if (noCombining.length > 0) {
    fail(
      ["charges", "combining", "keys"],
      "OPTION_DEPENDENCY",
      `charges.combining.keys must include ${words(noCombining)}: Charge Combining overrides only the same service (patient, procedure, modifiers, service date; the line's pointed diagnoses and the rendering provider are compared too)`,
    );
  }
  if (!matching) return undefined;
  return {
    transactionTypes: raw?.transactionTypes ?? ["CG"],
    appointmentMatching: matching,
    unmatched: raw?.unmatched ?? "error",
    derivation: {
      mode: raw?.derivation?.mode ?? "fromAppointment",
      supervisingProvider: raw?.derivation?.supervisingProvider ?? "providerTable",
    },
    grouping: { enabled: raw?.grouping?.enabled ?? true, keys: grouping },
    combining: { mode: raw?.combining?.mode ?? "override", keys: combining },
    diagnoses: {
      pointersPerLine: raw?.diagnoses?.pointersPerLine ?? 4,
      additionalHeaderCodes: raw?.diagnoses?.additionalHeaderCodes ?? 12,
      onTooMany: raw?.diagnoses?.onTooMany ?? "error",
    },
    requireInsurance: raw?.requireInsurance ?? true,
    at: at(["charges"]),
  };
}

function compileAppointmentMatching(
  raw: RawCharges["appointmentMatching"],
  { fail, reference, appointmentIds }: ChargeCompileHelpers,
): AppointmentMatching | undefined {
  const by = raw?.by ?? "practiceId";
  if (by === "none") return { by };
  const path = ["charges", "appointmentMatching"];
  const from = reference(
    [...path, raw?.from === undefined ? "by" : "from"],
    raw?.from ?? DEFAULT_APPOINTMENT_ID_FROM,
    "claim",
  );
  if (!from) return undefined;
  if (by === "practiceId") return { by, from };
  const name = raw?.externalId;
  const externalId =
    name === undefined
      ? appointmentIds.find((id) => id.useForMatching)
      : appointmentIds.find((id) => id.name === name);
  if (!externalId) {
    fail(
      [...path, name === undefined ? "by" : "externalId"],
      "OPTION_DEPENDENCY",
      name === undefined
        ? "charges.appointmentMatching.by externalId needs an appointment external ID: name one with charges.appointmentMatching.externalId, or set useForMatching on one in externalIds.appointment (Table 6)"
        : `charges.appointmentMatching.externalId '${name}' is not an entry of externalIds.appointment (Table 6 – Appointment-level custom fields)${appointmentIds.length ? `; the pack has ${appointmentIds.map((i) => i.name).join(", ")}` : ""}`,
    );
    return undefined;
  }
  return { by, from, externalId };
}

/** `a`, `a and b`, `a, b and c`. */
function words(list: readonly string[]): string {
  return list.length <= 1
    ? list.join("")
    : `${list.slice(0, -1).join(", ")} and ${list[list.length - 1]}`;
}
