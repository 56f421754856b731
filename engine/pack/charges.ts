import type { CompiledReference } from "../paths/types.js";
import type { CompiledExternalId } from "./compiled.js";

/**
 * What the `charges` section (docs/pack-language.md §18) compiles to
 * (sections/charges.ts).
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
