import type { Level } from "./comparators/types.js";
import type { CompiledField } from "./scorer.js";

/** A field's weight at a comparison level; a missing value is neutral (0). */
export function weightOf(field: CompiledField, level: Level): number {
  switch (level) {
    case "agree":
      return field.agree;
    case "partial":
      return field.partial;
    case "disagree":
      return field.disagree;
    case "missing":
      return 0;
  }
}
