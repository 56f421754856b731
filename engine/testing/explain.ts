import type { Outcome, TraceEntry } from "../model/outcome.js";

/**
 * `--explain` and `rulepack explain`: per message, which rules fired, which
 * reference alternative supplied each value, which mapping row was used and
 * the matcher's per-field scores, read from the outcome's trace[]. The trace
 * holds no values, only where they came from; the review candidates' scores
 * and changes are shown as the matcher computed them.
 */
export function explainOutcome(outcome: Outcome, indent = ""): string {
  const lines = [
    `${outcome.messageId} ${outcome.messageType || "(no type)"} control ${outcome.controlId || "-"}: ${outcome.state}`,
  ];
  const silent = outcome.trace.filter((t) => t.step === "extract" && t.detail === "absent");
  for (const t of outcome.trace) {
    if (t.step === "extract" && t.detail === "absent") continue;
    lines.push(`  ${t.step.padEnd(8)} ${describe(t)}`);
  }
  if (silent.length > 0) {
    lines.push(
      `  ${"extract".padEnd(8)} ${silent.length} field rule(s) read nothing: ${silent.map((t) => t.rule).join(", ")}`,
    );
  }
  for (const a of outcome.actions) lines.push(`  ${"action".padEnd(8)} ${a.type}`);
  for (const e of outcome.errors) {
    const where = [
      e.field,
      e.table && `table ${e.table}`,
      e.value !== undefined && `value '${e.value}'`,
    ]
      .filter(Boolean)
      .join(", ");
    lines.push(`  ${e.severity.padEnd(8)} ${e.code}${where ? ` (${where})` : ""}: ${e.message}`);
  }
  for (const r of outcome.review) {
    lines.push(`  ${"review".padEnd(8)} ${r.reason}: ${r.detail}`);
    for (const c of r.candidates) {
      const changes = c.changes ? ` changes ${Object.keys(c.changes).join(", ")}` : "";
      lines.push(
        `           patient ${c.patientId} total ${c.total.toFixed(2)}${scores(c.scores)}${changes}`,
      );
    }
  }
  return `${lines.map((l) => indent + l).join("\n")}\n`;
}

function describe(t: TraceEntry): string {
  const parts: string[] = [];
  if (t.step === "extract") {
    parts.push(t.rule ?? "?");
    if (t.ref) parts.push(`from ${t.ref}`);
    parts.push(`(${t.detail ?? "?"})`);
  } else if (t.step === "map") {
    parts.push(`${t.table ?? "?"}: ${t.row ?? "?"}`);
    if (t.rule) parts.push(`(rule ${t.rule})`);
  } else if (t.step === "match") {
    if (t.rule) parts.push(t.rule);
    if (t.ref) parts.push(`from ${t.ref}`);
    if (t.detail) parts.push(t.detail);
  } else {
    if (t.rule) parts.push(t.rule);
    if (t.ref) parts.push(`from ${t.ref}`);
    if (t.detail) parts.push(t.detail);
  }
  let text = parts.join(" ");
  if (t.score) text += scores(t.score);
  if (t.at) text += `  @ ${t.at}`;
  return text;
}

function scores(s: Readonly<Record<string, number>>): string {
  const entries = Object.entries(s);
  if (entries.length === 0) return "";
  return `  scores: ${entries.map(([k, v]) => `${k} ${v >= 0 ? "+" : ""}${v.toFixed(2)}`).join(", ")}`;
}
