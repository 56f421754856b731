import jsonata from "jsonata";
import { type StepLimits, sizeChecks } from "./budget.js";

/**
 * JSONata built-ins as packs see them: the ones that can allocate far more
 * than their arguments are size-checked (budget.ts), and the string
 * functions take the HL7 null.
 *
 * The HL7 null (`""` in a field: "delete the value") reaches an expression
 * as JSON `null` (`$field`, `$value`). JSONata's string functions refuse
 * `null` (T0410), so a rule like `$replace($value, "-", "")` failed on every
 * message that cleared the field. Here they return `null` for a `null`
 * string, as they return nothing for an absent one: the rule's result is
 * the HL7 null, which clears the field (docs/pack-language.md §5.2).
 */
export const NULL_PASSING = [
  "substring",
  "substringBefore",
  "substringAfter",
  "uppercase",
  "lowercase",
  "trim",
  "pad",
  "replace",
  "split",
  "contains",
  "length",
] as const;

type Implementation = (this: unknown, ...args: never[]) => unknown;

interface Signature {
  validate(args: unknown[], context: unknown): unknown[];
}

/** A JSONata built-in as its static frame holds it: what `$name(...)` calls. */
export interface FunctionDefinition {
  readonly _jsonata_function: true;
  readonly implementation: Implementation;
  readonly signature?: Signature;
}

const SHADOWED = [...new Set([...NULL_PASSING, "join", "string"])];

/**
 * Built-ins the synchronous evaluator (sync.ts) calls as JSONata would,
 * through the same definitions, beside the shadowed ones.
 */
const SYNC_CALLABLE = ["not", "exists", "boolean"] as const;
const READ = [...SHADOWED, ...SYNC_CALLABLE];

/** JSONata's own definitions (its private static frame), read once. */
const ORIGINALS: ReadonlyMap<string, FunctionDefinition> = new Map(
  (
    (await jsonata(`[${READ.map((n) => `$${n}`).join(",")}]`).evaluate({})) as FunctionDefinition[]
  ).map((definition, i) => [READ[i] as string, definition]),
);

/** JSONata's `$boolean` as its operators use it (`and`, `or`, `? :`): undefined stays undefined. */
export const jsonataBoolean = (ORIGINALS.get("boolean") as FunctionDefinition).implementation as (
  value: unknown,
) => boolean | undefined;

/** JSONata's `$string` unchecked, as `&` uses it on each operand. */
export const jsonataString = (ORIGINALS.get("string") as FunctionDefinition).implementation as (
  value: unknown,
) => string | undefined;

function nullPassing(definition: FunctionDefinition): FunctionDefinition {
  const { signature, implementation } = definition;
  return {
    ...definition,
    ...(signature && {
      signature: {
        ...signature,
        validate: (args: unknown[], context: unknown) =>
          args[0] === null ? args : signature.validate(args, context),
      },
    }),
    implementation(this: unknown, ...args: never[]) {
      if ((args as unknown[])[0] === null) return null;
      return implementation.apply(this, args);
    },
  };
}

/**
 * The definitions a pack's expression calls under these limits: JSONata's
 * own, size-checked and null-passing where this module says so. Made once
 * per limits and shared.
 */
export function packBuiltins(limits: StepLimits): ReadonlyMap<string, FunctionDefinition> {
  const key = `${limits.maxSteps}/${limits.maxStringLength}/${limits.maxSequence}/${limits.maxAllocation}`;
  const known = BY_LIMITS.get(key);
  if (known) return known;
  const checks = sizeChecks(limits);
  const nullable = new Set<string>(NULL_PASSING);
  const definitions = new Map<string, FunctionDefinition>();
  for (const [name, original] of ORIGINALS) {
    const check = checks[name];
    let definition: FunctionDefinition = check
      ? { ...original, implementation: check(original.implementation) }
      : original;
    if (nullable.has(name)) definition = nullPassing(definition);
    definitions.set(name, definition);
  }
  BY_LIMITS.set(key, definitions);
  return definitions;
}
const BY_LIMITS = new Map<string, ReadonlyMap<string, FunctionDefinition>>();

/** Bind the pack's versions of the built-ins to a compiled expression (once, at compile). */
export function shadowBuiltins(expr: jsonata.Expression, limits: StepLimits): void {
  for (const [name, definition] of packBuiltins(limits)) {
    // A copy each: JSONata writes the caller's token and position onto the definition it calls.
    if (definition !== ORIGINALS.get(name)) expr.assign(name, { ...definition });
  }
}
