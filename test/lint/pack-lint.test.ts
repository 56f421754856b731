import { describe, expect, it } from "vitest";
import { formatPackError } from "../../engine/documents/errors.js";
import { lintPack } from "../../engine/pack/lint.js";
import { loadPack } from "../../engine/pack/load.js";

/**
 * `rulepack validate --strict` (issue 21, "Pack lint"): what a pack may
 * legally say but probably did not mean, one warning per finding at
 * FILE:LINE:COL with its code. Each fixture pack extends rules/base.yaml and
 * is valid: the lint never makes a pack invalid.
 */

const fixture = (name: string) => `test/fixtures/lint/${name}.yaml`;
const lines = (name: string) => lintPack(fixture(name)).map(formatPackError);

describe("the lint fixtures", () => {
  it.each([
    "lint-clean",
    "lint-override",
    "lint-segment",
    "lint-tables",
    "lint-rows",
    "lint-events",
    "lint-shadowed",
  ])("%s is a valid pack", (name) => {
    const load = loadPack(fixture(name));
    expect(load.ok ? [] : load.errors).toEqual([]);
  });

  it("a pack that only extends the base gives no warning", () => {
    expect(lines("lint-clean")).toEqual([]);
  });

  it("every warning says it is one", () => {
    const all = ["lint-override", "lint-rows", "lint-shadowed"].flatMap((n) =>
      lintPack(fixture(n)),
    );
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((w) => w.severity === "warning")).toBe(true);
  });
});

describe("OVERRIDE_EQUALS_INHERITED", () => {
  it("warns at an option and at a rule equal to what the base gives, not at a changed one", () => {
    expect(lines("lint-override")).toEqual([
      'test/fixtures/lint/lint-override.yaml:15:3: OVERRIDE_EQUALS_INHERITED insurance.mode is "always", the value it inherits: remove it',
      "test/fixtures/lint/lint-override.yaml:18:5: OVERRIDE_EQUALS_INHERITED patient.dob: this rule restates the inherited one unchanged: remove it",
    ]);
  });
});

describe("SEGMENT_NOT_IN_STRUCTURE", () => {
  it("warns at a rule whose when: names ADT and whose from: reads FT1", () => {
    expect(lines("lint-segment")).toEqual([
      "test/fixtures/lint/lint-segment.yaml:18:5: SEGMENT_NOT_IN_STRUCTURE FT1: this rule applies only to ADT_A01, ADT_A05 messages (its when:), whose structure holds no FT1",
    ]);
  });
});

describe("TABLE_NOT_READ", () => {
  it("warns at a practice table no option reads, not at the tables that are read", () => {
    expect(lines("lint-tables")).toEqual([
      "test/fixtures/lint/mappings/lint-tables/unused.yaml:1:1: TABLE_NOT_READ table 'unused' is read by no option of pack lint-tables (no field rule maps through it, no outbound mapping names it)",
    ]);
  });
});

describe("DUPLICATE_FOREIGN_KEY", () => {
  it("warns at keys that differ only in case or spaces, and at a practice row repeating the standard one", () => {
    expect(lines("lint-rows")).toEqual([
      "test/fixtures/lint/mappings/lint-rows/provider.yaml:5:5: DUPLICATE_FOREIGN_KEY 'DR1 ' and 'dr1' (test/fixtures/lint/mappings/lint-rows/provider.yaml:3) differ only in case or spaces: one of the two rows is probably never used as meant",
      "test/fixtures/lint/mappings/lint-rows/sex.yaml:3:5: DUPLICATE_FOREIGN_KEY 'F' repeats the standard row at test/fixtures/lint/mappings/standard/sex.yaml:3 with the same practice code: remove it",
    ]);
  });
});

describe("OPTION_WITHOUT_EVENT", () => {
  it("warns at the practice's appointments.* and charges.* when their inbound events are off", () => {
    expect(lines("lint-events")).toEqual([
      "test/fixtures/lint/lint-events.yaml:23:3: OPTION_WITHOUT_EVENT appointments.reschedule has no effect: no inbound appointment event is enabled",
      "test/fixtures/lint/lint-events.yaml:25:3: OPTION_WITHOUT_EVENT charges.unmatched has no effect: inbound charge (DFT^P03) is not enabled",
    ]);
  });
});

describe("RULE_SHADOWED", () => {
  it("warns at a field rule that repeats an earlier rule's when:, and at an outbound rule a later one always overwrites", () => {
    expect(lines("lint-shadowed")).toEqual([
      "test/fixtures/lint/lint-shadowed.yaml:20:5: RULE_SHADOWED patient.sex: the rule at test/fixtures/lint/lint-shadowed.yaml:15 has the same when: and is tried first, so this rule never decides the field",
      "test/fixtures/lint/lint-shadowed.yaml:27:7: RULE_SHADOWED PV1.3.4: the rule at test/fixtures/lint/lint-shadowed.yaml:31 writes it later, with no when:, for every message of this one, so this rule's value is never sent",
    ]);
  });
});

describe("the example packs", () => {
  it("give only overrides that restate the base, each a scoping decision written out", () => {
    const codes = ["harbor-ortho", "lakeside-family"].flatMap((p) =>
      lintPack(`rules/practices/${p}/pack.yaml`).map((w) => w.code),
    );
    expect(new Set(codes)).toEqual(new Set(["OVERRIDE_EQUALS_INHERITED"]));
  });
});
