import { MAPPING_ELEMENTS, type MappingElement } from "../../model/canonical-fields.js";
import type { CompiledMapping } from "../compiled.js";
import type { CompileContext } from "../context.js";

/**
 * `mappings` (Table 19 - Custom mapping): which elements need the
 * practice's mapping table, read at load when mapping is required. Compiled
 * after the rules, so it also reads every table a `$mapCode` names.
 */
export function compileMappings(
  ctx: CompileContext,
): Partial<Record<MappingElement, CompiledMapping>> {
  const mappings: Partial<Record<MappingElement, CompiledMapping>> = {};
  for (const element of MAPPING_ELEMENTS) {
    const config = ctx.raw.mappings?.[element];
    if (!config) continue;
    const path = ["mappings", element];
    const table = config.table ?? element;
    const mappingRequired = config.mappingRequired ?? false;
    const where = [...path, config.table === undefined ? "mappingRequired" : "table"];
    // An abstract pack (base.yaml) has no practice folder: its practices bring the tables.
    const rows =
      mappingRequired && !ctx.abstract
        ? ctx.readTable(table, where, "is required (mappingRequired: true)")
        : undefined;
    if (rows?.direction === "outbound") {
      ctx.fail(
        where,
        "INVALID_VALUE",
        `mapping table '${table}' is direction: outbound (keyed by the practice's codes); mappings.${element} reads received codes: name an inbound table`,
      );
    }
    mappings[element] = {
      element,
      table,
      mappingRequired,
      ...("accept" in config && config.accept && { accept: config.accept }),
      ...(rows && { rows }),
      at: ctx.at(path),
    };
  }
  for (const [table, { path, column }] of ctx.tablesNamed) {
    const read = ctx.readTable(table, path, "is named by $mapCode", column);
    if (read?.direction === "outbound") {
      ctx.fail(
        path,
        "INVALID_VALUE",
        `mapping table '${table}' is direction: outbound (keyed by the practice's codes): $mapCode reads received codes`,
        column,
      );
    }
  }
  return mappings;
}
