import { label, type ScopeRow, type ScopeTable } from "../sheet.js";
import { type PackView, show } from "../view.js";
import { choice, optionTable } from "./options.js";

const STRATEGIES = choice({
  externalId: "external ID",
  patientId: "athenaNet patient ID",
  demographics: "demographics",
  appointment: "the matched appointment's patient",
});
const order = (v: unknown) =>
  Array.isArray(v) ? v.map((s) => STRATEGIES(s).replace(/ \(.*\)$/, "")).join(", then ") : show(v);

/** athena Patient Matching Logic. */
export function matchingTable(view: PackView): ScopeTable {
  return optionTable(
    view,
    {
      id: "matching",
      title: "athena Patient Matching Logic",
      note: "How an inbound message finds its patient, in the order tried.",
    },
    [
      {
        key: "patient",
        label: "Patient messages",
        path: ["matching", "order", "patient"],
        text: order,
      },
      {
        key: "appointment",
        label: "Appointment messages",
        path: ["matching", "order", "appointment"],
        text: order,
      },
      {
        key: "charge",
        label: "Charge messages",
        path: ["matching", "order", "charge"],
        text: order,
      },
      {
        key: "patientIdFrom",
        label: "athenaNet patient ID in",
        path: ["matching", "patientId", "from"],
        absent: "PID.2",
      },
      {
        key: "patientIdUnknown",
        label: "A patient ID no patient holds",
        path: ["matching", "patientId", "unknown"],
        text: choice({
          error: "ERROR, PATIENT_NOT_FOUND",
          demographics: "match on demographics instead",
        }),
        fallback: "error",
      },
      {
        key: "thresholds",
        label: "Demographic scores: match / review",
        path: ["matching", "demographics", "thresholds"],
        absent: "the engine's calibrated thresholds",
      },
      {
        key: "fields",
        label: "Demographic fields compared",
        path: ["matching", "demographics", "fields"],
        text: (v) => (Array.isArray(v) ? v.map((f) => show(f.field)).join(", ") : show(v)),
        absent: "SSN, date of birth, first, last and middle name, sex, address, phone",
      },
      {
        key: "substantialChange",
        label: "Changes held for review (substantial change)",
        path: ["matching", "substantialChange"],
      },
    ],
  );
}

/** Table 5 – Patient-level custom fields and Table 6 – Appointment-level custom fields. */
export function externalIdsTable(view: PackView): ScopeTable {
  const rows: ScopeRow[] = [];
  for (const record of ["patient", "appointment"] as const) {
    const entries = view.get(["externalIds", record]);
    const list = Array.isArray(entries) ? (entries as Record<string, unknown>[]) : [];
    if (list.length === 0) {
      rows.push({
        key: `${record}:none`,
        cells: [
          label(record === "patient" ? "Patient" : "Appointment"),
          view.cell(`externalIds/${record}:none/name`, ["externalIds", record], {
            absent: "none",
          }),
          label(""),
          label(""),
          label(""),
          label(""),
          label(""),
        ],
      });
    }
    list.forEach((entry, i) => {
      const name = String(entry.name);
      const path = ["externalIds", record, i];
      const key = `externalIds/${record}:${name}`;
      rows.push({
        key: `${record}:${name}`,
        name: `${record}: ${name}`,
        cells: [
          label(record === "patient" ? "Patient" : "Appointment"),
          view.cell(`${key}/name`, [...path, "name"]),
          view.cell(`${key}/customFieldId`, [...path, "customFieldId"]),
          view.cell(`${key}/from`, [...path, "from"]),
          view.cell(`${key}/useForMatching`, [...path, "useForMatching"], { absent: "No" }),
          view.cell(`${key}/leadingZeros`, [...path, "leadingZeros"], { absent: "keep" }),
          view.cell(`${key}/direction`, [...path, "direction"], { absent: "both" }),
        ],
      });
    });
  }
  return {
    id: "externalIds",
    title: "Table 5 – Patient-level custom fields; Table 6 – Appointment-level custom fields",
    note: "External IDs stored in custom fields, where they travel, and whether they are matched on.",
    columns: [
      "Record",
      "Custom field name",
      "Custom field ID",
      "HL7 field",
      "Use for matching",
      "Leading zeros",
      "Direction",
    ],
    rows,
  };
}

const RECORDS: Readonly<Record<string, string>> = {
  patient: "Patient (Table 10)",
  policy: "Insurance (Table 11)",
  appointment: "Appointment (Table 14)",
  claim: "Claim (Table 16)",
  charge: "Claim (Table 16)",
};

