/**
 * The scoping document as data: the spec's tables in its order, each value
 * cell holding what the effective pack says and where it was said. The
 * renderers (HTML, Markdown) and the cell diff read only this.
 */

/** Who set a value: the base pack, the practice's pack (or a pack between), or the engine's default for a key no pack writes. */
export type Layer = "base" | "practice" | "default";

/** A label the spec prints (a data field, an event); never from the pack. */
export interface LabelCell {
  readonly kind: "label";
  readonly text: string;
}

export interface ValueCell {
  readonly kind: "value";
  /** Stable across packs: `table/row/column`, so two sheets can be compared cell by cell. */
  readonly key: string;
  readonly text: string;
  /** `FILE:LINE` that set the value; absent for an engine default. */
  readonly at?: string;
  readonly layer: Layer;
  /** The value differs from the base pack's (set by `markChanges`). */
  readonly changed: boolean;
}

export type ScopeCell = LabelCell | ValueCell;

export interface ScopeRow {
  readonly key: string;
  /** How a person names the row (in a diff); default its first label. */
  readonly name?: string;
  readonly cells: readonly ScopeCell[];
}

export interface ScopeTable {
  readonly id: string;
  /** The spec's table title ("Table 12 - Insurance processing options – patients"). */
  readonly title: string;
  /** One sentence on what the table decides, in the spec's words where it has them. */
  readonly note?: string;
  readonly columns: readonly string[];
  readonly rows: readonly ScopeRow[];
}

export interface ScopeSheet {
  /** The pack file, as given. */
  readonly pack: string;
  readonly packId: string;
  /** The practice's name (Table 1), or the pack ID for a pack without a practice (the base). */
  readonly title: string;
  /** The root of the extends chain, `FILE` as shown; the pack itself when it extends nothing. */
  readonly base: string;
  readonly tables: readonly ScopeTable[];
}

export const label = (text: string): LabelCell => ({ kind: "label", text });

export function valueCells(sheet: ScopeSheet): ValueCell[] {
  return sheet.tables.flatMap((t) =>
    t.rows.flatMap((r) => r.cells.filter((c): c is ValueCell => c.kind === "value")),
  );
}
