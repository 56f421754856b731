import type { CompiledExternalId } from "../pack/compiled.js";
import type { ReadContext } from "../paths/types.js";

/**
 * External IDs (Table 5 – Patient-level custom fields, Table 6 –
 * Appointment-level custom fields): stored verbatim, since they go out again
 * exactly as received; the leading-zeros policy normalizes only the key
 * used for matching, the same way on store and on lookup.
 */
export interface ReceivedExternalId {
  readonly name: string;
  readonly value: string;
  readonly key: string;
  readonly useForMatching: boolean;
  readonly leadingZeros: "keep" | "strip";
}

export function matchingKey(value: string, leadingZeros: "keep" | "strip"): string {
  if (leadingZeros === "keep") return value;
  const stripped = value.replace(/^0+/, "");
  return stripped === "" && value !== "" ? "0" : stripped;
}

export function readExternalIds(
  ids: readonly CompiledExternalId[],
  read: ReadContext,
): ReceivedExternalId[] {
  const out: ReceivedExternalId[] = [];
  for (const id of ids) {
    if (id.direction === "outbound") continue;
    const result = id.from.read(read);
    if (result.kind !== "value" || typeof result.value !== "string") continue;
    out.push({
      name: id.name,
      value: result.value,
      key: matchingKey(result.value, id.leadingZeros),
      useForMatching: id.useForMatching,
      leadingZeros: id.leadingZeros,
    });
  }
  return out;
}
