import type { Store, StoredMessage } from "../store/types.js";

/**
 * Where the listener waits for the workers (decision 0023): a frame's
 * messages are answered once each is out of NEW. A worker in this process
 * says so at once (`finished`); one in another process is seen by asking
 * the store every `pollMs` while anything is awaited.
 */
export interface CompletionWaiter {
  /** Resolves with the messages, as stored once none is NEW (in the order asked). */
  wait(messageIds: readonly string[]): Promise<StoredMessage[]>;
  /** A worker of this process finished the message. */
  finished(message: StoredMessage): void;
  /** Messages awaited now. */
  readonly pending: number;
  /** Stop asking the store; waits still open stay open. */
  close(): void;
}

interface Waiting {
  readonly ids: readonly string[];
  readonly found: Map<string, StoredMessage>;
  readonly resolve: (messages: StoredMessage[]) => void;
}

export function createCompletionWaiter(
  store: Pick<Store, "finishedAmong">,
  options: { readonly pollMs?: number; readonly log?: (line: string) => void } = {},
): CompletionWaiter {
  const pollMs = options.pollMs ?? 50;
  /** The waits each awaited message belongs to. */
  const byId = new Map<string, Set<Waiting>>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const settle = (message: StoredMessage): void => {
    const waits = byId.get(message.messageId);
    if (!waits) return;
    byId.delete(message.messageId);
    for (const w of waits) {
      w.found.set(message.messageId, message);
      if (w.found.size === w.ids.length)
        w.resolve(w.ids.map((id) => w.found.get(id) as StoredMessage));
    }
  };
  const poll = async (): Promise<void> => {
    timer = undefined;
    const ids = [...byId.keys()];
    try {
      for (const message of await store.finishedAmong(ids)) settle(message);
    } catch (e) {
      options.log?.(
        `waiting for workers: the store failed ${e instanceof Error ? e.name : "error"}`,
      );
    }
    schedule();
  };
  const schedule = (): void => {
    if (!closed && timer === undefined && byId.size > 0)
      timer = setTimeout(() => void poll(), pollMs);
  };

  return {
    wait(messageIds) {
      if (messageIds.length === 0) return Promise.resolve([]);
      return new Promise((resolve) => {
        const waiting: Waiting = { ids: [...new Set(messageIds)], found: new Map(), resolve };
        for (const id of waiting.ids) {
          let waits = byId.get(id);
          if (!waits) {
            waits = new Set();
            byId.set(id, waits);
          }
          waits.add(waiting);
        }
        schedule();
      });
    },
    finished: settle,
    get pending() {
      return byId.size;
    },
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
