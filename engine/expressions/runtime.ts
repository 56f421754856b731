import jsonata from "jsonata";
import { compileReference } from "../paths/index.js";
import type { CompiledReference, ReadContext, ReadResult } from "../paths/types.js";
import { attachBudget, BudgetExceeded, startRun } from "./budget.js";
import { shadowBuiltins } from "./builtins.js";
import { JSONATA_FUNCTIONS } from "./jsonata-functions.js";
import { compileSync, GIVE_UP, type SyncEvaluator } from "./sync.js";

/**
 * JSONata in rule packs: conditions (`when:`) and computed values (`expr:`).
 * Compiled once at pack load, evaluated per message under a budget, over
 * plain frozen data, with two helpers:
 *   $field('PID.5.1')    a field reference, compiled at load like any other
 *   $mapCode(table, code) a code through a mapping table
 * Regex literals are refused (a catastrophic regex escapes the step budget:
 * one call is one step) and `$eval` is refused and shadowed, so the ban
 * cannot be bypassed; a regex that reaches evaluation anyway meets a
 * RegexEngine that refuses it. `$random`, `$shuffle` and functions that are
 * neither JSONata's, the helpers nor bound in the expression are refused
 * too, and `$now()`/`$millis()` are the message's clock (`env.now`), so
 * evaluation is replayable (docs/pack-language.md §5.2).
 */

/**
 * `limits.expressions` (docs/pack-language.md §11). Every limit but
 * `timeoutMs` is counted, not timed, so an expression's verdict is the same
 * on any machine (budget.ts, docs/decisions/0010).
 */
export interface ExpressionBudget {
  /** Evaluation steps (JSONata nodes evaluated) per evaluation: EXPRESSION_BUDGET_EXCEEDED. */
  readonly maxSteps: number;
  /** Maximum evaluation depth (JSONata `stack`, error D1011): EXPRESSION_BUDGET_EXCEEDED. */
  readonly maxDepth: number;
  /** Longest sequence or array an expression may build (JSONata `sequence`, D2015). */
  readonly maxSequence: number;
  /** Longest string an expression may build, checked before the built-ins allocate it. */
  readonly maxStringLength: number;
  /** Characters and items one evaluation may build in all (strings and arrays). */
  readonly maxAllocation: number;
  /**
   * Wall time of one evaluation (JSONata `timeout`, D1012): only a backstop
   * against a hung evaluator, far above any expression within the counted
   * limits. EXPRESSION_TIMEOUT: the message is tried once more, after the
   * backlog; a second hit is ATHENAERROR.
   */
  readonly timeoutMs: number;
}

export const DEFAULT_BUDGET: ExpressionBudget = Object.freeze({
  maxSteps: 10_000,
  maxDepth: 100,
  maxSequence: 10_000,
  maxStringLength: 1_000_000,
  maxAllocation: 10_000_000,
  timeoutMs: 10_000,
});

export type ExpressionLoadCode =
  | "JSONATA_SYNTAX"
  | "JSONATA_REGEX_FORBIDDEN"
  | "JSONATA_FORBIDDEN_FUNCTION"
  | "INVALID_FIELD_REFERENCE"
  | "MAPPING_TABLE_NOT_FOUND";

/** A load-time problem; `column` is 1-based within the expression text. */
export interface ExpressionLoadError {
  readonly code: ExpressionLoadCode;
  readonly message: string;
  readonly column: number;
}

/**
 * EXPRESSION_ERROR and EXPRESSION_BUDGET_EXCEEDED are faults of the pack (the
 * message goes to ERROR); EXPRESSION_TIMEOUT is the machine's (the backstop).
 */
export type ExpressionRunCode =
  | "EXPRESSION_ERROR"
  | "EXPRESSION_BUDGET_EXCEEDED"
  | "EXPRESSION_TIMEOUT";

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
  /** The message's clock (`--now`, the listener's receipt): what `$now()` and `$millis()` return. */
  readonly now: Date;
}

export type ExpressionValue = unknown;

export type ExpressionResult =
  | { readonly ok: true; readonly value: ExpressionValue }
  | { readonly ok: false; readonly error: ExpressionRunError };

