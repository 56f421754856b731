/**
 * Pack load + compile (loadPack: read the extends chain, merge, validate
 * against the schema, compile every reference and expression, read the
 * mapping tables) against a baseline of reading and `yaml.parse`-ing the
 * same files. The ratio is what the loader adds on top of YAML parsing.
 */
import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { formatPackError } from "../../engine/documents/errors.js";
import { readChain } from "../../engine/pack/chain.js";
import { loadPack } from "../../engine/pack/load.js";
import { consume, type Suite } from "../harness.js";

/** A realistic pack: a practice on the pre-scoped base, else the loader's fixture. */
const CANDIDATES = [
  "rules/practices/harbor-ortho/pack.yaml",
  "test/fixtures/packs/valid/pack.yaml",
];

/** Every file loadPack reads for `pack`: the extends chain and the mapping tables. */
function filesOf(pack: string): string[] {
  const load = loadPack(pack);
  if (!load.ok)
    throw new Error(`${pack} does not load:\n${load.errors.map(formatPackError).join("\n")}`);
  const chain = readChain(pack);
  const sources = chain.ok ? chain.chain.sources.map((s) => s.file) : [pack];
  const tables = [...load.pack.tables.values()].flatMap((t) => t.files);
  return [...sources, ...tables];
}

export function packLoadSuites(): Suite[] {
  const pack = CANDIDATES.find((f) => existsSync(f));
  if (pack === undefined) return [];
  const files = filesOf(pack);
  return [
    {
      name: `pack load + compile (${pack}, ${files.length} files)`,
      unit: "pack",
      unitsPerPass: 1,
      baseline: {
        name: "readFileSync + yaml.parse of the same files",
        run() {
          for (const f of files) consume(parse(readFileSync(f, "utf8")) ? 1 : 0);
          return 1;
        },
      },
      subject: {
        name: "loadPack",
        run() {
          const load = loadPack(pack);
          consume(load.ok ? load.pack.fields.length : -1);
          return 1;
        },
      },
    },
  ];
}
