// Writes ajv's standalone code of every schema in schemas/ to
// schemas/generated/NAME.validate.cjs (not committed), with the key of the
// schema text it was built from, so loading a pack never compiles a schema
// (decision 0036). Run by `npm run build:grammar`; rewrites a file only when
// its key no longer matches. Beside each it writes V8's code cache of the
// module (NAME.validate.v8) after running the validator over the
// repository's YAML files, so a fresh process neither compiles the 550 KB
// function nor its parts as they first run (decision 0042).

import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import standaloneCode from "ajv/dist/standalone/index.js";
import { parse } from "yaml";
import {
  generatedCodeCacheFile,
  generatedValidatorFile,
  keyLine,
  newAjv,
  SCHEMA_NAMES,
  type SchemaName,
  schemaText,
  validatorKey,
  validatorScript,
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

/** The data of every YAML file under `dirs` that parses: what the validators are run over before their code is cached. */
function warmUpDocuments(dirs: readonly string[]): unknown[] {
  const files = (dir: string): string[] => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    return names.flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return files(path);
      return /\.ya?ml$/.test(name) ? [path] : [];
    });
  };
  return dirs.flatMap(files).flatMap((file) => {
    try {
      return [parse(readFileSync(file, "utf8"), { logLevel: "silent" })];
    } catch {
      return [];
    }
  });
}

/**
 * V8's code cache of the generated module `file`, taken after its validator
 * ran over `documents`, so the functions those runs compiled are in it.
 */
export function validatorCodeCache(file: URL, documents: readonly unknown[]): Buffer {
  const script = validatorScript(readFileSync(file, "utf8"), file.pathname);
  const module: { exports: unknown } = { exports: {} };
  script.runInThisContext()(module, module.exports, createRequire(file));
  const validate = module.exports as (data: unknown) => boolean;
  for (const document of documents) validate(document);
  return script.createCachedData();
}

/** Whether the code cache `cache` of `file` is missing, older than it, or refused by this Node's V8. */
function stale(cache: URL, file: URL): boolean {
  try {
    if (statSync(cache).mtimeMs < statSync(file).mtimeMs) return true;
    const script = validatorScript(readFileSync(file, "utf8"), file.pathname, readFileSync(cache));
    return script.cachedDataRejected === true;
  } catch {
    return true;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let documents: unknown[] | undefined;
  for (const name of SCHEMA_NAMES) {
    const file = generatedValidatorFile(name);
    if (!current(file, name)) {
      mkdirSync(new URL(".", file), { recursive: true });
      writeFileSync(file, validatorModule(name));
    }
    const cache = generatedCodeCacheFile(name);
    if (!stale(cache, file)) continue;
    documents ??= warmUpDocuments(["rules", "mappings"]);
    writeFileSync(cache, validatorCodeCache(file, documents));
  }
}