export interface CompiledExpression {
  readonly source: string;
  /**
   * `accessor` when the expression is only a field reference: no JSONata at
   * run time; `compiled` when it is a form sync.ts evaluates synchronously
   * (JSONata only for what that form gives up on); else `jsonata`.
   */
  readonly kind: "accessor" | "compiled" | "jsonata";
  /** Field references it reads (literal `$field` arguments, or the reference itself). */
  readonly references: readonly CompiledReference[];
  /** Mapping tables named literally in `$mapCode` calls. */
  readonly tables: readonly string[];
  /** Where each table of `tables` is first named: the 1-based column of its literal. */
  readonly tableColumns: ReadonlyMap<string, number>;
  /**
   * Evaluate over `input`. Never throws and never rejects: a failure is an
   * `ExpressionRunCode` value. `input` is
   * copied to plain frozen data unless it came from `plainInput`.
   */
  evaluate(input: unknown, env: ExpressionEnvironment): Promise<ExpressionResult>;
  /**
   * The same result as `evaluate`, now, when it can be had without JSONata's
   * asynchronous evaluator (always for `accessor`, nearly always for
   * `compiled`, never for `jsonata`); else undefined, and the caller awaits
   * `evaluate`. Never throws.
   */
  evaluateNow(input: unknown, env: ExpressionEnvironment): ExpressionResult | undefined;
}

export type ExpressionCompileResult =
  | { readonly ok: true; readonly expression: CompiledExpression }
  | { readonly ok: false; readonly errors: readonly ExpressionLoadError[] };

/**
 * JSONata error codes that mean "the budget was spent", not "the expression
 * is wrong": depth (D1011, U1001 a native stack overflow), sequence length
 * (D2015), a range too long to build (D2014).
 */
const BUDGET_CODES = new Set(["D1011", "D2014", "D2015", "U1001"]);
const TIMEOUT_CODE = "D1012";

const NOT_REPLAYABLE = "its result changes from run to run, so a message would not replay the same";

const FORBIDDEN_FUNCTIONS: Readonly<Record<string, string>> = {
  eval: "$eval would evaluate text built at run time, escaping the checks made at load",
  random: NOT_REPLAYABLE,
  shuffle: NOT_REPLAYABLE,
};

/** The helpers every place of use binds (§5.2), and the per-evaluation variables. */
const HELPERS = new Set(["field", "mapCode", "value", "index"]);

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

/** Names an expression binds itself (`$f := ...`, lambda parameters): calling them is fine. */
function boundNames(ast: unknown): Set<string> {
  const names = new Set<string>();
  for (const node of nodes(ast)) {
    if (node.type === "bind") {
      const lhs = node.lhs as JsonataNode | undefined;
      if (lhs?.type === "variable" && typeof lhs.value === "string") names.add(lhs.value);
    }
    if (node.type === "lambda") {
      for (const arg of node.arguments ?? []) {
        if (arg.type === "variable" && typeof arg.value === "string") names.add(arg.value);
      }
    }
    for (const key of ["focus", "index"] as const) {
      if (typeof node[key] === "string") names.add(node[key] as string);
    }
  }
  return names;
}

/** The position of a string literal's first character (JSONata gives the end of the token). */
function literalStart(node: JsonataNode, source: string): number {
  const value = String(node.value);
  const end = node.position ?? 1;
  // The literal as written may be longer than its value (escapes); find its opening quote.
  const quote = source.slice(0, end).search(/["'][^"']*["']?$/);
  return quote >= 0 ? quote + 2 : columnOf(end, value.length + 2) + 1;
}

/**
 * `$field('PID.5.1')` and nothing else: the same accessor as `from: PID.5.1`,
 * with no JSONata at run time.
 */
