import type { CompiledReference, ReadResult } from "../paths/types.js";
import type { StepLimits } from "./budget.js";
import {
  type FunctionDefinition,
  jsonataBoolean,
  jsonataString,
  packBuiltins,
} from "./builtins.js";
import { JSONATA_FUNCTIONS } from "./jsonata-functions.js";

/**
 * Pack expressions JSONata would evaluate without anything asynchronous,
 * compiled at load into plain closures over the message (decision 0040).
 *
 * JSONata 2.2 evaluates every node as a promise; for `$field('MSH.3') =
 * 'ORTHOCHART'` that is most of the cost, and it makes every decision that
 * evaluates an expression await. The forms below are evaluated here
 * synchronously with JSONata's own semantics: literals; `$value`-style
 * variables; paths of plain names over the input (`record.packageId`);
 * `= != < <= > >= and or & + - * / % in`; unary minus; `[...]` as the
 * right side of `in`; `? :`; parentheses; `$field`, `$mapCode` and the
 * built-ins `$not $exists $boolean $string $uppercase $lowercase $trim
 * $length $substring $substringBefore $substringAfter $contains $replace`
 * (the same definitions JSONata calls, size checks and the HL7 null
 * included). Anything else stays JSONata.
 *
 * Values here are only what JSONata gives such a form on plain scalars:
 * strings, finite numbers, booleans, null and undefined. Whenever an
 * evaluation meets anything else, or anything JSONata would fail on (a
 * type error, a budget limit: steps and depth are counted as JSONata's
 * hooks count them, strings sized as its exit hook sizes them), it gives up
 * (`undefined`) and the caller evaluates the expression with JSONata, which
 * then gives its own result or error. Every form is pure, so evaluating
 * again is safe. test/expressions/sync-equivalence.test.ts holds each form
 * equal to JSONata over the corpus.
 */

/** What the evaluator reads besides the input: the same environment JSONata's bindings give. */
export interface SyncEnvironment {
  readonly read: Parameters<CompiledReference["read"]>[0];
  readonly mapCode: (table: string, code: string) => string | undefined;
  readonly variables?: Readonly<Record<string, unknown>>;
}

/** Evaluate, or `GIVE_UP` when JSONata must (its result or error is then JSONata's). */
export type SyncEvaluator = (input: unknown, env: SyncEnvironment) => unknown;

/** The evaluator's "ask JSONata": never a value an expression can produce. */
export const GIVE_UP: unique symbol = Symbol("give up: evaluate with JSONata");

/** One evaluation: its input, environment and what it has allocated, as budget.ts counts it. */
interface Run {
  readonly input: unknown;
  readonly env: SyncEnvironment;
  allocated: number;
}

type Eval = (run: Run) => unknown;

/** Thrown inside an evaluation to give up; caught once, at the top. */
const GIVING_UP = { giveUp: true } as const;

function giveUp(): never {
  throw GIVING_UP;
}

interface JsonataNode {
  readonly type?: string;
  readonly value?: unknown;
  readonly [key: string]: unknown;
}

/** Node types whose string result budget.ts counts as allocated (its ALLOCATING). */
const ALLOCATING = new Set(["function", "binary", "unary", "path"]);

/** Built-ins evaluated here, all pure. `contains` and `replace` are async in JSONata: mirrored. */
const BUILTINS = new Set([
  "not",
  "exists",
  "boolean",
  "string",
  "uppercase",
  "lowercase",
  "trim",
  "length",
  "substring",
  "substringBefore",
  "substringAfter",
  "contains",
  "replace",
]);

/** Names the evaluation's bindings hold besides `variables`, and what no data variable may be. */
const NOT_DATA = new Set(["field", "mapCode", "eval", "random", "shuffle", "millis", "now"]);

/** A scalar as JSONata sees it after plainInput: else give up (arrays, objects, functions). */
function scalar(value: unknown): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "undefined":
      return value;
    case "number":
      return Number.isFinite(value) ? value : giveUp();
    default:
      return value === null ? null : giveUp();
  }
}

/** A value read by `$field`: a scalar, or a list of them (a `[*]` reference, a derived list). */
function scalarOrList(value: unknown): unknown {
  if (!Array.isArray(value)) return scalar(value);
  for (let i = 0; i < value.length; i++) scalar(value[i]);
  return value;
}

