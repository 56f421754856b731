import type { PathKey } from "../../documents/merge.js";
import { label, type ScopeRow, type ScopeTable } from "../sheet.js";
import type { CellOptions, PackView } from "../view.js";

/** One row of a two-column table: the spec's option, the pack's value. */
export interface OptionRow extends CellOptions {
  readonly key: string;
  readonly label: string;
  readonly path: PathKey;
}

export function optionTable(
  view: PackView,
  table: { readonly id: string; readonly title: string; readonly note?: string },
  rows: readonly OptionRow[],
): ScopeTable {
  return {
    ...table,
    columns: ["Option", "Value"],
    rows: rows.map(
      (r): ScopeRow => ({
        key: r.key,
        cells: [label(r.label), view.cell(`${table.id}/${r.key}/value`, r.path, r)],
      }),
    ),
  };
}

/** The spec's words for a choice, with the pack's key after it. */
export function choice(words: Readonly<Record<string, string>>): (value: unknown) => string {
  return (value) => {
    const key = String(value);
    const said = words[key];
    return said === undefined ? key : `${said} (${key})`;
  };
}