function onlyField(ast: JsonataNode): string | undefined {
  const allowed = new Set(["type", "value", "position", "procedure", "arguments"]);
  const keys = Object.entries(ast).flatMap(([k, v]) => (v === undefined ? [] : [k]));
  if (ast.type !== "function" || keys.some((k) => !allowed.has(k))) return undefined;
  if (ast.procedure?.type !== "variable" || ast.procedure.value !== "field") return undefined;
  const args = ast.arguments ?? [];
  const first = args[0];
  if (args.length !== 1 || first?.type !== "string" || typeof first.value !== "string")
    return undefined;
  return first.value;
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
    compiled = jsonataOf(source, budget);
  } catch (e) {
    const err = e as { code?: string; message?: string; position?: number; token?: string };
    // At the end of the text JSONata names the token "(end)": point at the last character.
    const tokenLength =
      typeof err.token === "string" && err.token !== "(end)" ? err.token.length : 1;
    return {
      ok: false,
      errors: [
        {
          code: "JSONATA_SYNTAX",
          message: `${err.code ? `${err.code} ` : ""}${err.message ?? String(e)}`,
          column: Math.min(columnOf(err.position, tokenLength), Math.max(source.length, 1)),
        },
      ],
    };
  }

  const ast = compiled.ast() as JsonataNode;
  const errors: ExpressionLoadError[] = [];
  const references = new Map<string, CompiledReference>();
  const tables = new Map<string, number>();
  const bound = boundNames(ast);
  for (const node of nodes(ast)) {
    if (node.type === "regex") {
      errors.push({
        code: "JSONATA_REGEX_FORBIDDEN",
        message:
          "regular expression literals are not allowed in rule packs (a catastrophic regex escapes the step budget: one call is one step); use $contains, $substringBefore or a mapping table",
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
    if (
      (node.type === "function" || node.type === "partial") &&
      node.procedure?.type === "variable" &&
      typeof node.procedure.value === "string"
    ) {
      const name = node.procedure.value;
      const first = node.arguments?.[0];
      if (
        !JSONATA_FUNCTIONS.has(name) &&
        !HELPERS.has(name) &&
        !bound.has(name) &&
        name !== "" &&
        !FORBIDDEN_FUNCTIONS[name]
      ) {
        errors.push({
          code: "JSONATA_FORBIDDEN_FUNCTION",
          message: `$${name} is not a function packs can call: use JSONata's functions, $field or $mapCode, or bind your own with $${name} := function(...) { ... }`,
          column: columnOf(node.procedure.position, name.length + 1),
        });
      }
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
            errors.push({
              code: "INVALID_FIELD_REFERENCE",
              message: `in $field('${first.value}'): ${ref.error.message}`,
              column: literalStart(first, source) + ref.error.column - 1,
            });
          }
        }
      }
      if (name === "mapCode") {
        if (first?.type === "string" && typeof first.value === "string") {
          if (!tables.has(first.value)) tables.set(first.value, literalStart(first, source));
        } else {
          errors.push({
            code: "MAPPING_TABLE_NOT_FOUND",
            message:
              "$mapCode takes the table name as a string literal, so the table can be checked at load, e.g. $mapCode('department', $field('PV1.3.1'))",
            column: columnOf(node.procedure.position, 8),
          });
        }
      }
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const field = onlyField(ast);
  const single = field === undefined ? undefined : references.get(field);
  if (single) return { ok: true, expression: accessorExpression(source, single) };
  return {
    ok: true,
    expression: jsonataExpression(
      source,
      compiled,
      [...references.values()],
      tables,
      compileSync(ast, references, budget),
    ),
  };
}

/**
 * For tests that hold the synchronous forms equal to JSONata: the expression
 * compiled and checked as `compileExpression` does, evaluated by JSONata
 * only (never an accessor, never sync.ts).
 */
export function compileJsonataOnly(
  source: string,
  budget: ExpressionBudget = DEFAULT_BUDGET,
): ExpressionCompileResult {
  const checked = compileExpression(`(${source})`, budget);
  if (!checked.ok) return checked;
  const references = new Map(checked.expression.references.map((r) => [r.source, r]));
  return {
    ok: true,
    expression: jsonataExpression(
      source,
      jsonataOf(source, budget),
      [...references.values()],
      checked.expression.tableColumns,
    ),
  };
}

/**
 * For tests of the run-time guards only: JSONata compiled with the budget and
 * the regex-refusing engine, and evaluated with the pack bindings, but
 * without the load-time checks (as if an expression had slipped past them).
 */
export function compileUnchecked(
  source: string,
  budget: ExpressionBudget = DEFAULT_BUDGET,
): CompiledExpression {
  return jsonataExpression(source, jsonataOf(source, budget), [], new Map());
}

function jsonataOf(source: string, budget: ExpressionBudget): jsonata.Expression {
  const compiled = jsonata(source, {
    timeout: budget.timeoutMs,
    stack: budget.maxDepth,
    sequence: budget.maxSequence,
    RegexEngine: NoRegexEngine as unknown as RegExpConstructor,
  } as jsonata.JsonataOptions);
  attachBudget(compiled, budget);
  shadowBuiltins(compiled, budget);
  return compiled;
}

const PLAIN = new WeakSet<object>();

/**
 * Input for `evaluate`: a deep copy holding only plain data (strings,
 * numbers, booleans, null, arrays and plain maps), frozen. Functions,
 * symbols, class instances and cycles are left out, so an expression can
 * never call into the engine through its data. Build it once per message and
 * pass it to every evaluation; `evaluate` copies any other input itself.
 */
export function plainInput(value: unknown): unknown {
  if (value !== null && typeof value === "object" && PLAIN.has(value)) return value;
  const copied = plainCopy(value, new Set(), true);
  if (copied !== null && typeof copied === "object") PLAIN.add(copied);
  return copied;
}

/**
 * A result as plain data: JSONata's sequences are arrays with extra own
 * properties (`sequence`, and a `push` that enforces the budget), and a
 * result may be a function; neither belongs in a record.
 */
function plainResult(value: unknown): unknown {
  return plainCopy(value, new Set(), false);
}

function plainCopy(value: unknown, path: Set<object>, freeze: boolean): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "object") return undefined;
  if (path.has(value)) return undefined;
  path.add(value);
  let out: unknown;
  const done = <T>(v: T): T => (freeze ? Object.freeze(v) : v);
  if (Array.isArray(value)) {
    out = done(Array.from(value, (v) => plainCopy(v, path, freeze)).filter((v) => v !== undefined));
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      const copy: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const c = plainCopy(v, path, freeze);
        if (c !== undefined) copy[k] = c;
      }
      out = done(copy);
    }
  }
  path.delete(value);
  return out;
}