/** A value where only a scalar is handled here: a list gives up. */
function one(value: unknown): unknown {
  return Array.isArray(value) ? giveUp() : value;
}

function keysAre(node: JsonataNode, allowed: readonly string[]): boolean {
  for (const [key, value] of Object.entries(node)) {
    if (value !== undefined && !allowed.includes(key)) return false;
  }
  return true;
}

function readValue(result: ReadResult): unknown {
  if (result.kind === "value") return result.value;
  return result.kind === "null" ? null : undefined;
}

/**
 * Wrap a node's evaluation with the size checks of budget.ts's exit hook.
 * Steps and depth need no counting: every node here is evaluated at most
 * once, so an expression of at most maxSteps and maxDepth nodes (checked by
 * compileSync) stays within both, as it does in JSONata.
 */
function counted(node: JsonataNode, limits: StepLimits, inner: Eval): Eval {
  const { maxStringLength, maxSequence, maxAllocation } = limits;
  const allocating = ALLOCATING.has(node.type as string) && node.type !== "path";
  return (run) => {
    const value = inner(run);
    let size = 0;
    if (typeof value === "string") {
      size = value.length;
      if (size > maxStringLength) giveUp();
    } else if (Array.isArray(value)) {
      size = value.length;
      if (size > maxSequence) giveUp();
    }
    if (allocating && size > 0) {
      run.allocated += size;
      if (run.allocated > maxAllocation) giveUp();
    }
    return value;
  };
}

const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};
const enumerable = Object.prototype.propertyIsEnumerable;

class Compiler {
  constructor(
    private readonly limits: StepLimits,
    private readonly references: ReadonlyMap<string, CompiledReference>,
    private readonly builtins: ReadonlyMap<string, FunctionDefinition>,
  ) {}

  /** The node's evaluator, or undefined when the form is not one of ours. */
  node(node: JsonataNode): Eval | undefined {
    const inner = this.inner(node);
    return inner && counted(node, this.limits, inner);
  }

  private inner(node: JsonataNode): Eval | undefined {
    switch (node.type) {
      case "string":
      case "number":
      case "value": {
        if (!keysAre(node, ["type", "value", "position"])) return undefined;
        const value = node.value;
        if (typeof value === "number" && !Number.isFinite(value)) return undefined;
        return () => value;
      }
      case "variable":
        return this.variable(node);
      case "path":
        return this.path(node);
      case "binary":
        return this.binary(node);
      case "unary":
        return this.minus(node);
      case "condition":
        return this.condition(node);
      case "block":
        return this.block(node);
      case "function":
        return this.call(node);
      default:
        return undefined;
    }
  }

  private variable(node: JsonataNode): Eval | undefined {
    const name = node.value;
    if (!keysAre(node, ["type", "value", "position"]) || typeof name !== "string") return undefined;
    // `$` (the context), helpers, built-ins and Object.prototype's names are not data variables.
    if (name === "" || NOT_DATA.has(name) || name in Object.prototype) return undefined;
    if (this.builtins.has(name) || JSONATA_FUNCTIONS.has(name)) return undefined;
    return (run) => {
      const variables = run.env.variables;
      if (variables === undefined || !Object.hasOwn(variables, name)) return undefined;
      return scalar(variables[name]);
    };
  }

