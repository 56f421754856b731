import type { CoverageReport } from "./coverage.js";

/**
 * Coverage as CI services read it, by pack file line: lcov (`SF`/`DA`, and
 * `BRDA` where one line sets several items, e.g. a flow map) and Cobertura
 * XML (a `class` per file; such a line is a branch line with its
 * condition coverage). A line is hit as often as items on it were covered,
 * so a line with an item no case exercised shows as partly covered.
 */

export const COVERAGE_FORMATS = ["text", "lcov", "cobertura"] as const;
export type CoverageFormat = (typeof COVERAGE_FORMATS)[number];

interface Line {
  readonly number: number;
  /** One entry per item on the line: covered or not. */
  readonly items: boolean[];
}

/** Files in name order, each with its lines in order (items of every pack merged). */
function filesOf(report: CoverageReport): [string, Line[]][] {
  const files = new Map<string, Map<number, boolean[]>>();
  for (const p of report.packs) {
    for (const item of p.items) {
      const lines = files.get(item.file) ?? new Map<number, boolean[]>();
      lines.set(item.line, [...(lines.get(item.line) ?? []), item.covered]);
      files.set(item.file, lines);
    }
  }
  return [...files.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, lines]) => [
      file,
      [...lines.entries()].sort(([a], [b]) => a - b).map(([number, items]) => ({ number, items })),
    ]);
}

const hits = (l: Line): number => l.items.filter(Boolean).length;

export function lcovReport(report: CoverageReport): string {
  const out: string[] = [];
  for (const [file, lines] of filesOf(report)) {
    out.push("TN:", `SF:${file}`);
    let branches = 0;
    let taken = 0;
    for (const l of lines) {
      if (l.items.length < 2) continue;
      l.items.forEach((covered, i) => {
        out.push(`BRDA:${l.number},0,${i},${covered ? 1 : 0}`);
        branches++;
        if (covered) taken++;
      });
    }
    if (branches > 0) out.push(`BRF:${branches}`, `BRH:${taken}`);
    for (const l of lines) out.push(`DA:${l.number},${hits(l)}`);
    out.push(`LF:${lines.length}`, `LH:${lines.filter((l) => hits(l) > 0).length}`);
    out.push("end_of_record");
  }
  return `${out.join("\n")}\n`;
}

const xml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const rate = (part: number, whole: number): string => (whole === 0 ? "1" : String(part / whole));

interface Tally {
  lines: number;
  linesHit: number;
  branches: number;
  branchesHit: number;
}

function tally(lines: readonly Line[]): Tally {
  const t = { lines: lines.length, linesHit: 0, branches: 0, branchesHit: 0 };
  for (const l of lines) {
    if (hits(l) > 0) t.linesHit++;
    if (l.items.length > 1) {
      t.branches += l.items.length;
      t.branchesHit += hits(l);
    }
  }
  return t;
}

/**
 * Cobertura (coverage-04.dtd): one package per folder, one class per pack
 * or mapping file. `timestamp` is 0: the report is a function of the run,
 * byte for byte.
 */
export function coberturaReport(report: CoverageReport): string {
  const files = filesOf(report);
  const packages = new Map<string, [string, Line[]][]>();
  for (const [file, lines] of files) {
    const folder = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : ".";
    packages.set(folder, [...(packages.get(folder) ?? []), [file, lines]]);
  }
  const all = tally(files.flatMap(([, lines]) => lines));
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">',
    `<coverage line-rate="${rate(all.linesHit, all.lines)}" branch-rate="${rate(all.branchesHit, all.branches)}" lines-covered="${all.linesHit}" lines-valid="${all.lines}" branches-covered="${all.branchesHit}" branches-valid="${all.branches}" complexity="0" version="rulepack" timestamp="0">`,
    "  <sources>",
    "    <source>.</source>",
    "  </sources>",
    "  <packages>",
  ];
  for (const [folder, classes] of packages) {
    const t = tally(classes.flatMap(([, lines]) => lines));
    out.push(
      `    <package name="${xml(folder)}" line-rate="${rate(t.linesHit, t.lines)}" branch-rate="${rate(t.branchesHit, t.branches)}" complexity="0">`,
      "      <classes>",
    );
    for (const [file, lines] of classes) {
      const c = tally(lines);
      out.push(
        `        <class name="${xml(file.slice(file.lastIndexOf("/") + 1))}" filename="${xml(file)}" line-rate="${rate(c.linesHit, c.lines)}" branch-rate="${rate(c.branchesHit, c.branches)}" complexity="0">`,
        "          <methods/>",
        "          <lines>",
      );
      for (const l of lines) {
        const branch =
          l.items.length > 1
            ? ` branch="true" condition-coverage="${Math.floor((hits(l) / l.items.length) * 100)}% (${hits(l)}/${l.items.length})"`
            : ' branch="false"';
        out.push(`            <line number="${l.number}" hits="${hits(l)}"${branch}/>`);
      }
      out.push("          </lines>", "        </class>");
    }
    out.push("      </classes>", "    </package>");
  }
  out.push("  </packages>", "</coverage>");
  return `${out.join("\n")}\n`;
}
