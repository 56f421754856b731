import { parseHl7 } from "../hl7/parse.js";
import type { Outcome } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import { processStored } from "../queue/process-stored.js";
import type { ClaimedMessage } from "../store/claims.js";
import type { Store, StoredMessage } from "../store/types.js";
import { storedAck } from "./frame.js";
import { isPoisoned, setAsidePoisoned } from "./recovery.js";

/**
 * One worker (decision 0023): it claims the oldest claimable message from
 * the store (engine/store/claims.ts: its patient's earlier messages are
 * done, its lease taken, its attempt counted), decides and completes it
 * with the ACK the listener answers with, and claims the next. With nothing
 * to claim it waits `idleMs`, or less when woken (the listener stored a
 * frame, another worker finished a message).
 *
 * A message claimed twice before by workers that died (their attempts
 * never completed) is set aside as crash recovery does: ATHENAERROR
 * POISON_MESSAGE, not processed. While it decides, the worker moves its
 * lease on (every third of it), so only a dead or stalled worker's lease
 * runs out; one that lost it anyway (another finished the message) applies
 * nothing: the store completes a claimed message as received once.
 */
export interface ClaimLoopOptions {
  readonly store: Store;
  /** The pack the next claimed message is decided with (a reload changes it). */
  readonly pack: () => CompiledPack;
  /** The worker's name, unique among the workers on the database. */
  readonly worker: string;
  /** How long a claim holds the message from other workers (ms). */
  readonly leaseMs: number;
  readonly now: () => Date;
  readonly log: (line: string) => void;
  /** How long an idle worker waits before it looks again (ms); default 250. */
  readonly idleMs?: number;
  /** Decisions taken again when other workers' commits keep changing the store; default 1000. */
  readonly maxDecisions?: number;
  /** Called with each message this worker finished, as stored. */
  readonly onFinished?: (message: StoredMessage, outcome: Outcome | undefined) => void;
}

export interface ClaimLoop {
  /** Look for a message now. */
  wake(): void;
  /** Finish the message in hand, then stop. */
  stop(): Promise<void>;
}

/** A store whose `beginAttempt` is the claim's: the claim counted the attempt already. */
function claimedStore(store: Store): Store {
  return Object.create(store, { beginAttempt: { value: async () => {} } }) as Store;
}

export function startClaimLoop(options: ClaimLoopOptions): ClaimLoop {
  const { store, worker, log, now } = options;
  const idleMs = options.idleMs ?? 250;
  let stopping = false;
  let woken = false;
  let wakeUp: (() => void) | undefined;

  const sleep = (): Promise<void> =>
    new Promise((resolve) => {
      if (woken || stopping) {
        woken = false;
        resolve();
        return;
      }
      const done = () => {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, idleMs);
      wakeUp = done;
    });

  const claim = async (): Promise<ClaimedMessage | undefined> => {
    const at = now();
    return store.claimNext({
      worker,
      now: at.toISOString(),
      leaseUntil: new Date(at.getTime() + options.leaseMs).toISOString(),
    });
  };

  /** While a message is in hand, its lease is moved on every third of it: only a dead worker's runs out. */
  const keepLease = (claimed: ClaimedMessage): (() => void) => {
    const timer = setInterval(
      () => {
        const until = new Date(now().getTime() + options.leaseMs).toISOString();
        store.renewClaim(claimed.message.messageId, worker, until).catch(() => {});
      },
      Math.max(1, Math.floor(options.leaseMs / 3)),
    );
    return () => clearInterval(timer);
  };

  const finish = async (claimed: ClaimedMessage): Promise<void> => {
    const release = keepLease(claimed);
    try {
      await decideClaimed(claimed);
    } finally {
      release();
    }
  };

  const decideClaimed = async (claimed: ClaimedMessage): Promise<void> => {
    const stored = claimed.message;
    const at = now();
    const pack = options.pack();
    const message = parseHl7(stored.raw).messages[0];
    /** The ACK stored with the completion (the last one built: a failed complete builds another). */
    let ack: string | undefined;
    const ackFor = async (o: Outcome) => {
      ack = await storedAck(pack, store, message, o, at);
      return ack;
    };
    let outcome: Outcome | undefined;
    try {
      if (isPoisoned(stored)) {
        outcome = await setAsidePoisoned(store, stored, at, ackFor);
      } else {
        const result = await processStored(pack, claimedStore(store), stored.messageId, {
          now: at,
          completion: { kind: "receive" },
          ackFor,
          backstop: "retry",
          maxDecisions: options.maxDecisions ?? 1000,
        });
        outcome = result.ok ? result.outcome : undefined;
      }
      log(
        `worker=${worker} messageId=${stored.messageId} controlId=${stored.controlId || "-"} type=${stored.messageType || "-"} state=${outcome?.state ?? "-"} errors=${outcome?.errors.map((e) => e.code).join(",") || "-"}`,
      );
    } catch (e) {
      const after = await store.message(stored.messageId).catch(() => undefined);
      log(
        after && after.state !== "NEW"
          ? `worker=${worker} messageId=${stored.messageId} finished by another worker (lease ended at ${claimed.leaseUntil}); nothing applied`
          : `worker=${worker} messageId=${stored.messageId} failed ${e instanceof Error ? e.name : "error"}; claimable again when its lease ends`,
      );
      if (after && after.state !== "NEW") options.onFinished?.(after, after.outcome);
      return;
    }
    if (outcome) {
      options.onFinished?.(
        { ...stored, state: outcome.state, outcome, ...(ack !== undefined && { ack }) },
        outcome,
      );
    }
  };

  const run = (async () => {
    while (!stopping) {
      let claimed: ClaimedMessage | undefined;
      try {
        claimed = await claim();
      } catch (e) {
        log(`worker=${worker} claim failed ${e instanceof Error ? e.name : "error"}`);
      }
      if (claimed) await finish(claimed);
      else await sleep();
    }
  })();

  return {
    wake() {
      if (wakeUp) wakeUp();
      else woken = true;
    },
    async stop() {
      stopping = true;
      wakeUp?.();
      await run;
    },
  };
}
