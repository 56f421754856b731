import type { ErrorObject } from "ajv";
import type { PackError, PackErrorCode } from "./errors.js";
import { type Layer, originOf, type PathKey } from "./merge.js";
import { closest, closestField } from "./suggest.js";

/**
 * ajv's errors turned into coded errors at the place in the pack where the
 * offending node was written (after the pattern of Spectral's
 * `validation/errors.ts`): unknown keys point at the key, missing keys at the
 * key of the map that lacks them, wrong values at the value. Messages name
 * the node as its author wrote it in that file (`required[0].severity`), not
 * by its index in the merged pack.
 */

/** `/enabled/inbound/0` -> ["enabled", "inbound", 0] */
function pathOf(instancePath: string): PathKey {
  if (instancePath === "") return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** `["required", 0, "severity"]` -> `required[0].severity` */
export function shownPath(path: PathKey): string {
  if (path.length === 0) return "(top level)";
  return path.reduce<string>(
    (out, p) => (typeof p === "number" ? `${out}[${p}]` : out ? `${out}.${p}` : p),
    "",
  );
}

interface Converted {
  readonly code: PackErrorCode;
  /** The message, given the offending node's path in the file that wrote it. */
  readonly message: (shown: PathKey) => string;
  /** Path of the node the error is located at, in the merged pack. */
  readonly path: PathKey;
  readonly at: "key" | "value";
}

interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly required?: readonly string[];
  readonly description?: string;
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly "x-dependency"?: string;
  readonly [key: string]: unknown;
}

type Converter = (e: ErrorObject, path: PathKey, layer: Layer) => Converted | null;

function sourceText(layer: Layer, path: PathKey): string | undefined {
  const origin = originOf(layer, path);
  const node = origin?.source.doc?.getIn(origin.path, true) as { source?: string } | undefined;
  return node?.source;
}

function note(schema: unknown): string {
  const text = (schema as SchemaNode | undefined)?.["x-dependency"];
  return text ? ` (${text})` : "";
}

/** Options that require or exclude each other are spelled in `if`/`then` blocks. */
function isDependency(e: ErrorObject): boolean {
  return /\/(then|else)\//.test(e.schemaPath);
}

function jsonTypes(value: unknown): string[] {
  if (value === null) return ["null"];
  if (Array.isArray(value)) return ["array"];
  if (typeof value === "number")
    return Number.isInteger(value) ? ["integer", "number"] : ["number"];
  return [typeof value];
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  array: "a list",
  object: "a map",
  string: "a string",
  boolean: "true or false",
  integer: "a whole number",
  number: "a number",
  null: "empty (null)",
};

const typeWord = (type: string) => TYPE_WORDS[type] ?? type;

function branchTypes(schema: SchemaNode): string[] {
  if (schema.type !== undefined)
    return typeof schema.type === "string" ? [schema.type] : [...schema.type];
  if (schema.enum) return [...new Set(schema.enum.flatMap(jsonTypes))];
  if ("const" in schema) return jsonTypes(schema.const);
  return [];
}

function typeMatches(schema: SchemaNode, data: unknown): boolean {
  const types = branchTypes(schema);
  return types.length === 0 || jsonTypes(data).some((t) => types.includes(t));
}

/** Where an enum is the catalogue of canonical record fields (docs/pack-language.md §8). */
function isFieldCatalogue(path: PathKey): boolean {
  return (
    path.length === 3 &&
    (path[0] === "fields" || path[0] === "required") &&
    typeof path[1] === "number" &&
    path[2] === "field"
  );
}

function nullValue(path: PathKey): Converted {
  return {
    code: "INVALID_VALUE",
    message: (p) =>
      `${shownPath(p)} is empty (null); null does not unset a key: write a value, or leave the key out`,
    path,
    at: "key",
  };
}

