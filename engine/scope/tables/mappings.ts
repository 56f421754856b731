import type { MappingTable } from "../../pack/mapping-tables.js";
import { label, type ScopeRow, type ScopeTable, type ValueCell } from "../sheet.js";
import type { PackView } from "../view.js";

/** Table 19 - Custom mapping, in the spec's order, with its default HL7 fields. */
const ELEMENTS: readonly (readonly [string, string, string])[] = [
  ["sex", "Sex", "PID.8"],
  ["race", "Race", "PID.10"],
  ["country", "Country", "PID.12"],
  ["language", "Language", "PID.15"],
  ["maritalStatus", "Marital Status", "PID.16"],
  ["ethnicity", "Ethnicity", "PID.22"],
  ["department", "Department", "PV1.3.1, FT1.16 or FT1.13"],
  ["provider", "Provider (athenaNet Provider ID or NPI preferred)", "PV1.7, FT1.20 and FT1.21"],
  ["insurancePlan", "Insurance Plan", "IN1.2+IN1.4+IN1.5 or IN1.2"],
  ["relationshipToInsured", "Patient’s Relationship to Policy Holder", "IN1.17"],
  ["guarantorRelationship", "Patient’s Relationship to Guarantor", "GT1.11"],
  ["nextOfKinRelationship", "Relationship to Next of Kin", "NK1.3"],
  ["cancelReason", "Appointment Cancellation Reason", "SCH.6"],
  ["appointmentType", "Appointment Type", "SCH.7"],
  ["appointmentStatus", "Appointment Status", "SCH.25"],
];

const isStandard = (at: string) => /(^|\/)mappings\/standard\//.test(at);

/** The rows a practice wrote itself (its mapping folder), not the shared standard ones. */
function practiceRows(table: MappingTable | undefined) {
  return [...(table?.rows.values() ?? [])].filter((r) => !isStandard(r.at));
}

function rowsCell(key: string, table: MappingTable | undefined): ValueCell {
  if (!table) {
    return {
      kind: "value",
      key,
      text: "not read: values pass through",
      layer: "default",
      changed: false,
    };
  }
  const own = practiceRows(table);
  const standard = table.rows.size - own.length;
  const text = `${own.length} practice, ${standard} standard`;
  // Where the rows are: the practice's first row, else the standard file's.
  const first = own[0] ?? [...table.rows.values()][0];
  const layer = own.length > 0 ? "practice" : "base";
  return first
    ? { kind: "value", key, text, at: first.at, layer, changed: false }
    : { kind: "value", key, text, layer: "default", changed: false };
}

/** Table 19 - Custom mapping: which elements the practice maps, from which table, with how many rows. */
export function mappingsTable(view: PackView): ScopeTable {
  const rows = ELEMENTS.map(([element, words, hl7]): ScopeRow => {
    const path = ["mappings", element];
    const key = `mappings/${element}`;
    const name = view.get([...path, "table"]);
    const tableName = typeof name === "string" ? name : element;
    return {
      key: element,
      cells: [
        view.cell(`${key}/required`, [...path, "mappingRequired"], { absent: "No" }),
        label(words),
        label(hl7),
        view.cell(`${key}/table`, [...path, "table"], { absent: element }),
        rowsCell(`${key}/rows`, view.pack.tables.get(tableName)),
        element === "provider"
          ? view.cell(`${key}/accept`, [...path, "accept"], {
              absent: "athenaNet provider ID, NPI",
            })
          : label(""),
      ],
    };
  });
  return {
    id: "mappings",
    title: "Table 19 - Custom mapping",
    note: "The data elements the practice maps from foreign codes to athenaNet codes.",
    columns: [
      "Custom mapping required",
      "Data element",
      "Default HL7 field",
      "Table",
      "Rows",
      "Unmapped accepted",
    ],
    rows,
  };
}

/** The practice's own mapping rows, table by table: what the practice maintains. */
export function mappingRowsTable(view: PackView): ScopeTable {
  const names = [...view.pack.tables.keys()].sort();
  const rows: ScopeRow[] = names.flatMap((name) => {
    const table = view.pack.tables.get(name);
    return practiceRows(table).map((row): ScopeRow => {
      const key = `mappingRows/${name}:${row.foreign}`;
      return {
        key: `${name}:${row.foreign}`,
        name: `${name}: ${row.foreign}`,
        cells: [
          label(table?.direction === "outbound" ? `${name} (outbound)` : name),
          label(row.foreign),
          {
            kind: "value",
            key: `${key}/practice`,
            text: row.practice,
            at: row.at,
            layer: "practice",
            changed: false,
          },
          label(row.description ?? ""),
        ],
      };
    });
  });
  return {
    id: "mappingRows",
    title: "Table 19 - Custom mapping: the practice's rows",
    note: "Each foreign code the practice mapped (an outbound table maps a practice code to the receiver's).",
    columns: ["Table", "Foreign code", "athenaNet code", "Description"],
    rows,
  };
}
