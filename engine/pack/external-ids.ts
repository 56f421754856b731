import type { PackErrorCode } from "../documents/errors.js";
import type { PathKey } from "../documents/merge.js";
import type { CompiledReference } from "../paths/types.js";
import type { CompiledExternalId } from "./compiled.js";

/**
 * Table 5 – Patient-level custom fields and Table 6 – Appointment-level
 * custom fields compile the same way: each entry's reference, its defaults,
 * and the spec's rule that "you can match only one external ID per record
 * number category".
 */
export interface RawExternalId {
  readonly name: string;
  readonly customFieldId: string;
  readonly from: string;
  readonly useForMatching?: boolean;
  readonly leadingZeros?: "keep" | "strip";
  readonly direction?: "both" | "inbound" | "outbound";
}

export interface ExternalIdHelpers {
  reference(
    path: PathKey,
    text: string,
    record: "patient" | "appointment",
  ): CompiledReference | undefined;
  fail(path: PathKey, code: PackErrorCode, message: string): void;
  at(path: PathKey): string;
}

export function compileExternalIds(
  raw: readonly RawExternalId[] | undefined,
  record: "patient" | "appointment",
  helpers: ExternalIdHelpers,
): CompiledExternalId[] {
  const ids = (raw ?? []).flatMap((id, i): CompiledExternalId[] => {
    const path = ["externalIds", record, i];
    const from = helpers.reference([...path, "from"], id.from, record);
    if (!from) return [];
    return [
      {
        name: id.name,
        customFieldId: id.customFieldId,
        from,
        useForMatching: id.useForMatching ?? false,
        leadingZeros: id.leadingZeros ?? "keep",
        direction: id.direction ?? "both",
        at: helpers.at(path),
      },
    ];
  });
  const flagged = ids.filter((id) => id.useForMatching);
  if (flagged.length > 1) {
    helpers.fail(
      ["externalIds", record],
      "OPTION_DEPENDENCY",
      `you can match only one external ID per record number category: useForMatching is set on ${flagged.map((id) => id.name).join(" and ")}`,
    );
  }
  return ids;
}
