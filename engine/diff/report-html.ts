import type { ActionChange, ErrorChange, MessageChange, PackDiff } from "./compare.js";
import { errorText, messageHeading, shownValue, summaryLine } from "./report-text.js";

/**
 * The diff as one self-contained HTML page (styles inline, no script, no
 * outside resource) a reviewer opens in a browser: the summary, a table of
 * state moves, then one section per changed message.
 */
export function htmlReport(diff: PackDiff, title: string): string {
  const s = diff.summary;
  const moves = s.stateChanged
    .map((m) => `<tr><td>${esc(m.from)}</td><td>${esc(m.to)}</td><td>${m.messages}</td></tr>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em;max-width:70em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}
section{border-top:1px solid #ddd;margin-top:1.2em}h2{font-size:1.05em}
.added{color:#116611}.removed{color:#aa1111}.changed{color:#7a4d00}code{font-size:.95em}
ul{margin:.2em 0 .6em}
</style></head><body>
<h1>${esc(title)}</h1>
<p id="summary">${esc(summaryLine(s))}</p>
<table><tr><th>messages</th><th>changed state</th><th>actions or errors only</th><th>unchanged</th></tr>
<tr><td>${s.messages}</td><td>${s.stateChanged.reduce((n, m) => n + m.messages, 0)}</td><td>${s.actionsOrErrorsChanged}</td><td>${s.unchanged}</td></tr></table>
${moves ? `<table><tr><th>from</th><th>to</th><th>messages</th></tr>${moves}</table>` : ""}
${diff.changes.map(messageSection).join("\n")}
</body></html>
`;
}

function messageSection(c: MessageChange): string {
  const actions = c.actions.length
    ? `<h3>actions</h3><ul>${c.actions.map(actionItem).join("")}</ul>`
    : "";
  const errors = c.errors.length
    ? `<h3>errors</h3><ul>${c.errors.map(errorItem).join("")}</ul>`
    : "";
  const message = c.message
    ? `<h3>message</h3><pre>${c.message.map((l) => `<span class="${l.change}">${l.change === "added" ? "+" : "-"} ${esc(l.line)}</span>`).join("\n")}</pre>`
    : "";
  return `<section><h2>${esc(messageHeading(c))}</h2>${actions}${errors}${message}</section>`;
}

function actionItem(a: ActionChange): string {
  if (a.change === "changed") {
    const fields = a.fields
      .map(
        (f) =>
          `<li><code>${esc(f.path)}</code>: <span class="removed">${esc(shownValue(f.old))}</span> → <span class="added">${esc(shownValue(f.new))}</span></li>`,
      )
      .join("");
    return `<li class="changed">changed <code>${esc(a.type)}</code> ${esc(a.subject)}<ul>${fields}</ul></li>`;
  }
  const { type, ...rest } = a.action;
  return `<li class="${a.change}">${a.change} <code>${esc(type)}</code> <code>${esc(JSON.stringify(rest))}</code></li>`;
}

function errorItem(e: ErrorChange): string {
  return `<li class="${e.change}">${e.change} ${esc(errorText(e.error))}</li>`;
}

function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}
