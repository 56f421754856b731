import { dirname, isAbsolute, relative, resolve } from "node:path";
import { readYaml } from "../documents/source.js";

/**
 * The root of a pack's `extends` chain (the base every value is compared
 * with), shown relative to the working directory as origins are. The chain
 * itself was checked by the loader; a link it cannot follow ends the walk.
 */
export function chainRoot(file: string): string {
  let current = resolve(file);
  for (let depth = 0; depth < 16; depth++) {
    const read = readYaml(current);
    if (!read.ok) break;
    const data = read.source.data as { pack?: { extends?: unknown } } | null;
    const parent = data?.pack?.extends;
    if (typeof parent !== "string" || isAbsolute(parent)) break;
    current = resolve(dirname(current), parent);
  }
  return relative(process.cwd(), current) || current;
}
