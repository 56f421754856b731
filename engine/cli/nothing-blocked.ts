import type { QueueState } from "../model/outcome.js";
import { REPROCESSABLE } from "../queue/reprocess.js";
import type { Store } from "../store/types.js";

/**
 * What `reprocess --blocked-on CODE[:VALUE]` says when no message waits on
 * it: never an all-clear, but what the store does hold waiting, so a
 * mistyped code, a value that differs, or the wrong `--db` shows at once:
 * `no message waits on UNMAPPED_INSURANCE:X in rulepack.sqlite (12
 * messages in ERROR, none with that code)`.
 */
export async function nothingBlockedOn(
  store: Store,
  db: string,
  code: string,
  value: string | undefined,
): Promise<string> {
  const waiting = await store.messages({ states: REPROCESSABLE, direction: "inbound" });
  const byState = new Map<QueueState, number>();
  for (const m of waiting) byState.set(m.state, (byState.get(m.state) ?? 0) + 1);
  const what = value === undefined ? code : `${code}:${value}`;
  const where = `no message waits on ${what} in ${shownStore(db)}`;
  if (waiting.length === 0) return `${where} (no message is in ${REPROCESSABLE.join(", ")})`;
  const held = [...byState]
    .map(
      ([state, n], i) => `${n} ${i === 0 ? (n === 1 ? "message " : "messages ") : ""}in ${state}`,
    )
    .join(", ");
  const withCode = waiting.filter((m) =>
    (m.outcome?.errors ?? []).some((e) => e.severity === "error" && e.code === code),
  );
  if (value === undefined || withCode.length === 0)
    return `${where} (${held}, none with that code)`;
  const values = [
    ...new Set(
      withCode
        .flatMap((m) =>
          (m.outcome?.errors ?? []).filter((e) => e.code === code && e.value !== undefined),
        )
        .map((e) => e.value as string),
    ),
  ];
  return `${where} (${held}; ${withCode.length} wait on ${code} with another value: ${values
    .slice(0, 5)
    .map((v) => `'${v}'`)
    .join(", ")}${values.length > 5 ? ", ..." : ""})`;
}

/** The store as named, a PostgreSQL URL without its password. */
function shownStore(db: string): string {
  if (!/^postgres(ql)?:\/\//.test(db)) return db;
  try {
    const url = new URL(db);
    url.password = "";
    return url.toString();
  } catch {
    return "the PostgreSQL store";
  }
}
