import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

/**
 * The JSON Schemas in schemas/ are the source of truth for what a pack and a
 * mapping table may say; ajv compiles them once per process.
 */
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const SCHEMA_DIR = new URL("../../../schemas/", import.meta.url);
const schemaDir = (): URL =>
  // From dist/engine/pack at run time, from engine/pack under tsx and vitest.
  import.meta.url.includes("/dist/") ? SCHEMA_DIR : new URL("../../schemas/", import.meta.url);

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

export function schemaValidator(
  name: "rulepack" | "mapping-table" | "master-data" | "rule-test" | "practice-event" | "host",
): ValidateFunction {
  const hit = compiled.get(name);
  if (hit) return hit;
  if (!ajv) {
    ajv = new Ajv({
      allErrors: true,
      strict: true,
      // if/then blocks name keys declared beside them, which strictRequired cannot see.
      strictRequired: false,
      verbose: true,
      allowUnionTypes: true,
    });
    addFormats(ajv);
    ajv.addKeyword({ keyword: "x-dependency", schemaType: "string" });
  }
  const schema = JSON.parse(readFileSync(new URL(`${name}.schema.json`, schemaDir()), "utf8"));
  const validate = ajv.compile(schema);
  compiled.set(name, validate);
  return validate;
}