  /**
   * `a.b.c` over the input as plainInput copies it: own enumerable keys of
   * plain objects; a class instance or a cycle is absent; arrays and objects
   * as results are JSONata's to handle. JSONata evaluates each step as a node
   * of its own (a step, one level deeper) and sizes the path's result as a
   * sequence of one.
   */
  private path(node: JsonataNode): Eval | undefined {
    const steps = node.steps;
    if (!keysAre(node, ["type", "steps"]) || !Array.isArray(steps) || steps.length === 0)
      return undefined;
    const names: string[] = [];
    for (const step of steps as JsonataNode[]) {
      if (step?.type !== "name" || typeof step.value !== "string") return undefined;
      if (!keysAre(step, ["type", "value", "position"])) return undefined;
      names.push(step.value);
    }
    const { maxStringLength, maxSequence, maxAllocation } = this.limits;
    return (run) => {
      let current: unknown = run.input;
      if (Array.isArray(current)) giveUp();
      // The objects walked through, from the input: plainInput drops one that is its own ancestor.
      let seen: object[] | undefined;
      for (let i = 0; i < names.length; i++) {
        let next: unknown;
        if (current !== null && typeof current === "object" && isPlainObject(current)) {
          const key = names[i] as string;
          if (Object.hasOwn(current, key) && enumerable.call(current, key)) {
            next = (current as Record<string, unknown>)[key];
            if (next !== null && typeof next === "object") {
              if (Array.isArray(next)) giveUp();
              // plainInput drops an object that is its own ancestor, and a class instance.
              seen ??= [run.input as object];
              if (i > 0) seen.push(current as object);
              if (seen.includes(next) || !isPlainObject(next)) next = undefined;
            } else if (typeof next === "function" || typeof next === "symbol") next = undefined;
            else if (typeof next === "bigint") next = undefined;
            else if (typeof next === "number" && !Number.isFinite(next)) next = undefined;
          }
        }
        if (typeof next === "string" && next.length > maxStringLength) giveUp();
        if (next === undefined) return undefined;
        current = next;
      }
      if (current !== null && typeof current === "object") giveUp();
      // The path's own result is a sequence of one: one item allocated.
      if (1 > maxSequence || ++run.allocated > maxAllocation) giveUp();
      return current;
    };
  }

  private binary(node: JsonataNode): Eval | undefined {
    if (!keysAre(node, ["type", "value", "position", "lhs", "rhs"])) return undefined;
    const op = node.value;
    const lhs = this.node(node.lhs as JsonataNode);
    if (lhs === undefined) return undefined;
    if (op === "in") {
      const rhs = this.member(node.rhs as JsonataNode);
      if (rhs === undefined) return undefined;
      return (run) => {
        const left = one(lhs(run));
        const right = rhs(run);
        if (left === undefined || right === undefined) return false;
        const list = Array.isArray(right) ? right : [right];
        for (let i = 0; i < list.length; i++) if (list[i] === left) return true;
        return false;
      };
    }
    const rhsAsIs = this.node(node.rhs as JsonataNode);
    if (rhsAsIs === undefined) return undefined;
    switch (op) {
      // `$boolean` takes a list (a `[*]` reference) as JSONata does.
      case "and":
        return (run) => boolize(lhs(run)) && boolize(rhsAsIs(run));
      case "or":
        return (run) => boolize(lhs(run)) || boolize(rhsAsIs(run));
    }
    // Lists compare and combine by JSONata's deep rules: those stay JSONata's.
    const left = lhs;
    const lhsOne: Eval = (run) => one(left(run));
    const rhs: Eval = (run) => one(rhsAsIs(run));
    return this.scalarBinary(op, lhsOne, rhs);
  }

  private scalarBinary(op: unknown, lhs: Eval, rhs: Eval): Eval | undefined {
    switch (op) {
      case "=":
      case "!=": {
        const equal = op === "=";
        return (run) => {
          const left = lhs(run);
          const right = rhs(run);
          if (left === undefined || right === undefined) return false;
          return (left === right) === equal;
        };
      }
      case "<":
      case "<=":
      case ">":
      case ">=":
        return (run) => compare(lhs(run), rhs(run), op);
      case "&":
        return (run) => {
          const left = lhs(run);
          const right = rhs(run);
          return (
            (left === undefined ? "" : (jsonataString(left) as string)) +
            (right === undefined ? "" : (jsonataString(right) as string))
          );
        };
      case "+":
      case "-":
      case "*":
      case "/":
      case "%":
        return (run) => arithmetic(lhs(run), rhs(run), op);
      default:
        return undefined;
    }
  }

  /** The right side of `in`: a `[...]` of our forms, or one of them. */
  private member(node: JsonataNode): Eval | undefined {
    if (node?.type !== "unary" || node.value !== "[") return this.node(node);
    if (!keysAre(node, ["type", "value", "position", "expressions"])) return undefined;
    const items = (node.expressions as JsonataNode[]).map((item) =>
      item?.type === "unary" && item.value === "[" ? undefined : this.node(item),
    );
    if (items.some((item) => item === undefined)) return undefined;
    const evals = items as Eval[];
    const { maxSequence, maxAllocation } = this.limits;
    return (run) => {
      const list: unknown[] = [];
      for (let i = 0; i < evals.length; i++) {
        // JSONata's `[...]` flattens a list item into the array: left to it.
        const value = one((evals[i] as Eval)(run));
        if (value !== undefined) list.push(value);
      }
      if (list.length > maxSequence) giveUp();
      run.allocated += list.length;
      if (run.allocated > maxAllocation) giveUp();
      return list;
    };
  }

