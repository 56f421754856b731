import type { TraceEntry } from "../model/outcome.js";
import {
  type CoverageItem,
  type CoverageKind,
  type CoverageScope,
  type ItemSpec,
  itemsOfFile,
  mappingRows,
  packFiles,
} from "./coverage-items.js";
import type { PackVariant } from "./packs.js";
import type { CaseResult } from "./run.js";

export type { CoverageItem, CoverageKind, CoverageScope } from "./coverage-items.js";

/**
 * Coverage of the PACK, not of the engine: which of the options, rules and
 * mapping rows the practice's pack sets (coverage-items.ts) its cases
 * exercised. A hit is read from the outcomes' structured trace: an entry's
 * `options` name the options that decided it (an option is hit when one
 * names it or a map holding it), and its `at` the rule or mapping row that
 * fired. Never from the `detail` text, which is for people.
 *
 * A case whose `overrides:` replaces an option runs with the test file's
 * value, so it does not cover the pack's.
 */

const KIND_NAMES: Readonly<Record<CoverageKind, string>> = {
  option: "options",
  rule: "rules",
  mapping: "mapping rows",
};

/** What one outcome's trace exercised: option paths, and the `FILE:LINE`s of what fired. */
interface Hits {
  readonly paths: Set<string>;
  readonly places: Set<string>;
}

function hitsOf(trace: readonly TraceEntry[], hits: Hits): void {
  for (const t of trace) {
    if (t.at !== undefined && t.fired !== false) hits.places.add(t.at);
    for (const o of t.options ?? []) {
      if (o.at !== undefined) hits.places.add(o.at);
      else hits.paths.add(o.path);
    }
  }
}

/** An option is hit by its own path or by a map that holds it. */
function optionHit(path: string, paths: ReadonlySet<string>): boolean {
  for (let i = path.length; i > 0; i = path.lastIndexOf(".", i - 1)) {
    if (paths.has(path.slice(0, i))) return true;
  }
  return false;
}

interface PackItems {
  readonly items: ItemSpec[];
  readonly covered: Set<ItemSpec>;
}

/** Collects items and hits over every case run. */
export class Coverage {
  private readonly packs = new Map<string, PackItems>();

  constructor(private readonly scope: CoverageScope = "practice") {}

  add(result: CaseResult): void {
    const variant = result.variant;
    if (!variant) return;
    let pack = this.packs.get(variant.file);
    if (!pack) {
      pack = { items: this.itemsOf(variant), covered: new Set() };
      this.packs.set(variant.file, pack);
    }
    const hits: Hits = { paths: new Set(), places: new Set() };
    for (const o of result.observed) hitsOf(o.outcome.trace, hits);
    for (const item of pack.items) {
      if (pack.covered.has(item)) continue;
      const hit =
        item.kind === "option"
          ? optionHit(item.path, hits.paths) && inForce(variant, item)
          : hits.places.has(`${item.file}:${item.line}`);
      if (hit) pack.covered.add(item);
    }
  }

  /** The items of the pack a variant was loaded from, in force in it. */
  private itemsOf(variant: PackVariant): ItemSpec[] {
    const sources = packFiles(variant.file);
    const own = sources.slice(this.scope === "all" ? 0 : -1);
    const items = own.flatMap((s) => itemsOfFile(s, variant.file));
    const rows = mappingRows(variant.pack, variant.file, this.scope !== "all");
    if (this.scope === "practice") return [...items, ...rows];
    // Inherited items count only where the practice has not replaced them.
    const rules = ruleEntries(variant);
    return [
      ...items.filter((i) =>
        i.kind === "option" ? inForce(variant, i) : rules.has(`${i.file}:${i.line}`),
      ),
      ...rows,
    ];
  }

  /** Every item with whether a case exercised it. */
  entries(): { readonly item: CoverageItem; readonly covered: boolean }[] {
    return [...this.packs.values()].flatMap((p) =>
      p.items.map((i) => ({ item: publicItem(i), covered: p.covered.has(i) })),
    );
  }