/** Tables 10, 11, 14 and 16: the fields a record needs before it is created (or updated). */
export function requiredTable(view: PackView): ScopeTable {
  const rules = view.get(["required"]);
  const list = Array.isArray(rules) ? (rules as Record<string, unknown>[]) : [];
  const fields = view.get(["fields"]);
  const fieldRules = Array.isArray(fields) ? (fields as Record<string, unknown>[]) : [];
  const rows = list.map((rule, i): ScopeRow => {
    const path = ["required", i];
    const id = String(rule.name ?? rule.field ?? `${rule.record}:${rule.ref}`);
    const key = `required/${id}`;
    const record = String(rule.record ?? String(rule.field).split(".")[0]);
    // A `field:` rule reads the HL7 field its field rule reads: the first one without a condition.
    const source = fieldRules.findIndex((f) => f.field === rule.field && f.when === undefined);
    const hl7 =
      rule.ref !== undefined
        ? view.cell(`${key}/hl7`, [...path, "ref"])
        : source >= 0
          ? view.cell(`${key}/hl7`, ["fields", source, "from"], { absent: "(computed)" })
          : { ...view.cell(`${key}/hl7`, [...path, "field"]), text: String(rule.field) };
    return {
      key: id,
      name: `${RECORDS[record] ?? record}: ${String(rule.label ?? rule.field ?? rule.ref)}`,
      cells: [
        label(RECORDS[record] ?? record),
        view.cell(`${key}/label`, [...path, "label"], { absent: String(rule.field ?? rule.ref) }),
        hl7,
        view.cell(`${key}/on`, [...path, "on"], { absent: "create" }),
        view.cell(`${key}/severity`, [...path, "severity"], { absent: "error" }),
        view.cell(`${key}/when`, [...path, "when"], { absent: "always" }),
      ],
    };
  });
  return {
    id: "required",
    title: "Tables 10, 11, 14 and 16 - Required HL7 fields",
    note: "The fields the third-party vendor system must populate to create a patient, insurance, an appointment or a claim.",
    columns: ["Record", "Data field", "HL7 field", "On", "Severity", "Condition"],
    rows,
  };
}

/** Table 12 - Insurance processing options – patients, with case policies and IN1.17. */
export function insuranceTable(view: PackView): ScopeTable {
  const packageRule = (() => {
    const fields = view.get(["fields"]);
    const list = Array.isArray(fields) ? (fields as Record<string, unknown>[]) : [];
    return list.findIndex((f) => f.field === "policy.packageId" && f.when === undefined);
  })();
  return optionTable(
    view,
    {
      id: "insurance",
      title: "Table 12 - Insurance processing options – patients",
      note: "Whether insurance is received, and how new or updated policies in a message are processed.",
    },
    [
      {
        key: "receive",
        label: "Is athenaNet receiving insurance data via the interface?",
        path: ["insurance", "receive"],
        absent: "Yes",
      },
      {
        key: "mode",
        label: "Insurance processing",
        path: ["insurance", "mode"],
        text: choice({
          always: "Always process insurance policy updates",
          whenPresent: "Process insurance policy updates only when data exists in the message",
        }),
        fallback: "always",
      },
      {
        key: "foreignKey",
        label: "Insurance foreign ID (Table 11)",
        path: ["fields", packageRule, "from"],
        absent: "IN1.2+IN1.4+IN1.5",
      },
      {
        key: "casePolicies",
        label: "Case policies",
        path: ["insurance", "casePolicies"],
        text: choice({
          toSequenceZero: "Sequence 1 mapped to a case policy becomes sequence 0",
          keepSequence: "Keep the message's sequence",
        }),
      },
      {
        key: "relationshipDirection",
        label: "IN1.17 holds",
        path: ["insurance", "relationshipDirection"],
        text: choice({
          patientToInsured: "the patient's relationship to the policy holder",
          insuredToPatient: "the policy holder's relationship to the patient (HL7)",
        }),
      },
    ],
  );
}

/** Table 13 - Patient privacy processing option, and Guarantor Information. */
export function privacyTable(view: PackView): ScopeTable {
  return optionTable(
    view,
    {
      id: "privacy",
      title: "Table 13 - Patient privacy processing option; Guarantor Information",
      note: "Privacy boxes checked on a patient the interface creates; the guarantor exchanged.",
    },
    [
      {
        key: "autoCheck",
        label: "Automatically check patient privacy boxes",
        path: ["privacy", "autoCheck"],
        absent: "Yes",
      },
      {
        key: "guarantorReceive",
        label: "Receive the guarantor (GT1)",
        path: ["guarantor", "receive"],
        absent: "Yes",
      },
      {
        key: "guarantorSend",
        label: "Send the guarantor (GT1)",
        path: ["guarantor", "send"],
        absent: "Yes",
      },
      {
        key: "guarantorDirection",
        label: "GT1.11 holds",
        path: ["guarantor", "relationshipDirection"],
        text: choice({
          patientToGuarantor: "the patient's relationship to the guarantor",
          guarantorToPatient: "the guarantor's relationship to the patient",
        }),
      },
    ],
  );
}
