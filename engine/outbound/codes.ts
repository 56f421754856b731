import type { OutcomeError } from "../model/outcome.js";
import type { OutboundCodeElement, OutboundCodeMap } from "../pack/outbound-codes.js";

/**
 * Outbound code mappings at run time (docs/pack-language.md §19,
 * docs/decisions/0006): each practice code a builder writes goes through
 * the element's compiled map (pack/outbound-codes.ts); a code with no row is
 * UNMAPPED_CODE and nothing is sent.
 */

export type { OutboundCodeElement, OutboundCodeMap } from "../pack/outbound-codes.js";

/** Translates practice codes for one message, collecting UNMAPPED_CODE errors. */
export class CodeTranslator {
  readonly errors: OutcomeError[] = [];
  constructor(
    private readonly maps: Readonly<Partial<Record<OutboundCodeElement, OutboundCodeMap>>>,
  ) {}

  /** The receiver's code for `code` (unchanged when the element has no outbound mapping). */
  code(
    element: OutboundCodeElement,
    code: string | null | undefined,
    field: string,
  ): string | undefined {
    if (code === null || code === undefined || code === "") return undefined;
    const map = this.maps[element];
    if (!map) return code;
    const found = map.codes.get(map.caseInsensitive ? code.toUpperCase() : code);
    if (found !== undefined) return found;
    this.errors.push({
      code: "UNMAPPED_CODE",
      severity: "error",
      message: `${element} '${code}' has no row in outbound mapping table ${map.table} (${field}); nothing is sent`,
      field,
      table: map.table,
      value: code,
    });
    return undefined;
  }
}
