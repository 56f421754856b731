import type { ScopeCell, ScopeSheet, ScopeTable } from "./sheet.js";

/**
 * The sheet as one HTML page, styled for screen and print (the PDF is this
 * page printed): each value with the `FILE:LINE` that set it in small type
 * beneath, values that differ from the base highlighted, the spec's Scope
 * Approval block at the end. Self-contained: no scripts, no fetches.
 */
export function renderHtml(sheet: ScopeSheet): string {
  const from = sheet.base === sheet.pack ? "" : ` (extends <code>${esc(sheet.base)}</code>)`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Interface scope: ${esc(sheet.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Interface scope: ${esc(sheet.title)}</h1>
<p>Filled in from the rule pack <code>${esc(sheet.pack)}</code>${from}. Every value is what the
running interface does; beneath it, the <code>FILE:LINE</code> that set it, or <em>default</em> where no
pack writes the key and the engine's default applies. <span class="changed legend">Highlighted</span>
values differ from the base.</p>
</header>
${sheet.tables.map(table).join("\n")}
<section class="approval">
<h2>Scope Approval</h2>
<p>Please provide an electronic signature approving the scope of the interface outlined in this document.</p>
<p class="sign">I, <span class="blank"></span>, agree to the interface design as described here in this document.</p>
<p class="sign">Date: <span class="blank short"></span></p>
<h3>Additional Comments</h3>
<div class="comments"></div>
</section>
</body>
</html>
`;
}

function table(t: ScopeTable): string {
  const head = t.columns.map((c) => `<th>${esc(c)}</th>`).join("");
  const body =
    t.rows.length === 0
      ? `<tr><td colspan="${t.columns.length}" class="empty">none</td></tr>`
      : t.rows.map((r) => `<tr>${r.cells.map(cell).join("")}</tr>`).join("\n");
  const options = t.columns.length === 2 ? ` class="options"` : "";
  return `<section id="${esc(t.id)}">
<h2>${esc(t.title)}</h2>
${t.note ? `<p class="note">${esc(t.note)}</p>` : ""}
<table${options}>
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>
</section>`;
}

function cell(c: ScopeCell): string {
  if (c.kind === "label") return `<td>${esc(c.text)}</td>`;
  const at = c.at ? `<code>${esc(c.at)}</code>` : "default";
  const mark = c.changed
    ? ` class="value changed" title="differs from the base"`
    : ` class="value"`;
  return `<td${mark}><span class="v">${esc(c.text)}</span><span class="at ${c.layer}">${at}</span></td>`;
}

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const STYLE = `
@page { size: A4; margin: 12mm 10mm; }
body { font: 9.5pt/1.3 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #111; margin: 16px; }
@media print { body { margin: 0; } }
header h1 { font-size: 16pt; margin: 0 0 4px; }
header p { margin: 0 0 10px; color: #333; }
h2 { font-size: 11.5pt; margin: 14px 0 2px; break-after: avoid; }
h3 { font-size: 10pt; margin: 12px 0 4px; }
p.note { margin: 0 0 4px; color: #444; font-style: italic; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: 2px 5px; text-align: left; vertical-align: top; }
th { background: #e6e9ef; font-weight: 600; }
table.options td:first-child { width: 42%; }
tr { break-inside: avoid; }
td.value .v { display: block; }
td.value .at { display: block; font-size: 7pt; color: #666; }
td.value .at code, header code { font-family: "DejaVu Sans Mono", monospace; }
td.changed, .legend.changed { background: #fff1b8; }
td.changed .v { font-weight: 600; }
td.empty { color: #666; font-style: italic; }
section { break-inside: auto; }
section.approval { break-inside: avoid; margin-top: 18px; border-top: 2px solid #333; }
.sign { margin: 14px 0; }
.blank { display: inline-block; min-width: 260px; border-bottom: 1px solid #000; }
.blank.short { min-width: 140px; }
.comments { height: 70px; border: 1px solid #999; }
`;
