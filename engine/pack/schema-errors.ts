import type { ErrorObject } from "ajv";
import type { PackError, PackErrorCode } from "./errors.js";
import { type Layer, originOf, type PathKey } from "./merge.js";

/**
 * ajv's errors turned into coded errors at the place in the pack where the
 * offending node was written (after the pattern of Spectral's
 * `validation/errors.ts`): unknown keys point at the key, missing keys at the
 * map that lacks them, wrong values at the value.
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

const dotted = (path: PathKey): string => (path.length ? path.join(".") : "(top level)");

interface Converted {
  readonly code: PackErrorCode;
  readonly message: string;
  readonly path: PathKey;
  readonly at: "key" | "value";
}

type Converter = (e: ErrorObject, path: PathKey, layer: Layer) => Converted | null;

function sourceText(layer: Layer, path: PathKey): string | undefined {
  const origin = originOf(layer, path);
  const node = origin?.source.doc?.getIn(origin.path, true) as { source?: string } | undefined;
  return node?.source;
}

function dependencyNote(e: ErrorObject): string {
  const note = (e.parentSchema as { "x-dependency"?: string } | undefined)?.["x-dependency"];
  return note ? ` (${note})` : "";
}

const CONVERTERS: Readonly<Record<string, Converter>> = {
  additionalProperties: (e, path) => {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
    const hint = allowed.length ? `; expected one of: ${allowed.join(", ")}` : "";
    return {
      code: "UNKNOWN_KEY",
      message: `unknown key '${key}' in ${dotted(path)}${hint}`,
      path: [...path, key],
      at: "key",
    };
  },
  required: (e, path) => ({
    code: isDependency(e) ? "OPTION_DEPENDENCY" : "MISSING_KEY",
    message: `${dotted(path)} needs key '${(e.params as { missingProperty: string }).missingProperty}'${dependencyNote(e)}`,
    path,
    at: "value",
  }),
  enum: (e, path) => ({
    code: isDependency(e) ? "OPTION_DEPENDENCY" : "INVALID_VALUE",
    message: `${dotted(path)} must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(", ")}${dependencyNote(e)}`,
    path,
    at: "value",
  }),
  const: (e, path) => ({
    code: isDependency(e) ? "OPTION_DEPENDENCY" : "INVALID_VALUE",
    message: `${dotted(path)} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}${dependencyNote(e)}`,
    path,
    at: "value",
  }),
  type: (e, path, layer) => {
    const expected = String((e.params as { type: string }).type);
    if (expected === "string" && typeof e.data === "number") {
      const written = sourceText(layer, path) ?? String(e.data);
      return {
        code: "CODE_NOT_STRING",
        message: `${dotted(path)} is the number ${String(e.data)} (written ${written}); codes are text, so quote it: "${written}"`,
        path,
        at: "value",
      };
    }
    return {
      code: "INVALID_TYPE",
      message: `${dotted(path)} must be ${expected}`,
      path,
      at: "value",
    };
  },
  if: () => null,
  not: (e, path) => ({
    code: isDependency(e) ? "OPTION_DEPENDENCY" : "INVALID_VALUE",
    message: `${dotted(path)} is not allowed here${dependencyNote(e)}`,
    path,
    at: "key",
  }),
};

function isDependency(e: ErrorObject): boolean {
  return /\/(then|else)\//.test(e.schemaPath);
}

export function convertSchemaErrors(errors: readonly ErrorObject[], layer: Layer): PackError[] {
  const out: PackError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const path = pathOf(e.instancePath);
    const convert = CONVERTERS[e.keyword];
    const converted: Converted | null = convert
      ? convert(e, path, layer)
      : {
          code: isDependency(e) ? "OPTION_DEPENDENCY" : "INVALID_VALUE",
          message: `${dotted(path)} ${e.message ?? "is invalid"}${dependencyNote(e)}`,
          path,
          at: "value",
        };
    if (!converted) continue;
    const origin = originOf(layer, converted.path);
    const position = origin
      ? origin.source.locate(origin.path, converted.at)
      : { file: "(pack)", line: 1, col: 1 };
    const key = `${position.file}:${position.line}:${position.col}:${converted.code}:${converted.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      ...position,
      code: converted.code,
      message: converted.message,
      path: dotted(converted.path),
    });
  }
  return out;
}