  private minus(node: JsonataNode): Eval | undefined {
    if (node.value !== "-" || !keysAre(node, ["type", "value", "position", "expression"]))
      return undefined;
    const operand = this.node(node.expression as JsonataNode);
    if (operand === undefined) return undefined;
    return (run) => {
      const value = operand(run);
      if (value === undefined) return undefined;
      return typeof value === "number" ? -value : giveUp();
    };
  }

  private condition(node: JsonataNode): Eval | undefined {
    if (!keysAre(node, ["type", "position", "condition", "then", "else"])) return undefined;
    const test = this.node(node.condition as JsonataNode);
    const then = this.node(node.then as JsonataNode);
    const otherwise =
      node.else === undefined ? () => undefined : this.node(node.else as JsonataNode);
    if (!test || !then || !otherwise) return undefined;
    return (run) => (jsonataBoolean(test(run)) ? then(run) : otherwise(run));
  }

  private block(node: JsonataNode): Eval | undefined {
    if (!keysAre(node, ["type", "position", "expressions"])) return undefined;
    const list = node.expressions as JsonataNode[];
    if (!Array.isArray(list) || list.length === 0) return undefined;
    const evals = list.map((e) => this.node(e));
    if (evals.some((e) => e === undefined)) return undefined;
    return (run) => {
      let value: unknown;
      for (let i = 0; i < evals.length; i++) value = (evals[i] as Eval)(run);
      return value;
    };
  }

  private call(node: JsonataNode): Eval | undefined {
    if (!keysAre(node, ["type", "value", "position", "procedure", "arguments"])) return undefined;
    const procedure = node.procedure as JsonataNode;
    const name = procedure?.value;
    if (procedure?.type !== "variable" || typeof name !== "string") return undefined;
    if (!keysAre(procedure, ["type", "value", "position"])) return undefined;
    const argNodes = (node.arguments ?? []) as JsonataNode[];
    const lookup = (run: Run) => {
      // A per-evaluation variable of the same name would shadow the function.
      if (run.env.variables !== undefined && Object.hasOwn(run.env.variables, name)) giveUp();
    };
    if (name === "field") {
      const first = argNodes[0];
      const reference =
        typeof first?.value === "string" ? this.references.get(first.value) : undefined;
      if (argNodes.length !== 1 || first?.type !== "string" || !reference) return undefined;
      const literal = this.node(first);
      if (!literal) return undefined;
      return (run) => {
        lookup(run);
        literal(run);
        return scalarOrList(readValue(reference.read(run.env.read)));
      };
    }
    if (name === "mapCode") {
      const [table, code] = argNodes;
      if (argNodes.length !== 2 || table?.type !== "string" || typeof table.value !== "string")
        return undefined;
      const tableName = table.value;
      const literal = this.node(table);
      const codeOf = this.node(code as JsonataNode);
      if (!literal || !codeOf) return undefined;
      return (run) => {
        lookup(run);
        literal(run);
        const value = codeOf(run);
        return typeof value === "string" ? scalar(run.env.mapCode(tableName, value)) : undefined;
      };
    }
    const definition = this.builtins.get(name);
    if (!BUILTINS.has(name) || definition === undefined || argNodes.length === 0) return undefined;
    const args = argNodes.map((a) => this.node(a));
    if (args.some((a) => a === undefined)) return undefined;
    const evals = args as Eval[];
    const apply = builtinCall(name, definition);
    return (run) => {
      lookup(run);
      const values: unknown[] = [];
      for (let i = 0; i < evals.length; i++) values.push((evals[i] as Eval)(run));
      return apply(values, run.input);
    };
  }
}

/**
 * A built-in called as JSONata's applyInner calls it: the signature
 * validated against the arguments (giving up when it would insert the
 * context or coerce an argument), then the definition's implementation.
 * `$contains` and `$replace` are async in JSONata; their string-pattern
 * paths are mirrored here, after the same null and size rules.
 */
