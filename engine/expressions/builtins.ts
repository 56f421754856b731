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

interface FunctionDefinition {
  readonly _jsonata_function: true;
  readonly implementation: Implementation;
  readonly signature?: Signature;
}

const SHADOWED = [...new Set([...NULL_PASSING, "join", "string"])];

/** JSONata's own definitions (its private static frame), read once. */
const ORIGINALS: ReadonlyMap<string, FunctionDefinition> = new Map(
  (
    (await jsonata(`[${SHADOWED.map((n) => `$${n}`).join(",")}]`).evaluate(
      {},
    )) as FunctionDefinition[]
  ).map((definition, i) => [SHADOWED[i] as string, definition]),
);

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

/** Bind the pack's versions of the built-ins to a compiled expression (once, at compile). */
export function shadowBuiltins(expr: jsonata.Expression, limits: StepLimits): void {
  const checks = sizeChecks(limits);
  const nullable = new Set<string>(NULL_PASSING);
  for (const [name, original] of ORIGINALS) {
    const check = checks[name];
    let definition: FunctionDefinition = check
      ? { ...original, implementation: check(original.implementation) }
      : original;
    if (nullable.has(name)) definition = nullPassing(definition);
    if (definition !== original) expr.assign(name, definition);
  }
}
