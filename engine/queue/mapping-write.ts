import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { isMap, isScalar, isSeq, type Node, parseDocument, stringify } from "yaml";

/**
 * Writing one row into a mapping file (`mappings/<practice>/<table>.yaml`)
 * without disturbing anything else in it. The file is parsed with the yaml
 * Document API to find its `rows` sequence and the last row's place; the
 * new row is rendered in that row's style (block or flow, same indentation)
 * and spliced in after it, so every other byte (comments, order, quoting,
 * long lines) stays as the person wrote it. A round trip through
 * `Document.toString()` would refold long descriptions and flow rows.
 */

export interface NewRow {
  readonly foreign: string;
  readonly practice: string;
  readonly description?: string;
}

export type RowWrite =
  | {
      readonly ok: true;
      readonly text: string /** 1-based line of the new row. */;
      readonly line: number;
    }
  | { readonly ok: false; readonly message: string };

const DEFAULT_MODELINE = "# yaml-language-server: $schema=../../schemas/mapping-table.schema.json";

/** A YAML double-quoted scalar on one line (codes stay strings: "4471" is not a number). */
const quoted = (value: string): string =>
  stringify(value, { defaultStringType: "QUOTE_DOUBLE", lineWidth: 0 }).trimEnd();

/** Plain when YAML allows it on one line, else double-quoted. */
function plainOrQuoted(value: string): string {
  const plain = stringify(value, { lineWidth: 0 }).trimEnd();
  return plain.includes("\n") ? quoted(value) : plain;
}

type Column = "foreign" | "practice";

/** The row as lines, its code columns in `order`: `prefix` is what precedes the row on its first line (`  - `). */
function renderRow(row: NewRow, prefix: string, flow: boolean, order: readonly Column[]): string[] {
  const codes = order.map((column) => `${column}: ${quoted(row[column])}`);
  if (flow) {
    const description =
      row.description === undefined ? "" : `, description: ${quoted(row.description)}`;
    return [`${prefix}{ ${codes.join(", ")}${description} }`];
  }
  const pad = " ".repeat(prefix.length);
  return [
    ...codes.map((code, i) => `${i === 0 ? prefix : pad}${code}`),
    ...(row.description === undefined
      ? []
      : [`${pad}description: ${plainOrQuoted(row.description)}`]),
  ];
}

const FOREIGN_FIRST: readonly Column[] = ["foreign", "practice"];

/** The code columns in the order the row writes them (an outbound table often puts practice first). */
function columnOrder(node: Node): readonly Column[] {
  if (!isMap(node)) return FOREIGN_FIRST;
  const keys = node.items.map((pair) => String(isScalar(pair.key) ? pair.key.value : pair.key));
  return keys.indexOf("practice") >= 0 && keys.indexOf("practice") < keys.indexOf("foreign")
    ? ["practice", "foreign"]
    : FOREIGN_FIRST;
}

const lineOf = (text: string, offset: number): number => text.slice(0, offset).split("\n").length;

/** Insert `lines` as whole lines at `offset` (the end of a line, or of the text). */
function insertLines(text: string, offset: number, lines: readonly string[]): RowWrite {
  const tail = text.slice(offset);
  const inserted = `${text.slice(0, offset)}\n${lines.join("\n")}${tail === "" ? "\n" : tail}`;
  return { ok: true, text: inserted, line: lineOf(inserted, offset + 1) };
}

/** The text with `row` appended to its `rows`, or why that cannot be done safely. */
export function appendRow(text: string, row: NewRow): RowWrite {
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    return { ok: false, message: `the file is not valid YAML: ${doc.errors[0]?.message}` };
  const rows = doc.get("rows", true);
  if (!isSeq(rows) || !rows.range)
    return { ok: false, message: "the file has no `rows:` list to add to" };
  const last = rows.items.at(-1) as Node | undefined;
  if (!last) {
    // `rows: []`: replaced by a block list holding the row.
    if (!rows.flow) return { ok: false, message: "the file's `rows:` list cannot be read" };
    const keyEnd = text.lastIndexOf(":", rows.range[0]) + 1;
    const rendered = renderRow(row, "  - ", false, FOREIGN_FIRST);
    const written = `${text.slice(0, keyEnd)}\n${rendered.join("\n")}${text.slice(rows.range[1])}`;
    return { ok: true, text: written, line: lineOf(written, keyEnd + 1) };
  }
  if (rows.flow || !last.range)
    return { ok: false, message: "the rows are a flow list ([...]): add the row by hand" };
  const lineStart = text.lastIndexOf("\n", last.range[0] - 1) + 1;
  const prefix = text.slice(lineStart, last.range[0]);
  if (!/^ *- +$/.test(prefix))
    return {
      ok: false,
      message: `the last row (line ${lineOf(text, lineStart)}) is not laid out as '- row'`,
    };
  // After the last row's value, at the end of its line (a trailing comment stays with it).
  const newline = text.indexOf("\n", Math.max(last.range[1] - 1, 0));
  const offset = newline < 0 ? text.length : newline;
  const flow = isMap(last) && last.flow === true;
  return insertLines(text, offset, renderRow(row, prefix, flow, columnOrder(last)));
}

/** A new practice file for `table` holding `row`, headed like the standard file (its modeline). */
export function newTableFile(table: string, row: NewRow, modeline = DEFAULT_MODELINE): RowWrite {
  const head = [modeline, `table: ${table}`, "rows:"];
  const lines = [...head, ...renderRow(row, "  - ", false, FOREIGN_FIRST)];
  return { ok: true, text: `${lines.join("\n")}\n`, line: head.length + 1 };
}

/** The first line of a mapping file when it is a `yaml-language-server` modeline. */
export function modelineOf(text: string): string | undefined {
  const first = text.split("\n", 1)[0] ?? "";
  return first.startsWith("# yaml-language-server:") ? first.trimEnd() : undefined;
}

/**
 * Write `text` to `file` (its folder created when missing) and keep it only
 * when `check` holds afterwards; otherwise put back what was there before,
 * or nothing. Whether the write was kept.
 */
export function writeChecked(file: string, text: string, check: () => boolean): boolean {
  const previous = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  const folder = dirname(file);
  const newFolder = !existsSync(folder);
  mkdirSync(folder, { recursive: true });
  writeFileSync(file, text);
  if (check()) return true;
  if (previous !== undefined) writeFileSync(file, previous);
  else rmSync(newFolder ? folder : file, { recursive: true, force: true });
  return false;
}
