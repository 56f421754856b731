import type { ScopeSheet, ValueCell } from "./sheet.js";

/** One cell a pack change moved: its place on the sheet, the old and the new value with where each was set. */
export interface CellMove {
  readonly key: string;
  readonly table: string;
  readonly row: string;
  readonly column: string;
  /** Absent: the cell is new (a row the old pack did not have). */
  readonly old?: Side;
  /** Absent: the cell is gone. */
  readonly new?: Side;
}

export interface Side {
  readonly text: string;
  readonly at?: string;
}

interface Placed {
  readonly cell: ValueCell;
  readonly table: string;
  readonly row: string;
  readonly column: string;
}

function placed(sheet: ScopeSheet): Map<string, Placed> {
  const out = new Map<string, Placed>();
  for (const t of sheet.tables) {
    for (const r of t.rows) {
      // A row is named by its name, else its first label (the spec's words), else its key.
      const first = r.cells.find((c) => c.kind === "label" && c.text !== "");
      const row = r.name ?? (first?.kind === "label" ? first.text : r.key);
      r.cells.forEach((c, i) => {
        if (c.kind === "value")
          out.set(c.key, { cell: c, table: t.title, row, column: t.columns[i] ?? "" });
      });
    }
  }
  return out;
}

const side = (c: ValueCell): Side => ({ text: c.text, ...(c.at && { at: c.at }) });

/**
 * The cells whose value differs between two sheets, in the new sheet's
 * order (then the cells only the old one had). A value that moved to another
 * line but reads the same is not a change.
 */
export function diffSheets(before: ScopeSheet, after: ScopeSheet): CellMove[] {
  const old = placed(before);
  const now = placed(after);
  const moves: CellMove[] = [];
  for (const [key, p] of now) {
    const o = old.get(key);
    if (o && o.cell.text === p.cell.text) continue;
    moves.push({
      key,
      table: p.table,
      row: p.row,
      column: p.column,
      ...(o && { old: side(o.cell) }),
      new: side(p.cell),
    });
  }
  for (const [key, o] of old) {
    if (!now.has(key))
      moves.push({ key, table: o.table, row: o.row, column: o.column, old: side(o.cell) });
  }
  return moves;
}

/** One line per moved cell: `table › row › column: old → new (FILE:LINE)`. */
export function formatMoves(moves: readonly CellMove[]): string {
  const value = (s: Side | undefined) => (s === undefined ? "(none)" : s.text);
  const lines = moves.map((m) => {
    const where = m.new?.at ?? m.old?.at;
    return `${m.table} › ${m.row} › ${m.column}: ${value(m.old)} → ${value(m.new)}${where ? ` (${where})` : ""}`;
  });
  return `${lines.join("\n")}${lines.length > 0 ? "\n" : ""}${moves.length} cell${moves.length === 1 ? "" : "s"} changed\n`;
}
