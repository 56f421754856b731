import { parseHl7 } from "../hl7/parse.js";
import type { QueueState } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import { processStored } from "../queue/process-stored.js";
import type { Store } from "../store/types.js";
import { storedAck } from "./frame.js";

/**
 * Crash recovery: a message still NEW was stored but never completed (the
 * listener died between the two). Before the listener accepts connections,
 * each is processed in receipt order, completed with the ACK it would have
 * been answered with, so that the sender's resend is answered from the
 * store as a duplicate instead of being processed again.
 */
export interface RecoveryReport {
  readonly recovered: number;
  /** How many ended in each state. */
  readonly states: Readonly<Partial<Record<QueueState, number>>>;
  /** Messages that could not be processed (they stay NEW for the next start). */
  readonly failed: number;
}

export async function recoverNewMessages(
  pack: CompiledPack,
  store: Store,
  now: () => Date,
  log: (line: string) => void,
): Promise<RecoveryReport> {
  const pending = await store.messages({ state: "NEW", direction: "inbound" });
  const states: Partial<Record<QueueState, number>> = {};
  let failed = 0;
  for (const stored of pending) {
    const at = now();
    const message = parseHl7(stored.raw).messages[0];
    try {
      const result = await processStored(pack, store, stored.messageId, {
        now: at,
        completion: { kind: "receive" },
        ackFor: (o) => storedAck(pack, store, message, o, at),
      });
      if (!result.ok) {
        failed += 1;
        log(`recovery failed messageId=${stored.messageId} ${result.code}`);
        continue;
      }
      const outcome = result.outcome;
      states[outcome.state] = (states[outcome.state] ?? 0) + 1;
      log(
        `recovered messageId=${outcome.messageId} controlId=${outcome.controlId || "-"} type=${outcome.messageType || "-"} state=${outcome.state}`,
      );
    } catch (e) {
      failed += 1;
      log(`recovery failed messageId=${stored.messageId} ${e instanceof Error ? e.name : "error"}`);
    }
  }
  return { recovered: pending.length - failed, states, failed };
}

export function formatRecovery(report: RecoveryReport): string {
  const states = Object.entries(report.states)
    .map(([state, n]) => `${state}:${n}`)
    .join(",");
  return `recovery recovered=${report.recovered} failed=${report.failed} states=${states || "-"}`;
}
