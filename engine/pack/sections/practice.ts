import type { PracticeDetails } from "../compiled.js";
import type { CompileContext } from "../context.js";

/** `practice` (Table 1 - General information): its time zone is one the engine knows. */
export function compilePractice(ctx: CompileContext): PracticeDetails | undefined {
  const practice = ctx.raw.practice;
  if (practice?.timeZone && !isTimeZone(practice.timeZone)) {
    ctx.fail(
      ["practice", "timeZone"],
      "INVALID_VALUE",
      `'${practice.timeZone}' is not an IANA time zone (e.g. America/Chicago)`,
    );
  }
  return practice;
}

/** The canonical IANA names, listed without building a formatter (~2 ms against ~23 for the first DateTimeFormat). */
let canonicalZones: ReadonlySet<string> | undefined;

function isTimeZone(zone: string): boolean {
  canonicalZones ??= new Set(Intl.supportedValuesOf("timeZone"));
  if (canonicalZones.has(zone)) return true;
  // Aliases (US/Eastern), UTC, other spellings: whatever a formatter accepts, as before.
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
