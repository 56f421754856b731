import type { ActionChange, DiffSummary, ErrorChange, MessageChange, PackDiff } from "./compare.js";

/**
 * The diff for a person at a terminal: the summary, then per changed
 * message its position, source, control ID and type, the state move, and
 * the changed actions (fields old → new) and errors. It holds the
 * messages' data: it is the report the user asked for, on stdout only.
 */
export function textReport(diff: PackDiff): string {
  const lines = [summaryLine(diff.summary)];
  for (const change of diff.changes) lines.push("", ...messageLines(change));
  return `${lines.join("\n")}\n`;
}

export function summaryLine(summary: DiffSummary): string {
  const moved = summary.stateChanged.reduce((n, m) => n + m.messages, 0);
  const moves = summary.stateChanged.map((m) => `${m.from} → ${m.to}: ${m.messages}`).join(", ");
  return [
    `${summary.messages} messages`,
    `${moved} changed state${moves ? ` (${moves})` : ""}`,
    `${summary.actionsOrErrorsChanged} changed actions or errors only`,
    `${summary.unchanged} unchanged`,
  ].join("; ");
}

export function messageHeading(c: MessageChange): string {
  const state = c.state ? `${c.state.from} → ${c.state.to}` : `${c.sameState} (state unchanged)`;
  return `#${c.position} ${c.source} control ${c.controlId || "-"} ${c.messageType || "-"}: ${state}`;
}

function messageLines(c: MessageChange): string[] {
  const lines = [messageHeading(c)];
  if (c.actions.length > 0) lines.push("  actions:", ...c.actions.flatMap(actionLines));
  if (c.errors.length > 0) lines.push("  errors:", ...c.errors.map(errorLine));
  if (c.message)
    lines.push(
      "  message:",
      ...c.message.map((l) => `    ${l.change === "added" ? "+" : "-"} ${l.line}`),
    );
  return lines;
}

export const shownValue = (v: unknown): string => (v === undefined ? "(none)" : JSON.stringify(v));

export function actionLines(a: ActionChange): string[] {
  if (a.change === "changed") {
    return [
      `    ~ ${a.type} ${a.subject}`,
      ...a.fields.map((f) => `        ${f.path}: ${shownValue(f.old)} → ${shownValue(f.new)}`),
    ];
  }
  const { type, ...rest } = a.action;
  return [`    ${a.change === "added" ? "+" : "-"} ${type} ${JSON.stringify(rest)}`];
}

export function errorText(e: ErrorChange["error"]): string {
  const where = [
    e.field,
    e.table && `table ${e.table}`,
    e.value !== undefined && `value ${JSON.stringify(e.value)}`,
  ]
    .filter(Boolean)
    .join(", ");
  return `${e.code} ${e.severity}${where ? ` (${where})` : ""}: ${e.message}`;
}

function errorLine(e: ErrorChange): string {
  return `    ${e.change === "added" ? "+" : "-"} ${errorText(e.error)}`;
}
