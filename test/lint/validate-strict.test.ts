import { describe, expect, it } from "vitest";
import { rulepack } from "../support/cli.js";

describe("rulepack validate --strict", () => {
  it("prints each warning as FILE:LINE:COL: CODE message and exits 0 when there are only warnings", async () => {
    const r = await rulepack(["validate", "--strict", "test/fixtures/lint/lint-events.yaml"]);
    expect(r.stderr).toContain(
      "test/fixtures/lint/lint-events.yaml:23:3: OPTION_WITHOUT_EVENT appointments.reschedule has no effect",
    );
    expect(r.stdout).toBe("test/fixtures/lint/lint-events.yaml: valid\n");
    expect(r.status).toBe(0);
  });

  it("without --strict, the lint does not run", async () => {
    const r = await rulepack(["validate", "test/fixtures/lint/lint-events.yaml"]);
    expect(r.stderr).not.toContain("OPTION_WITHOUT_EVENT");
    expect(r.status).toBe(0);
  });

  it("--format json carries the warnings with their severity", async () => {
    const r = await rulepack([
      "validate",
      "--strict",
      "--format",
      "json",
      "test/fixtures/lint/lint-override.yaml",
    ]);
    const report = JSON.parse(r.stdout);
    expect(report.valid).toBe(true);
    expect(
      report.packs[0].warnings.map((w: { code: string; severity: string }) => [w.code, w.severity]),
    ).toEqual([
      ["OVERRIDE_EQUALS_INHERITED", "warning"],
      ["OVERRIDE_EQUALS_INHERITED", "warning"],
    ]);
  });
});
