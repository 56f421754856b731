import { readFileSync } from "node:fs";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The Raw* types of engine/pack/raw.ts are what the section compilers read
 * of a merged pack; schemas/rulepack.schema.json is what a pack may say.
 * They are written by hand (docs/decisions/0016), so this test reads both
 * and fails when they drift: a key the schema allows that no Raw type
 * knows (a setting the compiler would silently ignore), a key a Raw type
 * reads that the schema refuses, or an enumeration whose values differ.
 */

interface Schema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly items?: Schema;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly Schema[];
  readonly oneOf?: readonly Schema[];
}

const schema = JSON.parse(readFileSync("schemas/rulepack.schema.json", "utf8")) as Schema;
const program = ts.createProgram(["engine/pack/raw.ts"], {
  strict: true,
  exactOptionalPropertyTypes: true,
  noEmit: true,
  skipLibCheck: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
});
const checker = program.getTypeChecker();

function rawPackType(): ts.Type {
  const file = program.getSourceFile("engine/pack/raw.ts");
  const module = file && checker.getSymbolAtLocation(file);
  const symbol = module && checker.getExportsOfModule(module).find((s) => s.name === "RawPack");
  if (!symbol) throw new Error("RawPack is not exported by engine/pack/raw.ts");
  return checker.getDeclaredTypeOfSymbol(symbol);
}

const members = (t: ts.Type): readonly ts.Type[] =>
  t.isUnion()
    ? t.types.filter((m) => !(m.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)))
    : [t];

/** The literal values a type admits, or undefined when it is wider (string, number). */
function literals(t: ts.Type): string[] | undefined {
  const values: string[] = [];
  for (const m of members(t)) {
    if (m.isStringLiteral()) values.push(m.value);
    else if (m.isNumberLiteral()) values.push(String(m.value));
    else return undefined;
  }
  return values.sort();
}

function elementOf(t: ts.Type): ts.Type | undefined {
  for (const m of members(t))
    if (checker.isArrayType(m) || checker.isTupleType(m))
      return checker.getTypeArguments(m as ts.TypeReference)[0];
  return undefined;
}

function objectOf(t: ts.Type): ts.Type | undefined {
  return members(t).find(
    (m) =>
      (m.flags & ts.TypeFlags.Object || m.isIntersection()) &&
      !checker.isArrayType(m) &&
      !checker.isTupleType(m),
  );
}

function drift(t: ts.Type, s: Schema, path: string, out: string[]): void {
  if (s.properties) {
    const object = objectOf(t);
    if (!object) {
      out.push(`${path}: the schema has keys, the Raw type is not an object`);
      return;
    }
    const typeKeys = checker.getPropertiesOfType(object).map((p) => p.name);
    const schemaKeys = Object.keys(s.properties);
    for (const k of schemaKeys.filter((k) => !typeKeys.includes(k)))
      out.push(`${path}.${k}: in the schema, not in the Raw type`);
    for (const k of typeKeys.filter((k) => !schemaKeys.includes(k)))
      out.push(`${path}.${k}: in the Raw type, not in the schema`);
    for (const k of schemaKeys.filter((k) => typeKeys.includes(k))) {
      const property = checker.getPropertyOfType(object, k);
      const sub = s.properties[k];
      if (property && sub) drift(checker.getTypeOfSymbol(property), sub, `${path}.${k}`, out);
    }
  }
  if (s.items) {
    const element = elementOf(t);
    if (element) drift(element, s.items, `${path}[]`, out);
    else if (s.type === "array") out.push(`${path}: the schema has a list, the Raw type has none`);
  }
  if (s.enum) {
    const values = literals(t);
    const allowed = s.enum.map(String).sort();
    if (values && JSON.stringify(values) !== JSON.stringify(allowed))
      out.push(
        `${path}: the Raw type admits ${values.join(", ")}; the schema ${allowed.join(", ")}`,
      );
  }
  for (const alternative of [...(s.anyOf ?? []), ...(s.oneOf ?? [])])
    drift(t, alternative, path, out);
}

describe("the Raw* types of engine/pack/raw.ts against schemas/rulepack.schema.json", () => {
  it("has the pack's every top-level section", () => {
    const keys = checker.getPropertiesOfType(rawPackType()).map((p) => p.name);
    expect(keys.sort()).toEqual(Object.keys(schema.properties ?? {}).sort());
  });

  it("no key or enumeration has drifted", () => {
    const out: string[] = [];
    drift(rawPackType(), schema, "", out);
    expect(out).toEqual([]);
  });
});
