import type { Alternative, Chain, FieldReference, Repetition } from "./ast.js";

/**
 * A reference in its canonical spelling: dotted notation (`PID-5-1` becomes
 * `PID.5.1`), one space around `|`, none around `+`, only the parts that
 * were written (`PID.7` stays `PID.7`), and a filter's value bare when it can
 * be (`[5="MR"]` becomes `[5=MR]`), else quoted with `\"` and `\\` escaped. Parsing the output gives the same
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

const BARE_VALUE = /^[A-Za-z0-9_-]+$/;

function index(repetition: Repetition | null): string {
  if (repetition === null) return "";
  if (typeof repetition !== "object") return `[${repetition}]`;
  const { component, equals } = repetition;
  const value = BARE_VALUE.test(equals) ? equals : `"${equals.replace(/["\\]/g, "\\$&")}"`;
  return `[${component}=${value}]`;
}
