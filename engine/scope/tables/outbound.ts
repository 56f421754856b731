import { label, type ScopeRow, type ScopeTable } from "../sheet.js";
import { type PackView, show } from "../view.js";
import { choice, optionTable } from "./options.js";

/** Table 7 - Filter outbound messages. */
export function filtersTable(view: PackView): ScopeTable {
  const rows = (["patients", "appointments"] as const).map((kind): ScopeRow => {
    const path = ["outbound", "filters", kind];
    const key = `filters/${kind}`;
    return {
      key: kind,
      cells: [
        label(kind === "patients" ? "Patients" : "Appointments"),
        view.cell(`${key}/by`, [...path, "by"], {
          absent: "No filter: all configured messages are sent",
        }),
        view.cell(`${key}/names`, [...path, "names"], { absent: "—" }),
      ],
    };
  });
  return {
    id: "filters",
    title: "Table 7 - Filter outbound messages",
    note: "Should the interface filter outbound messages? No is recommended.",
    columns: ["Message type", "Filter by", "Names"],
    rows,
  };
}

const STATUS_EVENTS: readonly (readonly [string, string, string])[] = [
  ["appointmentSchedule", "New appointment", "BOOKED"],
  ["appointmentCheckIn", "Appointment check-in", "ARRIVED"],
  ["appointmentCheckOut", "Appointment checkout", "COMPLETED"],
  ["appointmentUpdate", "Appointment update", "UPDATE"],
  ["appointmentCancel", "Cancel appointment", "CANCELLED"],
];

/** Table 8 - Default appointment statuses (SCH.25 of outbound appointment messages). */
export function statusesTable(view: PackView): ScopeTable {
  return {
    id: "statuses",
    title: "Table 8 - Default appointment statuses",
    note: "The status the interface sends in SCH.25 for the event that triggered the message.",
    columns: ["Event", "SCH.25 value"],
    rows: STATUS_EVENTS.map(([event, words, spec]) => ({
      key: event,
      cells: [
        label(words),
        view.cell(`statuses/${event}/value`, ["outbound", "appointmentStatuses", event], {
          absent: spec,
        }),
      ],
    })),
  };
}

/** Table 9 - Provider ID configuration options. */
export function providerIdsTable(view: PackView): ScopeTable {
  return optionTable(
    view,
    {
      id: "providerIds",
      title: "Table 9 - Provider ID configuration options",
      note: "The provider ID in outbound messages: the NPI or the athenaNet provider ID.",
    },
    [
      {
        key: "use",
        label: "Provider ID",
        path: ["outbound", "providerId", "use"],
        text: choice({ npi: "NPI", practiceId: "athenaNet provider ID" }),
        fallback: "npi",
      },
      {
        key: "identifierType",
        label: "Identifier type (XCN.13)",
        path: ["outbound", "providerId", "identifierType"],
        absent: "—",
      },
      {
        key: "assigningAuthority",
        label: "Assigning authority (XCN.9)",
        path: ["outbound", "providerId", "assigningAuthority"],
        absent: "—",
      },
      {
        key: "codeSystems",
        label: "Race, ethnicity and language coding systems",
        path: ["outbound", "codeSystems"],
        absent: "race: CDCREC; ethnicity: CDCREC; language: ISO6392",
      },
      { key: "msh", label: "Message header (MSH)", path: ["outbound", "msh"], text: show },
    ],
  );
}
