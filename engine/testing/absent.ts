import type { ScalarTag } from "yaml";
import type { CachedReadOptions } from "../pack/yaml-cache.js";

/**
 * `!absent` in a rule test: the key must be missing from the actual record
 * (YAML `null` expects a null, a cleared value). The tag reads to the one
 * ABSENT marker and writes back as `!absent`, so `--update` keeps it.
 */
export class AbsentMarker {
  toString(): string {
    return "!absent";
  }
  toJSON(): string {
    return "!absent";
  }
}

export const ABSENT: AbsentMarker = Object.freeze(new AbsentMarker());

export const isAbsent = (v: unknown): v is AbsentMarker => v instanceof AbsentMarker;

export const absentTag: ScalarTag = {
  tag: "!absent",
  identify: isAbsent,
  resolve: () => ABSENT,
  stringify: () => "",
};

/** The tags a rule test is read and written with. */
export const TEST_TAGS = [absentTag];

/** How a rule test is read: with its tags, `!absent` kept as the marker by the parse cache. */
export const TEST_YAML: CachedReadOptions = {
  customTags: TEST_TAGS,
  tagValues: new Map([["!absent", ABSENT]]),
};

/** A copy with every ABSENT replaced by null: what the JSON Schema sees. */
export function withoutAbsent(value: unknown): unknown {
  if (isAbsent(value)) return null;
  if (Array.isArray(value)) return value.map(withoutAbsent);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutAbsent(v)]));
  }
  return value;
}
