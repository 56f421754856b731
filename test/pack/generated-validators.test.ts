import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  generatedValidatorFile,
  keyLine,
  newAjv,
  SCHEMA_NAMES,
  schemaText,
  schemaValidator,
  validatorFromModule,
  validatorKey,
} from "../../engine/documents/schema.js";
import { validatorModule } from "../../scripts/build-validators.js";

/** Every YAML file under `dir`. */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return name.endsWith(".yaml") ? [path] : [];
  });
}

/** The data of a YAML file, or undefined when it does not parse (broken fixtures). */
function dataOf(file: string): unknown {
  try {
    return parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

describe("the generated validators (schemas/generated/, npm run build:grammar)", () => {
  it.each(SCHEMA_NAMES)("%s: the file on disk is what its schema generates today", (name) => {
    expect(readFileSync(generatedValidatorFile(name), "utf8")).toBe(validatorModule(name));
  });

  it.each(SCHEMA_NAMES)("%s: schemaValidator uses the generated code", (name) => {
    const code = readFileSync(generatedValidatorFile(name), "utf8");
    const generated = validatorFromModule(code, schemaText(name), "generated.cjs");
    expect(generated).toBeTypeOf("function");
    // The process's validator is the generated module's function, not an ajv compile
    // (ajv's compiled functions carry their schemaEnv).
    expect(schemaValidator(name).toString()).toBe(generated?.toString());
    expect("schemaEnv" in schemaValidator(name)).toBe(false);
  });

  it("a module whose key is not the schema's is never run", () => {
    const text = schemaText("mapping-table");
    const stale = `${keyLine(validatorKey(`${text} `))}\nthrow new Error("ran");\n`;
    expect(validatorFromModule(stale, text, "stale.cjs")).toBeUndefined();
  });

  it("the key changes with every byte of the schema", () => {
    const text = schemaText("rulepack");
    expect(validatorKey(text)).not.toBe(validatorKey(text.replace("Rulepack", "RulePack")));
  });

  it("reports exactly the errors ajv's own compile reports, on every pack file of the repository and the fixtures", () => {
    const generated = schemaValidator("rulepack");
    const compiled = newAjv().compile(JSON.parse(schemaText("rulepack")));
    const files = [...yamlFiles("rules"), ...yamlFiles("test/fixtures/packs")].filter(
      (f) => !f.includes("/tests/") && !f.endsWith("master-data.yaml"),
    );
    let invalid = 0;
    for (const file of files) {
      const data = dataOf(file);
      if (data === undefined) continue;
      const ok = generated(data);
      expect(compiled(data), file).toBe(ok);
      expect(generated.errors ?? null, file).toEqual(compiled.errors ?? null);
      if (!ok) invalid++;
    }
    // The comparison covered invalid packs, not only valid ones.
    expect(invalid).toBeGreaterThan(5);
  });
});