const CONVERTERS: Readonly<Record<string, Converter>> = {
  additionalProperties: (e, path) => {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    const allowed = Object.keys((e.parentSchema as SchemaNode | undefined)?.properties ?? {});
    const suggestion = closest(key, allowed);
    const hint = suggestion
      ? ` (did you mean ${suggestion}?)`
      : allowed.length
        ? `; expected one of: ${allowed.join(", ")}`
        : "";
    return {
      code: "UNKNOWN_KEY",
      message: (p) =>
        p.length <= 1
          ? `"${key}" is not a top-level key${hint}`
          : `"${key}" is not a key of ${shownPath(p.slice(0, -1))}${hint}`,
      path: [...path, key],
      at: "key",
    };
  },
  required: (e, path) => {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    // A section that only an abstract pack may leave out is simply missing (§6).
    const dependency = isDependency(e) && path.length > 0;
    return {
      code: dependency ? "OPTION_DEPENDENCY" : "MISSING_KEY",
      message: (p) =>
        `${p.length ? `${shownPath(p)}.${missing}` : missing} is required${note(e.parentSchema)}`,
      path,
      at: "key",
    };
  },
  enum: (e, path) => {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
    if (isFieldCatalogue(path) && !isDependency(e)) {
      const suggestion = typeof e.data === "string" ? closestField(e.data, allowed) : undefined;
      return {
        code: "UNKNOWN_FIELD",
        message: () =>
          `${JSON.stringify(e.data)} is not a canonical record field (${suggestion ? `did you mean ${suggestion}?` : "see the catalogue in docs/pack-language.md §8"})`,
        path,
        at: "value",
      };
    }
    return {
      code: isDependency(e) ? "OPTION_DEPENDENCY" : "INVALID_ENUM",
      message: (p) =>
        `${shownPath(p)} ${JSON.stringify(e.data)}: expected ${allowed.join(", ")}${note(e.parentSchema)}`,
      path,
      at: "value",
    };
  },
  const: (e, path) => ({
    code: isDependency(e) ? "OPTION_DEPENDENCY" : "INVALID_VALUE",
    message: (p) =>
      `${shownPath(p)} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}${note(e.parentSchema)}`,
    path,
    at: "value",
  }),
  type: (e, path, layer) => {
    if (e.data === null) return nullValue(path);
    const expected = String((e.params as { type: string }).type);
    if (expected === "string" && typeof e.data === "number") {
      const written = sourceText(layer, path) ?? String(e.data);
      return {
        code: "CODE_NOT_STRING",
        message: (p) =>
          `${shownPath(p)} is the number ${String(e.data)} (written ${written}); codes are text, so quote it: "${written}"`,
        path,
        at: "value",
      };
    }
    const want = expected.split(",").map(typeWord).join(" or ");
    const got = typeWord(jsonTypes(e.data)[0] ?? "unknown");
    return {
      code: "INVALID_VALUE",
      message: (p) => `${shownPath(p)} must be ${want}, not ${got}`,
      path,
      at: "value",
    };
  },
  if: () => null,
  not: (e, path) => {
    const excluded = (e.schema as SchemaNode | undefined)?.required?.[0];
    const at = excluded === undefined ? path : [...path, excluded];
    return {
      code: isDependency(e) ? "OPTION_DEPENDENCY" : "INVALID_VALUE",
      message: (p) => `${shownPath(p)} is not allowed here${note(e.parentSchema)}`,
      path: at,
      at: "key",
    };
  },
  pattern: (e, path) => {
    const description = (e.parentSchema as SchemaNode | undefined)?.description;
    return {
      code: isDependency(e) ? "OPTION_DEPENDENCY" : "INVALID_VALUE",
      message: (p) =>
        `${shownPath(p)} ${JSON.stringify(e.data)} is not valid: ${description ?? `it must match ${(e.params as { pattern: string }).pattern}`}`,
      path,
      at: "value",
    };
  },
};

/** Errors of the bounds keywords read better with the value that broke them. */
const BOUNDS = new Set(["maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"]);

function fallback(e: ErrorObject, path: PathKey): Converted {
  const what = BOUNDS.has(e.keyword) ? ` is ${JSON.stringify(e.data)}; it` : "";
  return {
    code: isDependency(e) ? "OPTION_DEPENDENCY" : "INVALID_VALUE",
    message: (p) => `${shownPath(p)}${what} ${e.message ?? "is invalid"}${note(e.parentSchema)}`,
    path,
    at: "value",
  };
}

/**
 * An `anyOf` fails with one error per branch plus its own. Report what the
 * author meant: the errors of the one branch whose type fits the value (a
 * list of message types with a bad item), else one error for the node.
 */
function collapseAnyOf(errors: readonly ErrorObject[]): {
  readonly kept: readonly ErrorObject[];
  readonly added: readonly Converted[];
} {
  const dropped = new Set<ErrorObject>();
  const added: Converted[] = [];
  const anyOfs = errors
    .filter((e) => e.keyword === "anyOf")
    .sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const a of anyOfs) {
    dropped.add(a);
    const branches = (Array.isArray(a.schema) ? a.schema : []) as SchemaNode[];
    const inBranch = (i: number) =>
      errors.filter((e) => e.schemaPath.startsWith(`${a.schemaPath}/${i}/`));
    const fitting = branches.flatMap((b, i) => (typeMatches(b, a.data) ? [i] : []));
    if (fitting.length === 1 && a.data !== null) {
      branches.forEach((_, i) => {
        if (i !== fitting[0]) for (const e of inBranch(i)) dropped.add(e);
      });
      continue;
    }
    branches.forEach((_, i) => {
      for (const e of inBranch(i)) dropped.add(e);
    });
    const path = pathOf(a.instancePath);
    if (a.data === null) {
      added.push(nullValue(path));
    } else if (branches.length > 0 && branches.every((b) => b.required?.length === 1)) {
      const keys = branches.map((b) => `${b.required?.[0]}:`).join(" or ");
      added.push({
        code: "MISSING_KEY",
        message: (p) => `${shownPath(p)} needs ${keys}${note(a.parentSchema)}`,
        path,
        at: "key",
      });
    } else {
      const kinds = [...new Set(branches.flatMap(branchTypes))].map(typeWord);
      const got = typeWord(jsonTypes(a.data)[0] ?? "unknown");
      added.push({
        code: isDependency(a) ? "OPTION_DEPENDENCY" : "INVALID_VALUE",
        message: (p) =>
          `${shownPath(p)} must be ${kinds.join(", or ")}, not ${got}${note(a.parentSchema)}`,
        path,
        at: "value",
      });
    }
  }
  return { kept: errors.filter((e) => !dropped.has(e)), added };
}

export function convertSchemaErrors(errors: readonly ErrorObject[], layer: Layer): PackError[] {
  const out: PackError[] = [];
  const seen = new Set<string>();
  const { kept, added } = collapseAnyOf(errors);
  const converted = [
    ...kept.map((e) => {
      const path = pathOf(e.instancePath);
      const convert = CONVERTERS[e.keyword];
      return convert ? convert(e, path, layer) : fallback(e, path);
    }),
    ...added,
  ];
  for (const c of converted) {
    if (!c) continue;
    const origin = originOf(layer, c.path);
    const position = origin
      ? origin.source.locate(origin.path, c.at)
      : { file: "(pack)", line: 1, col: 1 };
    const message = c.message(origin?.path ?? c.path);
    const key = `${position.file}:${position.line}:${position.col}:${c.code}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...position, code: c.code, message, path: c.path.join(".") });
  }
  return out;
}