  report(): CoverageReport {
    const packs = [...this.packs.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([file, p]) => packReport(file, p));
    const total = packs.reduce((n, p) => n + p.total, 0);
    const covered = packs.reduce((n, p) => n + p.covered, 0);
    return { packs, total, covered, percent: percent(covered, total) };
  }
}

/** The pack's own value is the one the variant runs with (a case's `overrides:` may replace it). */
function inForce(variant: PackVariant, item: ItemSpec): boolean {
  if (!item.key) return true;
  return variant.locate(item.key)?.file === item.file;
}

/** `FILE:LINE` of every entry of every list of maps in the merged pack. */
function ruleEntries(variant: PackVariant): Set<string> {
  const out = new Set<string>();
  const walk = (value: unknown, path: (string | number)[]) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        if (v !== null && typeof v === "object" && !Array.isArray(v)) {
          const at = variant.locate([...path, i]);
          if (at) out.add(`${at.file}:${at.line}`);
        }
      });
    } else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    }
  };
  walk(variant.pack.effective, []);
  return out;
}

const publicItem = ({ key: _key, ...item }: ItemSpec): CoverageItem => item;

export interface CoveredItem extends CoverageItem {
  readonly covered: boolean;
}

export interface PackCoverage {
  readonly pack: string;
  readonly total: number;
  readonly covered: number;
  readonly percent: number;
  /** Covered and total per kind of item. */
  readonly byKind: Readonly<Partial<Record<CoverageKind, { covered: number; total: number }>>>;
  /** Every item in file and line order, covered or not. */
  readonly items: readonly CoveredItem[];
  readonly uncovered: readonly CoverageItem[];
}

export interface CoverageReport {
  readonly packs: readonly PackCoverage[];
  readonly total: number;
  readonly covered: number;
  readonly percent: number;
}

function packReport(pack: string, p: PackItems): PackCoverage {
  const items = p.items.map((i) => ({ ...publicItem(i), covered: p.covered.has(i) })).sort(byPlace);
  const byKind: Partial<Record<CoverageKind, { covered: number; total: number }>> = {};
  for (const i of items) {
    const k = byKind[i.kind] ?? { covered: 0, total: 0 };
    k.total++;
    if (i.covered) k.covered++;
    byKind[i.kind] = k;
  }
  const covered = items.filter((i) => i.covered).length;
  return {
    pack,
    total: items.length,
    covered,
    percent: percent(covered, items.length),
    byKind,
    items,
    uncovered: items.filter((i) => !i.covered).map(({ covered: _c, ...i }) => i),
  };
}

const percent = (covered: number, total: number): number =>
  total === 0 ? 100 : Math.floor((covered / total) * 1000) / 10;

function byPlace(a: CoverageItem, b: CoverageItem): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.label.localeCompare(b.label);
}

/**
 * The report for people: per pack, every option and rule it sets, covered
 * or not, under the file and line that sets it; mapping rows counted per
 * file with the rows no case used.
 */
export function formatCoverage(report: CoverageReport): string {
  const lines: string[] = [];
  for (const p of report.packs) {
    lines.push(`coverage of ${p.pack}: ${p.covered}/${p.total} items (${p.percent}%)`);
    const kinds = Object.entries(p.byKind).map(
      ([k, t]) => `${KIND_NAMES[k as CoverageKind]} ${t.covered}/${t.total}`,
    );
    lines.push(`  ${kinds.join(", ")}`);
    const byFile = new Map<string, CoveredItem[]>();
    for (const i of p.items) byFile.set(i.file, [...(byFile.get(i.file) ?? []), i]);
    for (const [file, items] of byFile) {
      const rows = items.every((i) => i.kind === "mapping");
      const shown = rows ? items.filter((i) => !i.covered) : items;
      const count = items.filter((i) => i.covered).length;
      lines.push(`  ${file}${rows ? `: ${count}/${items.length} rows used` : ""}`);
      const width = Math.max(0, ...shown.map((i) => String(i.line).length));
      for (const i of shown)
        lines.push(
          `    ${String(i.line).padStart(width)}  ${i.covered ? "covered    " : "not covered"}  ${i.label}`,
        );
    }
  }
  lines.push(`coverage: ${report.covered}/${report.total} items (${report.percent}%)`);
  return `${lines.join("\n")}\n`;
}
