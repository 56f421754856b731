import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/**
 * Harbor's mapping tables read by hand for the hand-written baselines: the
 * standard rows overlaid by Harbor's, no schema, no positions — the least a
 * pipeline without the rule interpreter would do.
 */
export type Table = {
  readonly caseInsensitive: boolean;
  readonly rows: ReadonlyMap<string, string>;
};

export function loadHarborTable(mappingsDir: string, name: string): Table {
  const rows = new Map<string, string>();
  let caseInsensitive = false;
  for (const folder of ["standard", "harbor-ortho"]) {
    let text: string;
    try {
      text = readFileSync(join(mappingsDir, folder, `${name}.yaml`), "utf8");
    } catch {
      continue;
    }
    const raw = parse(text) as {
      caseInsensitive?: boolean;
      rows: { foreign: string; practice: string }[];
    };
    caseInsensitive ||= raw.caseInsensitive === true;
    for (const row of raw.rows) {
      rows.set(caseInsensitive ? row.foreign.toUpperCase() : row.foreign, row.practice);
    }
  }
  return { caseInsensitive, rows };
}
