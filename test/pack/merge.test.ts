import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { formatPackError } from "../../engine/documents/errors.js";
import { DEFAULT_BUDGET } from "../../engine/expressions/runtime.js";
import { readChain } from "../../engine/pack/chain.js";
import type { CompiledPack } from "../../engine/pack/compiled.js";
import { loadPack } from "../../engine/pack/load.js";
import { lookupRow } from "../../engine/pack/mapping-tables.js";

/**
 * docs/pack-language.md §3 "Merging": each rule of the table, on packs that
 * extend test/fixtures/packs/base.yaml (fixtures in test/fixtures/packs/merge).
 */
const MERGE = "test/fixtures/packs/merge";
const BASE = "test/fixtures/packs/base.yaml";

function compiled(file: string): CompiledPack {
  const load = loadPack(file);
  if (!load.ok) throw new Error(load.errors.map(formatPackError).join("\n"));
  return load.pack;
}

function problems(file: string): string[] {
  const load = loadPack(file);
  return load.ok ? [] : load.errors.map(formatPackError);
}

const child = compiled(`${MERGE}/child/pack.yaml`);
const grandchild = compiled(`${MERGE}/grandchild/pack.yaml`);
const effective = (p: CompiledPack) => p.effective as Record<string, Record<string, unknown>>;

describe("Map: deep merge, the child's keys override the parent's", () => {
  it("enabled.inbound keeps the base's events and takes the child's patientUpdate", () => {
    expect(effective(child).enabled).toEqual({
      inbound: {
        patientAdd: true,
        patientUpdate: ["ADT^A08"],
        appointmentSchedule: true,
        charge: true,
      },
      outbound: { patientAdd: "ADT^A04", appointmentSchedule: "SIU^S12" },
    });
  });

  it("mappings: a child's element merges into the base's element", () => {
    expect(effective(child).mappings).toEqual({
      sex: { mappingRequired: false },
      department: { mappingRequired: true },
      provider: { mappingRequired: false, accept: ["npi"] },
    });
    expect(child.mappings.department?.mappingRequired).toBe(true);
  });

  it("limits.expressions: the child's timeoutMs, the base's maxDepth", () => {
    expect(child.budget).toEqual({ ...DEFAULT_BUDGET, timeoutMs: 200, maxDepth: 100 });
  });

  it("practice set in the child is inherited by the grandchild; the grandchild's scalar wins", () => {
    expect(grandchild.practice).toEqual(child.practice);
    expect(grandchild.enabled.outbound.patientAdd).toBeNull();
    expect(child.enabled.outbound.patientAdd).toBe("ADT^A04");
  });
});

describe("Named-rule list: an item with the parent's identity replaces it whole, in the parent's position", () => {
  it("fields: patient.sex is the child's rule, at the base's position 3, with no map: inherited", () => {
    expect(child.fields.map((f) => f.name)).toEqual([
      "patient.lastName",
      "patient.firstName",
      "patient.sex",
      "patient.primaryDepartmentId",
      "appointment.providerId",
      "claim.departmentId",
      "charge.diagnoses",
      "patient.ssn",
      "sex-from-orthochart",
    ]);
    const sex = child.fields[2];
    expect([sex?.from?.source, sex?.map, sex?.at]).toEqual([
      "ZPI.4",
      undefined,
      `${MERGE}/child/pack.yaml:16`,
    ]);
  });

  it("required: the child's patient.lastName rule replaces the base's label and on:", () => {
    const lastName = child.required.find((r) => r.name === "patient.lastName");
    expect(lastName).toMatchObject({
      label: "family name",
      on: ["create", "update"],
      at: `${MERGE}/child/pack.yaml:30`,
    });
    expect(child.required.map((r) => r.name)).toEqual([
      "PID.3.1",
      "patient.lastName",
      "patient.dob",
    ]);
  });

  it("an override of an override: the grandchild's patient.ssn replaces the child's, in the child's position", () => {
    expect(grandchild.fields.map((f) => [f.name, f.from?.source])).toEqual([
      ["patient.lastName", "PID.5.1"],
      ["patient.firstName", "PID.5.2"],
      ["patient.sex", "ZPI.4"],
      ["patient.primaryDepartmentId", "PV1.3.1"],
      ["appointment.providerId", "PV1.7"],
      ["claim.departmentId", "FT1.16 | FT1.13"],
      ["charge.diagnoses", "FT1.19[*]"],
      ["patient.ssn", "PID.19 | PID.3.1"],
      ["sex-from-orthochart", "PID.8"],
      ["patient.dob", "PID.7"],
    ]);
  });
});

describe("Named-rule list: new items are appended", () => {
  it("patient.ssn and the named conditional rule sex-from-orthochart come after the base's rules", () => {
    expect(child.fields.slice(-2).map((f) => [f.name, f.field, f.when?.source])).toEqual([
      ["patient.ssn", "patient.ssn", undefined],
      ["sex-from-orthochart", "patient.sex", "$field('MSH.3') = 'ORTHOCHART'"],
    ]);
  });

  it("an empty list in the child adds nothing and keeps every inherited rule", () => {
    const empty = compiled(`${MERGE}/empty-lists/pack.yaml`);
    const base = compiled(BASE);
    expect(empty.fields.map((f) => f.name)).toEqual(base.fields.map((f) => f.name));
    expect(empty.required.map((r) => r.name)).toEqual(base.required.map((r) => r.name));
    expect(empty.fields).toHaveLength(8);
  });
});