function readResultValue(result: ReadResult): unknown {
  if (result.kind === "value") return result.value;
  if (result.kind === "null") return null;
  return undefined;
}

function accessorExpression(source: string, reference: CompiledReference): CompiledExpression {
  const evaluateNow = (_input: unknown, env: ExpressionEnvironment): ExpressionResult => {
    try {
      return { ok: true, value: readResultValue(reference.read(env.read)) };
    } catch (e) {
      return { ok: false, error: runError(source, e) };
    }
  };
  return {
    source,
    kind: "accessor",
    references: [reference],
    tables: [],
    tableColumns: new Map(),
    evaluateNow,
    async evaluate(input, env) {
      return evaluateNow(input, env);
    },
  };
}

function runError(source: string, e: unknown): ExpressionRunError {
  const err = (e ?? {}) as { code?: string; message?: string; error?: unknown };
  const detail = typeof err.message === "string" ? err.message : String(e);
  return {
    code: runCode(e),
    message: `${source}: ${err.code ? `${err.code} ` : ""}${detail}`,
  };
}

function runCode(e: unknown): ExpressionRunCode {
  if (e instanceof BudgetExceeded) return "EXPRESSION_BUDGET_EXCEEDED";
  // A string or an array past what V8 can hold, should one slip past the checks.
  if (e instanceof RangeError) return "EXPRESSION_BUDGET_EXCEEDED";
  const code = (e as { code?: unknown } | null)?.code;
  if (code === TIMEOUT_CODE) return "EXPRESSION_TIMEOUT";
  if (typeof code === "string" && BUDGET_CODES.has(code)) return "EXPRESSION_BUDGET_EXCEEDED";
  return "EXPRESSION_ERROR";
}

/** `$fromMillis`, to format the run's `now` as `$now(picture, timezone)` would. */
const FROM_MILLIS = jsonata("$fromMillis($ms, $picture, $timezone)");

function jsonataExpression(
  source: string,
  compiled: jsonata.Expression,
  references: readonly CompiledReference[],
  tableColumns: ReadonlyMap<string, number>,
  sync?: SyncEvaluator,
): CompiledExpression {
  const bySource = new Map(references.map((r) => [r.source, r]));
  const evaluateNow = (
    input: unknown,
    env: ExpressionEnvironment,
  ): ExpressionResult | undefined => {
    if (sync === undefined) return undefined;
    const value = sync(input, env);
    return value === GIVE_UP ? undefined : { ok: true, value };
  };
  return {
    source,
    kind: sync === undefined ? "jsonata" : "compiled",
    references,
    tables: [...tableColumns.keys()],
    tableColumns,
    evaluateNow,
    async evaluate(input, env) {
      const now = evaluateNow(input, env);
      if (now !== undefined) return now;
      return evaluateWithJsonata(input, env);
    },
  };

  async function evaluateWithJsonata(
    input: unknown,
    env: ExpressionEnvironment,
  ): Promise<ExpressionResult> {
    const now = env.now;
    const { bindings: run } = startRun();
    const bindings: Record<string, unknown> = {
      ...env.variables,
      field: (ref: string) => {
        const reference = bySource.get(ref);
        return reference ? readResultValue(reference.read(env.read)) : undefined;
      },
      mapCode: (table: string, code: unknown) =>
        typeof code === "string" ? env.mapCode(table, code) : undefined,
      // Shadowed, not only refused at load: `$eval('/' & p & '/')` would build a regex.
      eval: () => {
        throw { code: "RP0002", message: "$eval is not allowed in rule packs" };
      },
      random: () => {
        throw { code: "RP0003", message: "$random is not allowed in rule packs" };
      },
      shuffle: () => {
        throw { code: "RP0003", message: "$shuffle is not allowed in rule packs" };
      },
      millis: () => now.getTime(),
      now: (picture?: string, timezone?: string) =>
        FROM_MILLIS.evaluate({}, { ms: now.getTime(), picture, timezone }),
      ...run,
    };
    try {
      return {
        ok: true,
        value: plainResult(await compiled.evaluate(plainInput(input), bindings)),
      };
    } catch (e) {
      return { ok: false, error: runError(source, e) };
    }
  }
}
