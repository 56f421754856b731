import { describe, expect, it } from "vitest";
import { formatPackError } from "../../engine/documents/errors.js";
import { layerOf } from "../../engine/documents/merge.js";
import { readYaml } from "../../engine/documents/source.js";
import type { ExpressionEnvironment } from "../../engine/expressions/runtime.js";
import { readChain } from "../../engine/pack/chain.js";
import { compilePack } from "../../engine/pack/compile.js";
import type { CompiledPack } from "../../engine/pack/compiled.js";
import { loadPack } from "../../engine/pack/load.js";

/**
 * compilePack is one path: section compilers sharing one compile context,
 * whose one expression() applies the pack's `limits.expressions` to every
 * expression (inbound rules, conditions, outbound field rules), and whose
 * section compilers report a fault as a located error instead of throwing.
 */

const HARBOR = "rules/practices/harbor-ortho/pack.yaml";

/** Harbor with one more layer on top, as a rule test's `overrides:` is merged. */
function harborWith(yaml: string): CompiledPack {
  const read = readYaml("test/pack/compile-path.overrides.yaml", yaml);
  if (!read.ok) throw new Error(read.errors.map(formatPackError).join("\n"));
  const load = loadPack(HARBOR, { overrides: layerOf(read.source) });
  if (!load.ok) throw new Error(load.errors.map(formatPackError).join("\n"));
  return load.pack;
}

const PADDED = `
outbound:
  fields:
    - name: padded-phone
      to: PID.13.1
      from: patient.phones.home
      expr: $pad($value, 50, "0")
fields:
  - name: patient.ssn
    field: patient.ssn
    expr: $pad($field('PID.19'), 50, "0")
`;

const LIMITED = `${PADDED}
limits:
  expressions:
    maxStringLength: 20
`;

const env: ExpressionEnvironment = {
  read: {} as never,
  mapCode: () => undefined,
  now: new Date("2026-01-15T12:00:00Z"),
};
const input = { patient: { phones: { home: "555-0100" } }, event: { kind: "patientAdd" } };

describe("limits.expressions: one budget for every expression of the pack", () => {
  it("an outbound field rule is compiled under the pack's limits, not the engine's defaults", async () => {
    const rule = (pack: CompiledPack) =>
      pack.outbound.fields.find((f) => f.name === "padded-phone");
    const within = await rule(harborWith(PADDED))?.expr?.evaluate(input, {
      ...env,
      variables: { value: "555-0100" },
    });
    expect(within).toEqual({ ok: true, value: `555-0100${"0".repeat(42)}` });
    const limited = await rule(harborWith(LIMITED))?.expr?.evaluate(input, {
      ...env,
      variables: { value: "555-0100" },
    });
    expect(limited?.ok === false && limited.error.code).toBe("EXPRESSION_BUDGET_EXCEEDED");
  });

  it("the compiled pack carries the budget its expressions were compiled with", () => {
    const pack = harborWith(LIMITED);
    expect(pack.budget.maxStringLength).toBe(20);
    expect(harborWith(PADDED).budget.maxStringLength).toBeGreaterThan(20);
  });

  it("limits.expressions.maxLength applies to outbound expressions too", () => {
    const read = readYaml(
      "test/pack/compile-path.overrides.yaml",
      `${PADDED}\nlimits:\n  expressions:\n    maxLength: 20\n`,
    );
    if (!read.ok) throw new Error("unreadable");
    const load = loadPack(HARBOR, { overrides: layerOf(read.source) });
    const errors = load.ok ? [] : load.errors;
    const outbound = errors.filter((e) => e.path?.startsWith("outbound."));
    expect(outbound).toHaveLength(1);
    expect(outbound[0]).toMatchObject({
      file: "test/pack/compile-path.overrides.yaml",
      line: 7,
      code: "INVALID_VALUE",
      message: "expression is 21 characters; limits.expressions.maxLength is 20",
    });
  });
});

describe("a section compiler that throws is a located LOAD_FAILED, never an exception", () => {
  it("a merged pack no schema check foresaw (a when: that is not text): LOAD_FAILED at fields", () => {
    const read = readChain("test/fixtures/packs/valid/pack.yaml");
    if (!read.ok) throw new Error("the valid fixture does not read");
    const data = read.chain.merged.data as { fields: unknown[] };
    const chain = {
      ...read.chain,
      merged: {
        ...read.chain.merged,
        data: {
          ...data,
          fields: [{ name: "x", field: "patient.lastName", from: "PID.5.1", when: 42 }],
        },
      },
    };
    const compiled = compilePack(chain, "test/fixtures/packs/valid/pack.yaml");
    expect(compiled.ok).toBe(false);
    const errors = compiled.ok ? [] : compiled.errors;
    expect(errors.map((e) => `${e.path} ${e.code}`)).toEqual(["fields LOAD_FAILED"]);
    expect(errors[0]?.message).toContain("the loader failed on fields (TypeError:");
    expect(errors[0]?.file).toBe("test/fixtures/packs/valid/pack.yaml");
  });
});
