import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildScopeSheet } from "../../engine/scope/build.js";
import { renderHtml } from "../../engine/scope/render-html.js";
import { renderMarkdown } from "../../engine/scope/render-markdown.js";
import type { ScopeSheet, ValueCell } from "../../engine/scope/sheet.js";
import { valueCells } from "../../engine/scope/sheet.js";

/** The spec's tables, in the order the scoping document asks them. */
const TABLES = [
  "practice",
  "enablement",
  "matching",
  "externalIds",
  "filters",
  "statuses",
  "providerIds",
  "required",
  "insurance",
  "privacy",
  "appointments",
  "charges",
  "mappings",
  "mappingRows",
  "queue",
  "alerts",
];

const HARBOR = "rules/practices/harbor-ortho/pack.yaml";
const LAKESIDE = "rules/practices/lakeside-family/pack.yaml";

function sheetOf(pack: string): ScopeSheet {
  const built = buildScopeSheet(pack);
  if (!built.ok) throw new Error(built.errors.map((e) => e.message).join("\n"));
  return built.sheet;
}

function cell(sheet: ScopeSheet, key: string): ValueCell {
  const found = valueCells(sheet).find((c) => c.key === key);
  if (!found) throw new Error(`no cell ${key}`);
  return found;
}

/** The text of the line a `FILE:LINE` names. */
function lineAt(at: string | undefined): string {
  const [file, line] = (at ?? "").split(/:(?=\d+$)/);
  return readFileSync(file as string, "utf8").split("\n")[Number(line) - 1] ?? "";
}

describe.each([HARBOR, LAKESIDE])("the example pack %s", (pack) => {
  const sheet = sheetOf(pack);

  it("renders every table of the spec, in its order, each with rows", () => {
    expect(sheet.tables.map((t) => t.id)).toEqual(TABLES);
    for (const t of sheet.tables) expect(t.rows.length, t.id).toBeGreaterThan(0);
  });

  it("prints every table's title in HTML and Markdown, the Scope Approval block last", () => {
    const html = renderHtml(sheet);
    const md = renderMarkdown(sheet);
    for (const t of sheet.tables) {
      expect(html).toContain(`<h2>${t.title.replace(/&/g, "&amp;")}</h2>`);
      expect(md).toContain(`## ${t.title}\n`);
    }
    expect(html.lastIndexOf("<h2>")).toBe(html.indexOf("<h2>Scope Approval</h2>"));
    expect(md).toContain("I, ______________________, agree to the interface design");
  });

  it("gives every value the line of a pack or mapping file that set it, else says default", () => {
    for (const c of valueCells(sheet)) {
      if (c.layer === "default") expect(c.at, c.key).toBeUndefined();
      else expect(c.at, c.key).toMatch(/^(rules|mappings)\/.+\.yaml:\d+$/);
    }
  });
});

describe("each value beside the FILE:LINE that set it", () => {
  const harbor = sheetOf(HARBOR);

  it("an option the practice sets points at the practice's line", () => {
    const mode = cell(harbor, "insurance/mode/value");
    expect(mode).toMatchObject({
      text: "Process insurance policy updates only when data exists in the message (whenPresent)",
      layer: "practice",
    });
    expect(lineAt(mode.at)).toMatch(/^\s*mode: whenPresent/);
  });

  it("an option the practice inherits points at the base's line", () => {
    const privacy = cell(harbor, "privacy/autoCheck/value");
    expect(privacy).toMatchObject({ text: "Yes", layer: "base" });
    expect(privacy.at).toMatch(/^rules\/base\.yaml:/);
    expect(lineAt(privacy.at)).toMatch(/^\s*autoCheck: true/);
  });

  it("a key no pack writes is the engine's default", () => {
    expect(cell(harbor, "queue/versions/value")).toEqual({
      kind: "value",
      key: "queue/versions/value",
      text: "any",
      layer: "default",
      changed: false,
    });
  });

  it("a required field shows the HL7 field its field rule reads, from where the practice overrode it", () => {
    const type = cell(harbor, "required/appointment.type/hl7");
    expect(type.text).toBe("SCH.7");
    expect(lineAt(type.at)).toMatch(/from: SCH\.7/);
  });

  it("a practice's mapping row points at its row", () => {
    const row = cell(harbor, "mappingRows/department:055/practice");
    expect(row).toMatchObject({ text: "1", layer: "practice" });
    expect(lineAt(row.at)).toMatch(/foreign: "055"/);
  });
});

describe("values that differ from the base are marked", () => {
  const harbor = sheetOf(HARBOR);
  const lakeside = sheetOf(LAKESIDE);

  it("Harbor's Table 12 choice differs; the inherited privacy option does not", () => {
    expect(cell(harbor, "insurance/mode/value").changed).toBe(true);
    expect(cell(harbor, "privacy/autoCheck/value").changed).toBe(false);
  });

  it("Lakeside inherits Table 12 (always): not marked", () => {
    expect(cell(lakeside, "insurance/mode/value")).toMatchObject({
      text: "Always process insurance policy updates (always)",
      layer: "base",
      changed: false,
    });
  });

  it("a practice that writes the engine's default for a key the base leaves out is not marked", () => {
    expect(cell(lakeside, "charges/supervising/value")).toMatchObject({
      text: "Supervising Provider from Rendering Provider (provider table) (providerTable)",
      layer: "practice",
      changed: false,
    });
  });

  it("the base's own sheet marks nothing", () => {
    expect(valueCells(sheetOf("rules/base.yaml")).filter((c) => c.changed)).toEqual([]);
  });

  it("the mark shows in HTML and Markdown", () => {
    expect(renderHtml(harbor)).toMatch(
      /<td class="value changed" title="differs from the base"><span class="v">Process insurance policy updates only when data exists/,
    );
    expect(renderMarkdown(harbor)).toContain(
      "**Process insurance policy updates only when data exists in the message (whenPresent)** ≠ base",
    );
  });
});
