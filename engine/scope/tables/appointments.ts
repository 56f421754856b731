import type { ScopeTable } from "../sheet.js";
import { type PackView, show } from "../view.js";
import { choice, optionTable } from "./options.js";

/** Table 15 - Appointment message matching options, and the processing logic for appointment messages. */
export function appointmentsTable(view: PackView): ScopeTable {
  const byExternal = view.get(["appointments", "matching", "by"]) === "externalId";
  return optionTable(
    view,
    {
      id: "appointments",
      title: "Table 15 - Appointment message matching options; processing logic",
      note: "Which appointment ID an inbound appointment message is matched on, and what each SIU does.",
    },
    [
      {
        key: "by",
        label: "Appointment ID available in inbound appointment messages",
        path: ["appointments", "matching", "by"],
        text: choice({
          practiceId: "athenaNet appointment ID",
          externalId: "External appointment ID",
        }),
        fallback: "practiceId",
      },
      byExternal
        ? {
            key: "in",
            label: "in (external ID)",
            path: ["appointments", "matching", "externalId"],
            absent: "the external ID used for matching",
          }
        : { key: "in", label: "in", path: ["appointments", "matching", "from"], absent: "SCH.2" },
      {
        key: "reschedule",
        label: "Reschedule (S13)",
        path: ["appointments", "reschedule"],
        text: choice({
          update: "change in place",
          cancelAndCreate: "cancel and create a new appointment",
        }),
        fallback: "update",
      },
      {
        key: "updateEvents",
        label: "S14 status decides the event",
        path: ["appointments", "updateEvents"],
      },
      { key: "noShow", label: "No-show (S26)", path: ["appointments", "noShow"], text: show },
      {
        key: "future",
        label: "Future appointments: created in status",
        path: ["appointments", "statusOnCreate", "future"],
        absent: "f",
      },
      {
        key: "pastOrPresent",
        label: "Past or present appointments: created in status",
        path: ["appointments", "statusOnCreate", "pastOrPresent"],
        absent: "2",
      },
      {
        key: "requireInsurance",
        label: "Schedule only patients with insurance (or self-pay)",
        path: ["appointments", "requireInsurance"],
        absent: "Yes",
      },
    ],
  );
}
