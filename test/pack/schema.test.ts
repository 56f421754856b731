import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { schemaValidator } from "../../engine/documents/schema.js";
import { DEFAULT_BUDGET } from "../../engine/expressions/runtime.js";
import { CANONICAL_FIELDS, MAPPING_ELEMENTS } from "../../engine/model/canonical-fields.js";
import { INBOUND_EVENTS } from "../../engine/pack/enablement.js";

/**
 * schemas/rulepack.schema.json is the source of truth for what a pack may
 * say (docs/pack-language.md §1); these tests hold it together with the
 * engine's own lists and with the doc.
 */
interface Schema {
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly items?: Schema;
  readonly enum?: readonly unknown[];
  readonly description?: string;
  readonly maximum?: number;
  readonly [key: string]: unknown;
}

const read = (name: string): Schema =>
  JSON.parse(readFileSync(`schemas/${name}.schema.json`, "utf8")) as Schema;
const rulepack = read("rulepack");
const props = (s: Schema | undefined): Readonly<Record<string, Schema>> => s?.properties ?? {};

/**
 * Every declared property, with its path. `if` and `not` hold conditions
 * (`pack.abstract` is true, `remove` is set), not declarations, so they are
 * not walked.
 */
function declared(schema: unknown, path: string): [string, Schema][] {
  if (Array.isArray(schema)) return schema.flatMap((s, i) => declared(s, `${path}/${i}`));
  if (schema === null || typeof schema !== "object") return [];
  const out: [string, Schema][] = [];
  for (const [key, child] of Object.entries(schema as Schema)) {
    if (key === "if" || key === "not" || key === "enum" || key === "const") continue;
    if (key === "properties" && child && typeof child === "object") {
      for (const [name, property] of Object.entries(child as Record<string, Schema>)) {
        out.push([`${path}/properties/${name}`, property]);
        out.push(...declared(property, `${path}/properties/${name}`));
      }
    } else {
      out.push(...declared(child, `${path}/${key}`));
    }
  }
  return out;
}

describe("fields[].field and required[].field: the catalogue of canonical fields (§8)", () => {
  const fieldEnum = props(props(rulepack).fields?.items).field?.enum;
  const requiredEnum = props(props(rulepack).required?.items).field?.enum;

  it("the fields[].field enum is exactly Object.keys(CANONICAL_FIELDS)", () => {
    expect([...(fieldEnum ?? [])].sort()).toEqual(Object.keys(CANONICAL_FIELDS).sort());
    expect(new Set(fieldEnum).size).toBe(fieldEnum?.length);
  });

  it("the required[].field enum is the same catalogue", () => {
    expect([...(requiredEnum ?? [])].sort()).toEqual(Object.keys(CANONICAL_FIELDS).sort());
  });
});

describe("mappings: the Table 19 - Custom mapping elements (§10)", () => {
  it("mappings' properties are MAPPING_ELEMENTS, in order", () => {
    expect(Object.keys(props(props(rulepack).mappings))).toEqual([...MAPPING_ELEMENTS]);
  });

  it("fields[].map names the same elements", () => {
    expect(props(props(rulepack).fields?.items).map?.enum).toEqual([...MAPPING_ELEMENTS]);
  });
});

describe("enabled: Table 4 - Interface Enablement (§7)", () => {
  const enabled = props(props(rulepack).enabled);

  it("inbound events are the engine's; outbound has no charge", () => {
    expect(Object.keys(props(enabled.inbound))).toEqual([...INBOUND_EVENTS]);
    expect(Object.keys(props(enabled.outbound))).toEqual(
      INBOUND_EVENTS.filter((e) => e !== "charge"),
    );
  });
});

describe("limits.expressions: the doc's hard caps and defaults (§11)", () => {
  const expressions = props(props(props(rulepack).limits).expressions);

  it("caps: maxSteps 1e6, maxDepth 1000, maxSequence 1e6, maxStringLength 1e7, maxAllocation 1e8, timeoutMs 60000, maxLength 20000", () => {
    expect(Object.fromEntries(Object.entries(expressions).map(([k, v]) => [k, v.maximum]))).toEqual(
      {
        maxSteps: 1_000_000,
        maxDepth: 1000,
        maxSequence: 1_000_000,
        maxStringLength: 10_000_000,
        maxAllocation: 100_000_000,
        timeoutMs: 60_000,
        maxLength: 20_000,
      },
    );
  });

  it("the engine's defaults are within the caps and are the doc's", () => {
    expect(DEFAULT_BUDGET).toEqual({
      maxSteps: 10_000,
      maxDepth: 100,
      maxSequence: 10_000,
      maxStringLength: 1_000_000,
      maxAllocation: 10_000_000,
      timeoutMs: 10_000,
    });
  });
});

describe("descriptions: editors show them on hover", () => {
  for (const name of ["rulepack", "mapping-table"]) {
    it(`every property in schemas/${name}.schema.json has a description`, () => {
      const all = declared(read(name), "#");
      expect(all.length).toBeGreaterThan(name === "rulepack" ? 100 : 5);
      expect(
        all
          .filter(([, s]) => typeof s.description !== "string" || s.description === "")
          .map(([p]) => p),
      ).toEqual([]);
    });
  }
});

describe("the schemas compile under ajv strict mode", () => {
  it("rulepack and mapping-table", () => {
    expect(typeof schemaValidator("rulepack")).toBe("function");
    expect(typeof schemaValidator("mapping-table")).toBe("function");
  });
});
