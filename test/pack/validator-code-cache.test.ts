import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  generatedCodeCacheFile,
  generatedValidatorFile,
  SCHEMA_NAMES,
  schemaText,
  validatorFromModule,
  validatorScript,
} from "../../engine/documents/schema.js";
import { validatorCodeCache } from "../../scripts/build-validators.js";

const codeOf = (name: (typeof SCHEMA_NAMES)[number]) =>
  readFileSync(generatedValidatorFile(name), "utf8");

/** A pack with problems the validator reports (a wrong enum, an unknown key, a missing id). */
const broken = parse("pack: {}\nfields:\n  - field: a\n    severity: loud\n    colour: red\n");

describe("V8 code caches of the generated validators (schemas/generated/NAME.validate.v8)", () => {
  it.each(SCHEMA_NAMES)("%s: the code cache on disk is accepted by this Node", (name) => {
    const file = generatedValidatorFile(name);
    const script = validatorScript(
      codeOf(name),
      file.pathname,
      readFileSync(generatedCodeCacheFile(name)),
    );
    expect(script.cachedDataRejected).toBe(false);
  });

  it("a validator run from its code cache reports what it reports without one", () => {
    const file = generatedValidatorFile("rulepack");
    const cached = validatorFromModule(
      codeOf("rulepack"),
      schemaText("rulepack"),
      file.pathname,
      readFileSync(generatedCodeCacheFile("rulepack")),
    );
    const plain = validatorFromModule(codeOf("rulepack"), schemaText("rulepack"), file.pathname);
    if (!cached || !plain) throw new Error("no generated validator");
    expect(cached(broken)).toBe(false);
    expect(plain(broken)).toBe(false);
    expect(cached.errors).toEqual(plain.errors);
    expect(cached.errors?.length).toBeGreaterThan(0);
  });

  it("a code cache V8 refuses is ignored: the module compiles and validates as without one", () => {
    const file = generatedValidatorFile("rulepack");
    // A text this process has not compiled yet (V8 would answer a repeat from memory).
    const code = `${codeOf("rulepack")}// refused\n`;
    const junk = Buffer.from("not a code cache");
    expect(validatorScript(code, file.pathname, junk).cachedDataRejected).toBe(true);
    const validate = validatorFromModule(
      `${codeOf("rulepack")}// refused again\n`,
      schemaText("rulepack"),
      file.pathname,
      junk,
    );
    expect(validate?.(broken)).toBe(false);
    expect(validate?.errors?.length).toBeGreaterThan(0);
  });

  it("validatorCodeCache writes a cache that V8 accepts for the module", () => {
    const file = generatedValidatorFile("mapping-table");
    const cache = validatorCodeCache(file, [{ table: "sex", rows: [] }]);
    expect(validatorScript(codeOf("mapping-table"), file.pathname, cache).cachedDataRejected).toBe(
      false,
    );
  });
});
