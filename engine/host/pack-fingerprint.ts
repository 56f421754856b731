import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { readChain } from "../pack/chain.js";

/**
 * What a practice's load reads, hashed: the pack's `extends` chain, the
 * master-data.yaml beside it and the mapping tables (standard and the
 * practice's own folder). A reload loads again only the practices whose
 * fingerprint moved; a pack whose chain cannot be read has none (it is
 * loaded, and reported).
 */
export function practiceFingerprint(packFile: string, packId: string): string | undefined {
  const read = readChain(packFile);
  if (!read.ok) return undefined;
  const hash = createHash("sha256");
  const add = (name: string, text: string) => hash.update(`${name}\u0000${text}\u0000`);
  for (const source of read.chain.sources) add(source.file, source.text);
  const master = join(dirname(packFile), "master-data.yaml");
  if (existsSync(master)) add(master, readFileSync(master, "utf8"));
  const mappings = read.chain.mappingsDir;
  for (const folder of mappings ? [join(mappings, "standard"), join(mappings, packId)] : []) {
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder).sort()) {
      if (name.endsWith(".yaml")) add(join(folder, name), readFileSync(join(folder, name), "utf8"));
    }
  }
  return hash.digest("hex");
}
