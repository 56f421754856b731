import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScopeSheet } from "../../engine/scope/build.js";
import { rulepack } from "../support/cli.js";

/**
 * The PDF is the HTML printed by Debian's chromium (playwright-core drives
 * it); pdfinfo and pdftoppm (poppler-utils) read it back. Both packages are
 * on .ci/run's apt-get line: this test does not skip without them, it fails.
 */

const HARBOR = "rules/practices/harbor-ortho/pack.yaml";
const dir = mkdtempSync(join(tmpdir(), "rulepack-scope-"));
const pdf = join(dir, "harbor.pdf");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Sections of the sheet: its tables and the Scope Approval block. */
function sectionCount(): number {
  const built = buildScopeSheet(HARBOR);
  if (!built.ok) throw new Error("Harbor's pack does not load");
  return built.sheet.tables.length + 1;
}

describe("rulepack scope PACK --format pdf --out FILE", () => {
  let run: Awaited<ReturnType<typeof rulepack>>;
  beforeAll(async () => {
    run = await rulepack(["scope", HARBOR, "--format", "pdf", "--out", pdf]);
  });

  it("writes the PDF and says so (exit 0)", () => {
    expect(run).toEqual({ status: 0, stdout: "", stderr: `wrote ${pdf}\n` });
    expect(readFileSync(pdf).subarray(0, 5).toString("latin1")).toBe("%PDF-");
  });

  it("opens, with one page per section or fewer", () => {
    const info = execFileSync("pdfinfo", [pdf], { encoding: "utf8" });
    const pages = Number(/^Pages:\s+(\d+)$/m.exec(info)?.[1]);
    expect(pages).toBeGreaterThan(0);
    expect(pages).toBeLessThanOrEqual(sectionCount());
  });

  it("renders its first and last page as images, its text ending with the Scope Approval", () => {
    const pages = Number(
      /^Pages:\s+(\d+)$/m.exec(execFileSync("pdfinfo", [pdf], { encoding: "utf8" }))?.[1],
    );
    for (const page of [1, pages]) {
      const out = join(dir, `page-${page}`);
      execFileSync("pdftoppm", [
        "-r",
        "30",
        "-png",
        "-singlefile",
        "-f",
        `${page}`,
        "-l",
        `${page}`,
        pdf,
        out,
      ]);
      expect(readFileSync(`${out}.png`).length).toBeGreaterThan(1000);
    }
    const text = execFileSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" });
    expect(text).toContain("Interface scope: Harbor Orthopedics");
    expect(text).toContain("rules/practices/harbor-ortho/pack.yaml:");
    expect(text.lastIndexOf("Scope Approval")).toBeGreaterThan(text.lastIndexOf("Table 19"));
    expect(text).toMatch(/I, _*\s*, agree to the interface design/);
  });
});

describe("rulepack scope arguments", () => {
  it("a PDF needs --out (exit 2)", async () => {
    const r = await rulepack(["scope", HARBOR, "--format", "pdf"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--format pdf needs --out FILE");
  });

  it("an unknown format is refused (exit 2)", async () => {
    const r = await rulepack(["scope", HARBOR, "--format", "docx"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown --format 'docx'");
  });

  it("HTML goes to stdout by default", async () => {
    const r = await rulepack(["scope", HARBOR]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^<!doctype html>/);
    expect(r.stdout).toContain("<h2>Scope Approval</h2>");
  });

  it("a pack that does not load is exit 2 (input it cannot use) with its problems located", async () => {
    const r = await rulepack(["scope", "test/fixtures/scope/no-such-pack.yaml", "--format", "md"]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^test\/fixtures\/scope\/no-such-pack\.yaml:1:1: FILE_NOT_FOUND /);
  });
});
