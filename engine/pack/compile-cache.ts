import {
  compileExpression,
  type ExpressionBudget,
  type ExpressionCompileResult,
} from "../expressions/runtime.js";
import { type CompileResult, compileReference } from "../paths/index.js";
import { keepBounded } from "./memo.js";

/**
 * References and expressions compiled once per text (decision 0036). What
 * compiles from a text depends on the text alone (and an expression's
 * budget), not on the pack or file it is written in: problems carry a column
 * within the text, which the caller locates. A rule test's `overrides:`
 * reload, or a reload after one file changed, compiles only the texts it has
 * not seen. A compiled expression is already shared by every message a pack
 * decides, so sharing it between two loads of a pack shares nothing more.
 */
const MAX_KEPT = 20_000;
const references = new Map<string, CompileResult>();
const expressions = new Map<string, ExpressionCompileResult>();

/** `compileReference(text)`, once per text. */
export function cachedReference(text: string): CompileResult {
  return references.get(text) ?? keepBounded(references, text, compileReference(text), MAX_KEPT);
}

/** `compileExpression(text, budget)`, once per text and budget. */
export function cachedExpression(text: string, budget: ExpressionBudget): ExpressionCompileResult {
  const key = `${JSON.stringify(budget)}\u0000${text}`;
  return (
    expressions.get(key) ?? keepBounded(expressions, key, compileExpression(text, budget), MAX_KEPT)
  );
}
