import type { ScopeTable } from "../sheet.js";
import type { PackView } from "../view.js";
import { choice, optionTable } from "./options.js";

/** Tables 17 and 18, unmatched charges, grouping, combining and the diagnosis limits. */
export function chargesTable(view: PackView): ScopeTable {
  const matching = ["charges", "appointmentMatching"];
  return optionTable(
    view,
    {
      id: "charges",
      title: "Tables 17 and 18 - Charge matching and claim data; grouping, combining, diagnoses",
      note: "How a DFT finds its appointment, where the claim's data comes from, and how charges build claims.",
    },
    [
      {
        key: "matchBy",
        label: "Match charges to an appointment using",
        path: [...matching, "by"],
        text: choice({
          practiceId: "the athenaNet appointment ID",
          externalId: "the external appointment ID",
          none: "N/A - free-standing claims, no appointment matching",
        }),
        fallback: "practiceId",
      },
      {
        key: "matchFrom",
        label: "In which field will the appointment ID appear?",
        path: [...matching, "from"],
        absent: "PV1.19",
      },
      {
        key: "matchExternalId",
        label: "External ID matched",
        path: [...matching, "externalId"],
        absent: "—",
      },
      {
        key: "unmatched",
        label: "Create free-standing claims instead of routing to the ERROR queue?",
        path: ["charges", "unmatched"],
        text: choice({ error: "No: ERROR queue", freeStandingClaim: "Yes: free-standing claim" }),
        fallback: "error",
      },
      {
        key: "derivation",
        label: "Table 18 - Data derived from the matching appointment",
        path: ["charges", "derivation", "mode"],
        text: choice({
          fromAppointment: "Derive all applicable data from the appointment when matched",
          insuranceFromAppointment:
            "Derive insurance from appointment, provider and department from the DFT",
          freeStanding: "N/A - free-standing claims: all data from the charge message",
        }),
        fallback: "fromAppointment",
      },
      {
        key: "supervising",
        label: "Supervising provider from the charge message",
        path: ["charges", "derivation", "supervisingProvider"],
        text: choice({
          providerTable: "Supervising Provider from Rendering Provider (provider table)",
          message: "Supervising Provider in FT1.21",
        }),
        fallback: "providerTable",
      },
      {
        key: "transactionTypes",
        label: "FT1.6 transaction types that are charges",
        path: ["charges", "transactionTypes"],
        absent: "CG",
      },
      {
        key: "grouping",
        label: "Charge Grouping",
        path: ["charges", "grouping", "enabled"],
        absent: "Yes",
      },
      {
        key: "groupingKeys",
        label: "Grouping data elements",
        path: ["charges", "grouping", "keys"],
      },
      {
        key: "combining",
        label: "Charge Combining",
        path: ["charges", "combining", "mode"],
        text: choice({ override: "the most recent charge overrides", none: "no combining" }),
        fallback: "override",
      },
      {
        key: "combiningKeys",
        label: "Same service when equal",
        path: ["charges", "combining", "keys"],
      },
      {
        key: "pointers",
        label: "Diagnosis pointers per procedure",
        path: ["charges", "diagnoses", "pointersPerLine"],
        absent: "4",
      },
      {
        key: "headerCodes",
        label: "Additional diagnosis codes in the claim header",
        path: ["charges", "diagnoses", "additionalHeaderCodes"],
        absent: "12",
      },
      {
        key: "onTooMany",
        label: "More diagnoses than that",
        path: ["charges", "diagnoses", "onTooMany"],
        text: choice({
          error: "CBOERROR, TOO_MANY_DIAGNOSES",
          truncate: "keep the first codes and bill",
        }),
        fallback: "error",
      },
      {
        key: "requireInsurance",
        label: "Charge entry only for patients with insurance (or self-pay)",
        path: ["charges", "requireInsurance"],
        absent: "Yes",
      },
    ],
  );
}
