import type jsonata from "jsonata";

/**
 * The deterministic expression budget: every JSONata evaluation counts its
 * steps (AST nodes evaluated: lambdas, `$map`/`$reduce` callbacks and
 * recursion included; a call to a built-in counts as one) and bounds the
 * strings and arrays it builds, so its verdict is the same on any machine,
 * loaded or quiet (docs/decisions/0010).
 *
 * JSONata 2.2 looks up two undocumented hooks on every node it evaluates,
 * `Symbol.for('jsonata.__evaluate_entry')` and `__evaluate_exit` (the exit
 * hook receives the node's result). They fire only when bound with
 * `expression.assign` (evaluate()'s bindings drop symbol keys), so they are
 * bound once per compiled expression, and the per-evaluation counters travel
 * in the evaluation's bindings under a key no expression can name
 * (`RUN_KEY`, with a space). A compiled expression evaluated without them
 * fails closed. test/expressions/budget.test.ts fails if the hooks stop
 * firing (a JSONata upgrade), which is why package.json pins jsonata exactly.
 */

/** The limits the hooks enforce (a part of `ExpressionBudget`). */
export interface StepLimits {
  readonly maxSteps: number;
  readonly maxStringLength: number;
  /** Longest array; also JSONata's `sequence` option (D2015, checked before allocating). */
  readonly maxSequence: number;
  readonly maxAllocation: number;
}

export type BudgetLimit =
  | "maxSteps"
  | "maxStringLength"
  | "maxSequence"
  | "maxAllocation"
  | "notAttached";

/** Thrown inside JSONata; jsonata sets `position` and `token` on what it catches. */
export class BudgetExceeded extends Error {
  position?: number;
  token?: string;
  constructor(
    readonly limit: BudgetLimit,
    readonly allowed: number,
    readonly reached: number,
  ) {
    super(
      limit === "notAttached"
        ? "evaluated without its budget (an engine fault)"
        : `${limit} ${allowed} exceeded (${reached})`,
    );
  }
}

/** What one evaluation has spent. */
export interface BudgetRun {
  steps: number;
  allocated: number;
}

/** The binding key of the run's counters: a space makes it unreachable as a `$variable`. */
export const RUN_KEY = " budget-run";

/** The bindings that give one evaluation its own counters. */
export function startRun(): {
  readonly run: BudgetRun;
  readonly bindings: Record<string, unknown>;
} {
  const run: BudgetRun = { steps: 0, allocated: 0 };
  return { run, bindings: { [RUN_KEY]: run } };
}

// The hooks' names: Symbols, though the d.ts types `assign(name: string)`.
const ENTRY = Symbol.for("jsonata.__evaluate_entry") as unknown as string;
const EXIT = Symbol.for("jsonata.__evaluate_exit") as unknown as string;

/** Node types whose result may be newly built; the others pass a value through. */
const ALLOCATING = new Set([
  "function",
  "partial",
  "apply",
  "binary",
  "unary",
  "path",
  "wildcard",
  "descendant",
  "transform",
]);

interface Frame {
  readonly base: { lookup(name: string): unknown };
}

interface Node {
  readonly type?: string;
  readonly value?: unknown;
  readonly lhs?: unknown;
  readonly rhs?: unknown;
}

function runOf(env: Frame): BudgetRun {
  const run = env.base.lookup(RUN_KEY) as BudgetRun | undefined;
  if (run === undefined) throw new BudgetExceeded("notAttached", 0, 0);
  return run;
}

function isFunctionValue(x: unknown): boolean {
  if (typeof x === "function") return true;
  const f = x as { _jsonata_function?: unknown; _jsonata_lambda?: unknown } | null;
  return typeof f === "object" && f !== null && (!!f._jsonata_function || !!f._jsonata_lambda);
}

/**
 * An upper estimate of `JSON.stringify(value)`'s length (`&` and `$string`
 * stringify objects and arrays); stops walking once past `max`.
 */
export function jsonSize(value: unknown, max: number, pretty = false): number {
  let total = 0;
  const walk = (x: unknown, depth: number): void => {
    if (total > max) return;
    if (typeof x === "string") total += x.length + 2;
    else if (typeof x === "number") total += 24;
    else if (x === null || typeof x !== "object" || isFunctionValue(x)) total += 5;
    else {
      total += 2;
      const sep = pretty ? 2 * depth + 3 : 1;
      const entries = Array.isArray(x)
        ? x.map((v) => ["", v] as const)
        : Object.entries(x as object).map(([k, v]) => [`${k}"":`, v] as const);
      for (const [key, v] of entries) {
        total += key.length + sep;
        walk(v, depth + 1);
        if (total > max) return;
      }
    }
  };
  walk(value, 0);
  return total;
}

