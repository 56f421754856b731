// Writes ajv's standalone code of every schema in schemas/ to
// schemas/generated/NAME.validate.cjs (not committed), with the key of the
// schema text it was built from, so loading a pack never compiles a schema
// (decision 0036). Run by `npm run build:grammar`; rewrites a file only when
// its key no longer matches.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import standaloneCode from "ajv/dist/standalone/index.js";
import {
  generatedValidatorFile,
  keyLine,
  newAjv,
  SCHEMA_NAMES,
  type SchemaName,
  schemaText,
  validatorKey,
} from "../engine/documents/schema.js";

const standalone = standaloneCode as unknown as typeof standaloneCode.default;

/** The CommonJS module of `name`'s validator: `validate` and the `key` it stands for. */
export function validatorModule(name: SchemaName): string {
  const text = schemaText(name);
  const ajv = newAjv(true);
  const code = standalone(ajv, ajv.compile(JSON.parse(text)));
  return `${keyLine(validatorKey(text))}\n${code}\n`;
}

function current(file: URL, name: SchemaName): boolean {
  try {
    return readFileSync(file, "utf8").startsWith(`${keyLine(validatorKey(schemaText(name)))}\n`);
  } catch {
    return false;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const name of SCHEMA_NAMES) {
    const file = generatedValidatorFile(name);
    if (current(file, name)) continue;
    mkdirSync(new URL(".", file), { recursive: true });
    writeFileSync(file, validatorModule(name));
  }
}
