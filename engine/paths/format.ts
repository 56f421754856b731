import type { Alternative, Chain, FieldReference, Occurrence } from "./ast.js";

/**
 * A reference in its canonical spelling: dotted notation (`PID-5-1` becomes
 * `PID.5.1`), one space around `|`, none around `+`, and only the parts that
 * were written (`PID.7` stays `PID.7`). Parsing the output gives the same
 * tree, spans aside.
 */
export function formatReference(ast: Chain | Alternative): string {
  switch (ast.type) {
    case "chain":
      return ast.alternatives.map(formatReference).join(" | ");
    case "field":
      return formatField(ast);
    case "composite":
      return ast.parts.map(formatField).join("+");
    case "derived":
      return `${ast.record}.${ast.field}`;
    case "supervisorOf":
      return `supervisorOf(${formatReference(ast.of)})`;
  }
}

function formatField(ref: FieldReference): string {
  let out = `${ref.segment}${index(ref.occurrence)}.${ref.field}${index(ref.repetition)}`;
  if (ref.component !== null) out += `.${ref.component}`;
  if (ref.subcomponent !== null) out += `.${ref.subcomponent}`;
  return out;
}

function index(occurrence: Occurrence | null): string {
  return occurrence === null ? "" : `[${occurrence}]`;
}
