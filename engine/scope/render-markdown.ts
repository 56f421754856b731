import type { ScopeCell, ScopeSheet, ScopeTable } from "./sheet.js";

/**
 * The sheet as Markdown (GitHub tables), for a pull request or a wiki: each
 * value followed by the `FILE:LINE` that set it, values that differ from the
 * base in bold with "≠ base".
 */
export function renderMarkdown(sheet: ScopeSheet): string {
  const from = sheet.base === sheet.pack ? "" : ` (extends \`${sheet.base}\`)`;
  return [
    `# Interface scope: ${sheet.title}`,
    "",
    `Filled in from the rule pack \`${sheet.pack}\`${from}. Beside each value, the \`FILE:LINE\` that set it (*default*: no pack writes the key); **bold ≠ base**: differs from the base.`,
    "",
    ...sheet.tables.flatMap(table),
    "## Scope Approval",
    "",
    "Please provide an electronic signature approving the scope of the interface outlined in this document.",
    "",
    "I, ______________________, agree to the interface design as described here in this document.",
    "",
    "Date: ______________",
    "",
    "### Additional Comments",
    "",
  ].join("\n");
}

function table(t: ScopeTable): string[] {
  const rows =
    t.rows.length === 0
      ? [`| none |${" |".repeat(t.columns.length - 1)}`]
      : t.rows.map((r) => `| ${r.cells.map(cell).join(" | ")} |`);
  return [
    `## ${t.title}`,
    "",
    ...(t.note ? [`*${t.note}*`, ""] : []),
    `| ${t.columns.join(" | ")} |`,
    `|${" --- |".repeat(t.columns.length)}`,
    ...rows,
    "",
  ];
}

function cell(c: ScopeCell): string {
  if (c.kind === "label") return esc(c.text);
  const text = c.changed ? `**${esc(c.text)}** ≠ base` : esc(c.text);
  return `${text} <sub>${c.at ? `\`${c.at}\`` : "*default*"}</sub>`;
}

const esc = (s: string) =>
  s
    .replace(/\\/g, "\\\\")
    .replace(/([|*_])/g, "\\$1")
    .replace(/\n/g, " ");
