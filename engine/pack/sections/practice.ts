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

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