describe("Named-rule list: remove: true drops the inherited item", () => {
  it("fields: patient.dob is gone; required: the IN1.5 recommendation is gone", () => {
    expect(child.fields.some((f) => f.field === "patient.dob")).toBe(false);
    expect(child.required.some((r) => r.name === "IN1.5")).toBe(false);
    expect(JSON.stringify(child.effective)).not.toContain('"remove"');
  });

  it("a rule removed by the parent and written again by the grandchild is appended", () => {
    expect(grandchild.fields.at(-1)?.name).toBe("patient.dob");
    expect(grandchild.fields.at(-1)?.at).toBe(`${MERGE}/grandchild/pack.yaml:11`);
  });

  it("an error after removed rules still points at its own rule (not at a removed one)", () => {
    expect(problems(`${MERGE}/removal-shift/pack.yaml`).map((l) => l.split(" ")[0])).toEqual([
      `${MERGE}/removal-shift/pack.yaml:15:18:`,
    ]);
  });
});

describe("Any other list: the child's list replaces the parent's", () => {
  it("enabled.inbound.patientUpdate: [ADT^A08] replaces the base's [ADT^A08, ADT^A31]", () => {
    expect(child.enabled.inbound.patientUpdate).toEqual(["ADT^A08"]);
    expect(compiled(BASE).enabled.inbound.patientUpdate).toEqual(["ADT^A08", "ADT^A31"]);
  });

  it("mappings.provider.accept: [npi] replaces the base's [practiceId, npi]", () => {
    expect(child.mappings.provider?.accept).toEqual(["npi"]);
    expect(compiled(BASE).mappings.provider?.accept).toEqual(["practiceId", "npi"]);
  });
});

describe("pack: not inherited, except mappingsDir", () => {
  it("the merged pack section is the child's own: no abstract, no mappingsDir, no base description", () => {
    expect(effective(child).pack).toEqual({
      id: "child",
      description: "extends the shared base to show each merge rule",
      extends: "../../base.yaml",
    });
    expect(effective(grandchild).pack).toEqual({ id: "grandchild", extends: "../child/pack.yaml" });
    expect([child.abstract, compiled(BASE).abstract]).toEqual([false, true]);
  });

  it("mappingsDir is inherited, relative to the file that set it (base.yaml)", () => {
    const chain = readChain(`${MERGE}/grandchild/pack.yaml`);
    expect(chain.ok && chain.chain.mappingsDir).toBe(resolve("test/fixtures/packs/mappings"));
    expect(grandchild.tables.get("department")?.files).toEqual([
      "test/fixtures/packs/mappings/standard/department.yaml",
    ]);
  });
});

describe("Errors about a merged value point at the file and line that set it", () => {
  it("an error in an inherited rule is reported in the base file", () => {
    expect(problems(`${MERGE}/inherited-error/pack.yaml`).map((l) => l.split(" ")[0])).toEqual([
      `${MERGE}/errors/base.yaml:9:17:`,
    ]);
  });

  it("an error in an override is reported in the child file, and the base's replaced value is not checked", () => {
    expect(
      problems(`${MERGE}/override-error/pack.yaml`).map((l) => l.split(" ").slice(0, 2).join(" ")),
    ).toEqual([`${MERGE}/override-error/pack.yaml:11:17: INVALID_FIELD_REFERENCE`]);
  });

  it("schema errors too: one in the base file, one in the child file", () => {
    expect(
      problems(`${MERGE}/inherited-schema-error/pack.yaml`).map((l) =>
        l.split(" ").slice(0, 4).join(" "),
      ),
    ).toEqual([
      `${MERGE}/errors/schema-base.yaml:10:10: INVALID_ENUM fields[1].map "gender":`,
      `${MERGE}/inherited-schema-error/pack.yaml:12:10: INVALID_ENUM fields[0].map "surname":`,
    ]);
  });
});

describe("§10 mapping tables: practice rows (mappings/<pack.id>/) override standard rows", () => {
  const valid = compiled("test/fixtures/packs/valid/pack.yaml");
  const department = valid.tables.get("department");

  it("reads the standard file, then the practice file", () => {
    expect(department?.files).toEqual([
      "test/fixtures/packs/mappings/standard/department.yaml",
      "test/fixtures/packs/mappings/valid/department.yaml",
    ]);
  });

  it("a practice row replaces the standard row with the same foreign code", () => {
    expect(department && lookupRow(department, "EAST")?.practice).toBe("22");
    expect(department && lookupRow(department, "MAIN")?.practice).toBe("1");
    expect(department && lookupRow(department, "ORTHO-3")?.practice).toBe("3");
  });

  it("caseInsensitive: true in the practice file applies to the standard rows too", () => {
    expect(department?.caseInsensitive).toBe(true);
    expect(department && lookupRow(department, "main")?.at).toBe(
      "test/fixtures/packs/mappings/standard/department.yaml:5",
    );
    expect(department && lookupRow(department, "ortho-3")?.practice).toBe("3");
    expect(department && lookupRow(department, "WEST")).toBeUndefined();
  });
});
