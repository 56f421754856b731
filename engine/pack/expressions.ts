import jsonata from "jsonata";
import { compileReference } from "../paths/index.js";
import type { CompiledReference, ReadContext, ReadResult } from "../paths/types.js";

/**
 * JSONata in rule packs: conditions (`when:`) and computed values (`expr:`).
 * Compiled once at pack load, evaluated per message under a budget, over
 * plain frozen data, with two helpers:
 *   $field('PID.5.1')    a field reference, compiled at load like any other
 *   $mapCode(table, code) a code through a mapping table
 * Regex literals are refused (a catastrophic regex escapes JSONata's timeout)
 * and `$eval` is refused and shadowed, so the ban cannot be bypassed.
 */

export interface ExpressionBudget {
  /** Evaluation time limit per expression (JSONata `timeout`, error D1012). */
  readonly timeoutMs: number;
  /** Maximum evaluation depth (JSONata `stack`, error D1011). */
  readonly maxDepth: number;
  /** Longest sequence an expression may build (JSONata `sequence`, error D2015). */
  readonly maxSequence: number;
}

export const DEFAULT_BUDGET: ExpressionBudget = Object.freeze({
  timeoutMs: 50,
  maxDepth: 100,
  maxSequence: 10_000,
});

export type ExpressionLoadCode =
  | "JSONATA_SYNTAX"
  | "JSONATA_REGEX_FORBIDDEN"
  | "JSONATA_FORBIDDEN_FUNCTION"
  | "INVALID_FIELD_REFERENCE";

/** A load-time problem; `column` is 1-based within the expression text. */
export interface ExpressionLoadError {
  readonly code: ExpressionLoadCode;
  readonly message: string;
  readonly column: number;
}

export type ExpressionRunCode = "EXPRESSION_ERROR" | "EXPRESSION_BUDGET_EXCEEDED";

export interface ExpressionRunError {
  readonly code: ExpressionRunCode;
  readonly message: string;
}

/** What an expression may call back into while it runs. */
export interface ExpressionEnvironment {
  /** Where `$field` reads. */
  readonly read: ReadContext;
  /** `$mapCode(table, code)`: the practice code, or undefined when the table has no row. */
  readonly mapCode: (table: string, code: string) => string | undefined;
  /** Further variables for this evaluation, e.g. `$value` (the `from:` result of a field rule). */
  readonly variables?: Readonly<Record<string, unknown>>;
}

export type ExpressionValue = unknown;

export type ExpressionResult =
  | { readonly ok: true; readonly value: ExpressionValue }
  | { readonly ok: false; readonly error: ExpressionRunError };

export interface CompiledExpression {
  readonly source: string;
  /** `accessor` when the expression is only a field reference: no JSONata at run time. */
  readonly kind: "accessor" | "jsonata";
  /** Field references it reads (literal `$field` arguments, or the reference itself). */
  readonly references: readonly CompiledReference[];
  /** Mapping tables named literally in `$mapCode` calls. */
  readonly tables: readonly string[];
  evaluate(input: unknown, env: ExpressionEnvironment): Promise<ExpressionResult>;
}

export type ExpressionCompileResult =
  | { readonly ok: true; readonly expression: CompiledExpression }
  | { readonly ok: false; readonly errors: readonly ExpressionLoadError[] };

/** JSONata error codes that mean "the budget was spent", not "the expression is wrong". */
const BUDGET_CODES = new Set(["D1011", "D1012", "D2015", "U1001"]);

const FORBIDDEN_FUNCTIONS: Readonly<Record<string, string>> = {
  eval: "$eval would evaluate text built at run time, escaping the checks made at load",
};

/** Refuses every regex at evaluation too, whatever path built it. */
class NoRegexEngine {
  constructor() {
    throw { code: "RP0001", message: "regular expressions are not allowed in rule packs" };
  }
}

interface JsonataNode {
  readonly type?: string;
  readonly value?: unknown;
  readonly position?: number;
  readonly procedure?: JsonataNode;
  readonly arguments?: readonly JsonataNode[];
  readonly [key: string]: unknown;
}

