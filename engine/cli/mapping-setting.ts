import { loadPack } from "../pack/load.js";

/**
 * Why a pack reads no table for an element it could map (`mapping add
 * department ...` on a pack that takes department codes as they are
 * received): the setting that turns the mapping on, where it is set now,
 * and what it needs. Undefined when the pack reads TABLE, or TABLE is no
 * element's table.
 */
export function mappingTurnedOff(packFile: string, table: string): string | undefined {
  const load = loadPack(packFile);
  if (!load.ok || load.pack.tables.has(table)) return undefined;
  const pack = load.pack;
  const found = Object.values(pack.mappings).find((m) => m?.table === table);
  if (!found || found.mappingRequired) return undefined;
  const key = `mappings.${found.element}.mappingRequired`;
  const where = load.locate(["mappings", found.element, "mappingRequired"]);
  const setAt = where ? ` (${where.file}:${where.line})` : "";
  return `pack ${pack.id} does not map ${found.element} codes: ${key} is false${setAt}, so received codes are used as they are. To map them, set ${key}: true in ${packFile} (docs/pack-language.md §10) with a table mappings/${pack.id}/${table}.yaml (rows: []), then add rows with this command`;
}
