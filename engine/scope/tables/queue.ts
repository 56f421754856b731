import type { ScopeTable } from "../sheet.js";
import { type PackView, show } from "../view.js";
import { optionTable } from "./options.js";

/** The Interface Message Queue Manager: what is accepted, duplicates, retention, the listener's ACKs. */
export function queueTable(view: PackView): ScopeTable {
  return optionTable(
    view,
    {
      id: "queue",
      title: "Interface Message Queue Manager: queue and retention",
      note: "Messages in a final state (processed or deleted) remain in the queue for only 90 days.",
    },
    [
      {
        key: "versions",
        label: "HL7 versions accepted (MSH-12)",
        path: ["queue", "accept", "versions"],
        absent: "any",
      },
      {
        key: "processingIds",
        label: "Processing IDs accepted (MSH-11)",
        path: ["queue", "accept", "processingIds"],
        absent: "any",
      },
      {
        key: "duplicates",
        label: "Duplicate window, hours (0: off)",
        path: ["queue", "duplicates", "windowHours"],
        absent: "24",
      },
      {
        key: "processed",
        label: "PROCESSED kept, days",
        path: ["queue", "retentionDays", "PROCESSED"],
        absent: "90",
      },
      {
        key: "deleted",
        label: "DELETED kept, days",
        path: ["queue", "retentionDays", "DELETED"],
        absent: "90",
      },
      {
        key: "maxMessagesPerFrame",
        label: "Messages per MLLP frame",
        path: ["queue", "listener", "maxMessagesPerFrame"],
        absent: "1000",
      },
      {
        key: "held",
        label: "ACK for a message held in the queue",
        path: ["acks", "held"],
        absent: "AA",
      },
      {
        key: "enhanced",
        label: "Senders acknowledged in enhanced mode",
        path: ["acks", "enhanced"],
        text: (v) =>
          Array.isArray(v) && v.length > 0
            ? v
                .map((s) => [s.sendingApplication, s.sendingFacility].filter(Boolean).join("^"))
                .join(", ")
            : show(v),
        absent: "none",
      },
    ],
  );
}

/** Continuing service and support: the conditions that raise an alert. */
export function alertsTable(view: PackView): ScopeTable {
  const alerts = ["queue", "alerts"];
  return optionTable(
    view,
    {
      id: "alerts",
      title: "Continuing service and support: alerts",
      note: "The interface notifies the specified contacts if an error occurs (contacts: Table 1).",
    },
    [
      {
        key: "errorCount",
        label: "Messages waiting in ERROR or CBOERROR",
        path: [...alerts, "errorCount"],
        absent: "25",
      },
      {
        key: "oldestErrorHours",
        label: "Oldest error waiting, hours",
        path: [...alerts, "oldestErrorHours"],
        absent: "24",
      },
      {
        key: "athenaError",
        label: "Every ATHENAERROR",
        path: [...alerts, "athenaError"],
        absent: "Yes",
      },
      {
        key: "idleMinutes",
        label: "A sender idle, minutes (0: off)",
        path: [...alerts, "idleMinutes"],
        absent: "0",
      },
    ],
  );
}
