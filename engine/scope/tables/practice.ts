import type { InboundEvent, OutboundEvent } from "../../pack/enablement.js";
import { label, type ScopeRow, type ScopeTable } from "../sheet.js";
import type { PackView } from "../view.js";
import { optionTable } from "./options.js";

/** Table 1 - General information, and who hears of the interface's alerts. */
export function practiceTable(view: PackView): ScopeTable {
  return optionTable(
    view,
    {
      id: "practice",
      title: "Table 1 - General information",
      note: "The practice, its vendor and the contacts notified when an alert is raised.",
    },
    [
      {
        key: "contextId",
        label: "athenahealth practice context ID",
        path: ["practice", "contextId"],
      },
      { key: "name", label: "athenahealth practice name", path: ["practice", "name"] },
      {
        key: "eventNumber",
        label:
          "Event number (provided by Interface Project Engineer for internal athenahealth tracking)",
        path: ["practice", "eventNumber"],
      },
      { key: "vendorName", label: "Vendor Name", path: ["practice", "vendorName"] },
      { key: "vendorType", label: "Vendor type", path: ["practice", "vendorType"] },
      { key: "timeZone", label: "Practice time zone", path: ["practice", "timeZone"] },
      { key: "packId", label: "Rule pack", path: ["pack", "id"] },
      {
        key: "contacts",
        label: "Contacts notified of alerts (the program run per alert)",
        path: ["queue", "alerts", "command"],
        text: (v) => (Array.isArray(v) ? v.join(" ") : String(v)),
        absent: "none: alerts are logged on stderr only",
      },
    ],
  );
}

/** Table 4's rows in the spec's order: each event out of the practice system, then in from the other system. */
const EVENTS: readonly {
  readonly event: InboundEvent;
  readonly action: string;
  readonly happened: string;
}[] = [
  { event: "patientAdd", action: "Add Patient", happened: "New Patient ADDED" },
  { event: "patientUpdate", action: "Update Patient", happened: "New Patient UPDATED" },
  { event: "appointmentSchedule", action: "Schedule Appointment", happened: "Appt SCHEDULED" },
  { event: "appointmentUpdate", action: "Update Appointment", happened: "Appt UPDATE" },
  { event: "appointmentCancel", action: "Cancel Appointment", happened: "Appt CANCELLED" },
  { event: "appointmentCheckIn", action: "Check-In", happened: "Appt CHECKIN" },
  { event: "appointmentCheckOut", action: "Check-Out", happened: "Appt CHECKOUT" },
  { event: "charge", action: "Charges", happened: "Charge FINALIZED" },
];

/** Table 4 - Interface Enablement: per event and direction, on or off and the messages it takes or sends. */
export function enablementTable(view: PackView): ScopeTable {
  const rows: ScopeRow[] = [];
  for (const { event, action, happened } of EVENTS) {
    for (const direction of ["outbound", "inbound"] as const) {
      if (direction === "outbound" && event === "charge") continue;
      const messages =
        direction === "inbound"
          ? view.pack.enabled.inbound[event]
          : [view.pack.enabled.outbound[event as OutboundEvent]].filter(
              (m): m is string => m !== null,
            );
      const path = ["enabled", direction, event];
      const key = `enablement/${direction}.${event}`;
      rows.push({
        key: `${direction}.${event}`,
        name: `${action}, ${direction}`,
        cells: [
          view.cell(`${key}/enable`, path, { text: () => (messages.length > 0 ? "Yes" : "No") }),
          label(action),
          label(`${happened} in ${direction === "outbound" ? "athenaNet" : "other system"}`),
          label(direction === "outbound" ? "Outbound" : "Inbound"),
          view.cell(`${key}/messages`, path, {
            text: () => (messages.length > 0 ? messages.join(", ") : "—"),
          }),
        ],
      });
    }
  }
  return {
    id: "enablement",
    title: "Table 4 - Interface Enablement",
    note: "Each event the interface takes in or sends out, and its messages.",
    columns: ["Enable", "Action", "Event", "Direction", "Messages"],
    rows,
  };
}