function* nodes(node: unknown): Generator<JsonataNode> {
  if (Array.isArray(node)) {
    for (const item of node) yield* nodes(item);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const n = node as JsonataNode;
  if (typeof n.type === "string") yield n;
  for (const child of Object.values(n)) yield* nodes(child);
}

/** JSONata places a regex at its end; point at its opening slash instead. */
function regexStart(source: string, position: number | undefined): number {
  const end = Math.min((position ?? 1) - 1, source.length - 1);
  const close = source.lastIndexOf("/", end);
  const open = close > 0 ? source.lastIndexOf("/", close - 1) : -1;
  return open >= 0 ? open + 1 : columnOf(position);
}

function columnOf(position: number | undefined, tokenLength = 1): number {
  return Math.max(1, (position ?? 1) - tokenLength + 1);
}

/** Compile a pack expression, or say exactly where it is wrong. */
export function compileExpression(
  source: string,
  budget: ExpressionBudget = DEFAULT_BUDGET,
): ExpressionCompileResult {
  const asReference = compileReference(source.trim());
  if (asReference.ok)
    return { ok: true, expression: accessorExpression(source, asReference.reference) };

  let compiled: jsonata.Expression;
  try {
    compiled = jsonata(source, {
      timeout: budget.timeoutMs,
      stack: budget.maxDepth,
      sequence: budget.maxSequence,
      RegexEngine: NoRegexEngine as unknown as RegExpConstructor,
    } as jsonata.JsonataOptions);
  } catch (e) {
    const err = e as { message?: string; position?: number; token?: string };
    return {
      ok: false,
      errors: [
        {
          code: "JSONATA_SYNTAX",
          message: `JSONata: ${err.message ?? String(e)}`,
          column: columnOf(err.position, typeof err.token === "string" ? err.token.length : 1),
        },
      ],
    };
  }

  const errors: ExpressionLoadError[] = [];
  const references = new Map<string, CompiledReference>();
  const tables = new Set<string>();
  for (const node of nodes(compiled.ast())) {
    if (node.type === "regex") {
      errors.push({
        code: "JSONATA_REGEX_FORBIDDEN",
        message:
          "regular expression literals are not allowed in rule packs (a catastrophic regex escapes the time budget); use $contains, $substringBefore or a mapping table",
        column: regexStart(source, node.position),
      });
    }
    if (
      node.type === "variable" &&
      typeof node.value === "string" &&
      FORBIDDEN_FUNCTIONS[node.value]
    ) {
      errors.push({
        code: "JSONATA_FORBIDDEN_FUNCTION",
        message: `$${node.value} is not allowed: ${FORBIDDEN_FUNCTIONS[node.value]}`,
        column: columnOf(node.position, node.value.length + 1),
      });
    }
    if (node.type === "function" && node.procedure?.type === "variable") {
      const name = node.procedure.value;
      const first = node.arguments?.[0];
      if (name === "field") {
        if (first?.type !== "string" || typeof first.value !== "string") {
          errors.push({
            code: "INVALID_FIELD_REFERENCE",
            message:
              "$field takes a field reference written as a string literal, e.g. $field('PID.5.1')",
            column: columnOf(node.procedure.position, 6),
          });
        } else {
          const ref = compileReference(first.value);
          if (ref.ok) references.set(first.value, ref.reference);
          else {
            const start = columnOf(first.position, first.value.length + 2) + 1;
            errors.push({
              code: "INVALID_FIELD_REFERENCE",
              message: `in $field('${first.value}'): ${ref.error.message}`,
              column: start + ref.error.column - 1,
            });
          }
        }
      }
      if (name === "mapCode" && first?.type === "string" && typeof first.value === "string") {
        tables.add(first.value);
      }
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    expression: jsonataExpression(source, compiled, [...references.values()], [...tables]),
  };
}

function readResultValue(result: ReadResult): unknown {
  if (result.kind === "value") return result.value;
  if (result.kind === "null") return null;
  return undefined;
}

function accessorExpression(source: string, reference: CompiledReference): CompiledExpression {
  return {
    source,
    kind: "accessor",
    references: [reference],
    tables: [],
    evaluate: async (_input, env) => ({
      ok: true,
      value: readResultValue(reference.read(env.read)),
    }),
  };
}

function jsonataExpression(
  source: string,
  compiled: jsonata.Expression,
  references: readonly CompiledReference[],
  tables: readonly string[],
): CompiledExpression {
  const bySource = new Map(references.map((r) => [r.source, r]));
  return {
    source,
    kind: "jsonata",
    references,
    tables,
    async evaluate(input, env) {
      const bindings = {
        ...env.variables,
        field: (ref: string) => {
          const reference = bySource.get(ref);
          return reference ? readResultValue(reference.read(env.read)) : undefined;
        },
        mapCode: (table: string, code: unknown) =>
          typeof code === "string" ? env.mapCode(table, code) : undefined,
        eval: () => {
          throw { code: "RP0002", message: "$eval is not allowed in rule packs" };
        },
      };
      try {
        return { ok: true, value: await compiled.evaluate(input, bindings) };
      } catch (e) {
        const err = e as { code?: string; message?: string };
        const code = BUDGET_CODES.has(err.code ?? "")
          ? "EXPRESSION_BUDGET_EXCEEDED"
          : "EXPRESSION_ERROR";
        return {
          ok: false,
          error: { code, message: `${source}: ${err.message ?? String(e)}` },
        };
      }
    },
  };
}