function builtinCall(
  name: string,
  definition: FunctionDefinition,
): (args: unknown[], context: unknown) => unknown {
  const { signature, implementation } = definition;
  const validate = (args: unknown[], context: unknown): unknown[] => {
    let validated: unknown[];
    try {
      validated = signature ? signature.validate(args, context) : args;
    } catch {
      giveUp();
    }
    // Optional parameters not written come back undefined; anything else changed is JSONata's.
    if (validated.length < args.length) giveUp();
    for (let i = 0; i < validated.length; i++) {
      if (validated[i] !== (i < args.length ? args[i] : undefined)) giveUp();
    }
    return validated;
  };
  if (name === "contains") {
    return (args, context) => {
      const [str, token] = validate(args, context);
      if (str === null) return null;
      if (str === undefined || token === undefined) return undefined;
      if (typeof str !== "string" || typeof token !== "string") giveUp();
      return str.indexOf(token) !== -1;
    };
  }
  if (name === "replace") {
    return (args, context) => {
      const validated = validate(args, context);
      const [str, pattern, replacement] = validated;
      if (str === null) return null;
      if (str === undefined) return undefined;
      if (validated[3] !== undefined || typeof str !== "string") giveUp();
      if (typeof pattern !== "string" || pattern === "" || typeof replacement !== "string")
        giveUp();
      let result = "";
      let position = 0;
      let index = str.indexOf(pattern, position);
      while (index !== -1) {
        result += str.substring(position, index);
        result += replacement;
        position = index + pattern.length;
        index = str.indexOf(pattern, position);
      }
      return result + str.substring(position);
    };
  }
  return (args, context) => {
    const validated = validate(args, context);
    let result: unknown;
    try {
      result = implementation.apply(undefined, validated as never[]);
    } catch {
      giveUp();
    }
    return scalar(result);
  };
}

function boolize(value: unknown): boolean {
  return jsonataBoolean(value) ?? false;
}

function compare(left: unknown, right: unknown, op: string): boolean | undefined {
  const lt = typeof left;
  const rt = typeof right;
  const comparable = (t: string) => t === "undefined" || t === "string" || t === "number";
  if (!comparable(lt) || !comparable(rt)) giveUp();
  if (left === undefined || right === undefined) return undefined;
  if (lt !== rt) giveUp();
  const a = left as string | number;
  const b = right as string | number;
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    default:
      return a >= b;
  }
}

function arithmetic(left: unknown, right: unknown, op: string): number | undefined {
  if (left !== undefined && typeof left !== "number") giveUp();
  if (right !== undefined && typeof right !== "number") giveUp();
  if (left === undefined || right === undefined) return undefined;
  let result: number;
  switch (op) {
    case "+":
      result = left + right;
      break;
    case "-":
      result = left - right;
      break;
    case "*":
      result = left * right;
      break;
    case "/":
      result = left / right;
      break;
    default:
      result = left % right;
  }
  return Number.isFinite(result) ? result : giveUp();
}

/**
 * The synchronous form of a checked expression's AST, or undefined when
 * some node is not a form this module evaluates. `references` are the
 * expression's `$field` references by their text.
 */
export function compileSync(
  ast: unknown,
  references: ReadonlyMap<string, CompiledReference>,
  limits: StepLimits & { readonly maxDepth: number },
): SyncEvaluator | undefined {
  // JSONata counts a step and a level per node evaluated; here each node is evaluated at most once.
  const size = nodeCount(ast);
  if (size > limits.maxSteps || size > limits.maxDepth) return undefined;
  const root = new Compiler(limits, references, packBuiltins(limits)).node(ast as JsonataNode);
  if (root === undefined) return undefined;
  return (input, env) => {
    const run: Run = { input, env, allocated: 0 };
    try {
      // A list result is copied by JSONata's plainResult: left to it.
      return one(root(run));
    } catch {
      // Every form is pure: JSONata evaluates it again and gives its own result or error.
      return GIVE_UP;
    }
  };
}

/** Nodes in a JSONata AST (path steps included): what one evaluation of our forms evaluates at most. */
function nodeCount(node: unknown): number {
  if (Array.isArray(node)) {
    let n = 0;
    for (const item of node) n += nodeCount(item);
    return n;
  }
  if (node === null || typeof node !== "object") return 0;
  let n = typeof (node as JsonataNode).type === "string" ? 1 : 0;
  for (const child of Object.values(node)) n += nodeCount(child);
  return n;
}
