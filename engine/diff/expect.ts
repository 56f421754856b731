import type { PackDiff } from "./compare.js";

/**
 * An approved diff (a file `rulepack diff --format json` wrote) held
 * against this run's: the same summary and the same changes, message by
 * message. What differs is named by position and control ID only.
 */
export type ExpectResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: "EXPECT_UNREADABLE"; readonly message: string }
  | {
      readonly ok: false;
      readonly code: "DIFF_NOT_APPROVED";
      readonly differences: readonly string[];
    };

export function compareWithApproved(
  diff: PackDiff,
  approvedText: string,
  file: string,
): ExpectResult {
  let approved: PackDiff;
  try {
    approved = JSON.parse(approvedText) as PackDiff;
  } catch (e) {
    return {
      ok: false,
      code: "EXPECT_UNREADABLE",
      message: `${file}: not JSON (${e instanceof Error ? e.message : e})`,
    };
  }
  if (!approved || typeof approved !== "object" || !Array.isArray(approved.changes)) {
    return {
      ok: false,
      code: "EXPECT_UNREADABLE",
      message: `${file}: not a rulepack diff (no changes list)`,
    };
  }
  const differences: string[] = [];
  const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);
  if (!same(approved.summary, diff.summary)) differences.push("the summary");
  const byPosition = (d: PackDiff) => new Map(d.changes.map((c) => [c.position, c]));
  const was = byPosition(approved);
  const now = byPosition(diff);
  for (const position of [...new Set([...was.keys(), ...now.keys()])].sort((a, b) => a - b)) {
    const a = was.get(position);
    const b = now.get(position);
    if (same(a, b)) continue;
    const c = b ?? a;
    const what = !a ? "changed, not approved" : !b ? "approved change gone" : "changed differently";
    differences.push(
      `#${position} control ${c?.controlId || "-"} ${c?.messageType || "-"}: ${what}`,
    );
  }
  return differences.length === 0
    ? { ok: true }
    : { ok: false, code: "DIFF_NOT_APPROVED", differences };
}

/** JSON with object keys sorted, so key order does not count. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
