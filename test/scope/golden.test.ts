import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildScopeSheet } from "../../engine/scope/build.js";
import { diffSheets, formatMoves } from "../../engine/scope/diff.js";
import { renderMarkdown } from "../../engine/scope/render-markdown.js";
import type { ScopeSheet } from "../../engine/scope/sheet.js";
import { rulepack } from "../support/cli.js";

/**
 * Golden files under test/fixtures/scope/: each example pack's sheet as
 * Markdown (`<pack id>.md`) and, for each one-option change of Harbor in
 * `changes/<name>.yaml`, the cells `rulepack scope --diff` reports
 * (`changes/<name>.txt`).
 *
 * Updating them: a change to rules/base.yaml, an example pack or its mapping
 * files moves lines and values on the sheets, so the goldens move with it.
 * Run
 *
 *     UPDATE_SCOPE_GOLDEN=1 npx vitest run test/scope/golden.test.ts
 *
 * which rewrites every golden file from the current packs, then read
 * `git diff test/fixtures/scope/`: each changed line should be a cell the
 * pack change meant to move. Commit the goldens with the pack change.
 */

const UPDATE = process.env.UPDATE_SCOPE_GOLDEN === "1";
const GOLDEN = "test/fixtures/scope";
const HARBOR = "rules/practices/harbor-ortho/pack.yaml";

function golden(file: string, actual: string): void {
  if (UPDATE) writeFileSync(file, actual);
  if (!existsSync(file))
    throw new Error(
      `no golden ${file}: run UPDATE_SCOPE_GOLDEN=1 npx vitest run test/scope/golden.test.ts`,
    );
  expect(actual).toBe(readFileSync(file, "utf8"));
}

function sheetOf(pack: string): ScopeSheet {
  const built = buildScopeSheet(pack);
  if (!built.ok) throw new Error(built.errors.map((e) => e.message).join("\n"));
  return built.sheet;
}

describe("each example pack's sheet", () => {
  it.each([
    ["harbor-ortho", HARBOR],
    ["lakeside-family", "rules/practices/lakeside-family/pack.yaml"],
  ])("%s matches its golden Markdown", (id, pack) => {
    golden(`${GOLDEN}/${id}.md`, renderMarkdown(sheetOf(pack)));
  });
});

/** One option changed on top of Harbor, and the cells it must move: these and no other. */
const CHANGES: readonly (readonly [string, readonly string[]])[] = [
  ["insurance-mode", ["insurance/mode/value"]],
  ["required-severity", ["required/policy.policyNumber/severity"]],
  ["outbound-filter", ["filters/appointments/names"]],
  ["matching-order", ["matching/charge/value"]],
  ["provider-accept", ["mappings/provider/accept"]],
  ["retention", ["queue/processed/value"]],
  ["alert-count", ["alerts/errorCount/value"]],
  [
    "check-in-outbound",
    [
      "enablement/outbound.appointmentCheckIn/enable",
      "enablement/outbound.appointmentCheckIn/messages",
    ],
  ],
];

describe("a changed option changes exactly its cell", () => {
  const harbor = sheetOf(HARBOR);

  it.each(CHANGES)("%s", (name, keys) => {
    const changed = sheetOf(`${GOLDEN}/changes/${name}.yaml`);
    const moves = diffSheets(harbor, changed);
    expect(moves.map((m) => m.key)).toEqual(keys);
    // The moved cell names the change's own line; it is marked against the base as well.
    for (const m of moves)
      expect(m.new?.at).toMatch(new RegExp(`^${GOLDEN}/changes/${name}\\.yaml:\\d+$`));
    golden(`${GOLDEN}/changes/${name}.txt`, formatMoves(moves));
  });

  it("an identical pack moves no cell", () => {
    expect(diffSheets(harbor, sheetOf(HARBOR))).toEqual([]);
  });
});

describe("rulepack scope --diff OLD NEW", () => {
  it("prints the moved cells and their count, exit 0", async () => {
    const run = await rulepack(["scope", "--diff", HARBOR, `${GOLDEN}/changes/retention.yaml`]);
    expect(run).toEqual({
      status: 0,
      stdout: `Interface Message Queue Manager: queue and retention › PROCESSED kept, days › Value: 90 → 30 (${GOLDEN}/changes/retention.yaml:8)\n1 cell changed\n`,
      stderr: "",
    });
  });

  it("needs two packs (exit 2)", async () => {
    const run = await rulepack(["scope", "--diff", HARBOR]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--diff takes OLD and NEW packs");
  });
});
