import { hostname } from "node:os";
import type { Outcome } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import type { Store } from "../store/types.js";
import { type ClaimLoop, startClaimLoop } from "./claim-loop.js";
import { createCompletionWaiter } from "./completion-waiter.js";
import { type FrameProcessor, storeFrameForWorkers } from "./worker-frame.js";

/**
 * `rulepack serve --workers N` (decision 0023): N claim loops in this
 * process (claim-loop.ts) and the listener's frame handling that stores
 * frames for them and answers once they decided (worker-frame.ts). Several
 * `serve` processes on one database cooperate the same way: the claims are
 * in the database, so a frame one listener stored may be decided by another
 * process's worker (the listener sees it finished by asking the store).
 */
export interface WorkersOptions {
  readonly count: number;
  readonly store: Store;
  readonly pack: () => CompiledPack;
  readonly now: () => Date;
  readonly log: (line: string) => void;
  /** How long a claim holds a message (ms); default 30 s. */
  readonly leaseMs?: number;
  /** An idle worker looks again after this long (ms); default 100. */
  readonly idleMs?: number;
  /** The listener asks the store for messages other processes finished this often (ms); default 50. */
  readonly pollMs?: number;
}

export interface Workers {
  /** The listener's frame handling (mllp-server.ts `processFrame`). */
  readonly processFrame: FrameProcessor;
  /** Messages finished by this process's workers (tests, logs). */
  readonly finished: number;
  /** Finish the messages in hand, then stop claiming. */
  stop(): Promise<void>;
}

export const DEFAULT_LEASE_MS = 30_000;

export function startWorkers(options: WorkersOptions): Workers {
  const waiter = createCompletionWaiter(options.store, {
    ...(options.pollMs !== undefined && { pollMs: options.pollMs }),
    log: options.log,
  });
  const name = `${hostname()}:${process.pid}`;
  let finished = 0;
  const loops: ClaimLoop[] = [];
  const wakeAll = () => {
    for (const loop of loops) loop.wake();
  };
  for (let i = 1; i <= options.count; i++) {
    loops.push(
      startClaimLoop({
        store: options.store,
        pack: options.pack,
        worker: `${name}:${i}`,
        leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
        now: options.now,
        log: options.log,
        ...(options.idleMs !== undefined && { idleMs: options.idleMs }),
        onFinished: (message, _outcome: Outcome | undefined) => {
          finished += 1;
          waiter.finished(message);
          // Its lane may hold the next message of the patient: let the others look.
          wakeAll();
        },
      }),
    );
  }
  return {
    processFrame: (pack, store, bytes, sender, now, sendNow, frameOptions) =>
      storeFrameForWorkers(pack, store, bytes, sender, now, sendNow, {
        ...frameOptions,
        waiter,
        wake: wakeAll,
      }),
    get finished() {
      return finished;
    },
    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()));
      waiter.close();
    },
  };
}