/** Bind the step and size hooks to a compiled expression (once, at compile). */
export function attachBudget(expr: jsonata.Expression, limits: StepLimits): void {
  const { maxSteps, maxStringLength: maxString, maxSequence: maxArray, maxAllocation } = limits;
  // `&` stringifies operands that are not strings with JSON.stringify, not $string.
  const concatOperands = new WeakSet<object>();
  (function mark(n: unknown): void {
    if (n === null || typeof n !== "object") return;
    const node = n as Node;
    if (node.type === "binary" && node.value === "&") {
      for (const o of [node.lhs, node.rhs]) if (o && typeof o === "object") concatOperands.add(o);
    }
    for (const child of Object.values(n)) mark(child);
  })(expr.ast());

  expr.assign(ENTRY, (_node: Node, _input: unknown, env: Frame) => {
    const run = runOf(env);
    run.steps += 1;
    if (run.steps > maxSteps) throw new BudgetExceeded("maxSteps", maxSteps, run.steps);
  });
  expr.assign(EXIT, (node: Node, _input: unknown, env: Frame, result: unknown) => {
    let size = 0;
    if (typeof result === "string") {
      size = result.length;
      if (size > maxString) throw new BudgetExceeded("maxStringLength", maxString, size);
    } else if (Array.isArray(result)) {
      size = result.length;
      if (size > maxArray) throw new BudgetExceeded("maxSequence", maxArray, size);
    }
    if (result !== null && typeof result === "object" && concatOperands.has(node)) {
      const n = jsonSize(result, maxString);
      if (n > maxString) throw new BudgetExceeded("maxStringLength", maxString, n);
    }
    if (size > 0 && node.type !== undefined && ALLOCATING.has(node.type)) {
      const run = runOf(env);
      run.allocated += size;
      if (run.allocated > maxAllocation)
        throw new BudgetExceeded("maxAllocation", maxAllocation, run.allocated);
    }
  });
}

type Implementation = (this: unknown, ...args: never[]) => unknown;

/**
 * The built-ins that can build a string or an array far larger than their
 * arguments, checked before they allocate: each wraps JSONata's own
 * implementation (same signature, so context arguments stay as they are).
 */
export function sizeChecks(
  limits: StepLimits,
): Readonly<Record<string, (original: Implementation) => Implementation>> {
  const { maxStringLength: maxString, maxSequence: maxArray } = limits;
  const refuse = (n: number) => {
    if (n > maxString) throw new BudgetExceeded("maxStringLength", maxString, n);
  };
  return {
    pad: (original) =>
      function (this: unknown, ...args: never[]) {
        const [str, width, char] = args as unknown as [string?, number?, string?];
        if (str !== undefined && typeof width === "number") {
          refuse(Math.abs(Math.trunc(width)) * Math.max(1, char?.length ?? 1));
        }
        return original.apply(this, args);
      },
    join: (original) =>
      function (this: unknown, ...args: never[]) {
        const [strs, sep] = args as unknown as [unknown, string?];
        if (Array.isArray(strs)) {
          let n = Math.max(0, strs.length - 1) * (sep?.length ?? 0);
          for (const s of strs) {
            n += typeof s === "string" ? s.length : 0;
            refuse(n);
          }
        }
        return original.apply(this, args);
      },
    string: (original) =>
      function (this: unknown, ...args: never[]) {
        const [arg, pretty] = args as unknown as [unknown, boolean?];
        if (arg !== undefined && typeof arg !== "string") {
          refuse(jsonSize(arg, maxString, pretty === true));
        }
        return original.apply(this, args);
      },
    replace: (original) =>
      function (this: unknown, ...args: never[]) {
        const [str, pattern, replacement, limit] = args as unknown as [
          unknown,
          unknown,
          unknown,
          number?,
        ];
        if (
          typeof str === "string" &&
          typeof pattern === "string" &&
          pattern !== "" &&
          typeof replacement === "string"
        ) {
          let n = str.length;
          let count = 0;
          for (
            let i = str.indexOf(pattern);
            i !== -1 && (limit === undefined || count < limit);
            i = str.indexOf(pattern, i + pattern.length), count++
          ) {
            n += replacement.length - pattern.length;
            refuse(n);
          }
        }
        return original.apply(this, args);
      },
    split: (original) =>
      function (this: unknown, ...args: never[]) {
        const [str, separator, limit] = args as unknown as [unknown, unknown, number?];
        // At most one piece more than allowed: the exit hook then refuses the result.
        const cap = limit === undefined || limit > maxArray ? maxArray + 1 : limit;
        return original.apply(this, [str, separator, cap] as never[]);
      },
  };
}
