import { createServer, type Server, type Socket } from "node:net";
import { ackBytes } from "../hl7/ack.js";
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, MllpDecoder } from "../hl7/mllp.js";
import type { Outcome } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import type { Store } from "../store/types.js";
import { type CrashHook, storeWithCrashPoints } from "./crash-points.js";
import { processFrame, type Reply } from "./frame.js";
import { recordOversize } from "./oversize.js";

/**
 * The MLLP listener: every frame goes through `processFrame` (stored as
 * NEW, processed, completed with its ACK in one transaction) and is
 * answered with its ACKs. Frames are processed one at a time across all
 * connections, in arrival order: a patient's messages keep their order
 * whichever connections carry them, and a reload or the daily prune runs
 * between two frames, never in the middle of one.
 */
export interface MllpServerOptions {
  readonly pack: CompiledPack;
  readonly store: Store;
  readonly port: number;
  readonly host?: string;
  /** Close a connection idle this long (ms); 0 never. Default 5 minutes. */
  readonly idleTimeoutMs?: number;
  readonly maxFrameBytes?: number;
  /** One line per event, without patient data. */
  readonly log?: (line: string) => void;
  readonly now?: () => Date;
  /** Called with each frame's outcomes once they are committed (alerts). */
  readonly onOutcomes?: (outcomes: readonly Outcome[]) => void;
  /** TEST ONLY: the crash points of RULEPACK_CRASH_AT (crash-points.ts). */
  readonly crash?: CrashHook;
}

export interface MllpServer {
  readonly port: number;
  readonly host: string;
  /** The pack the next frame is processed with. */
  readonly pack: CompiledPack;
  /**
   * Run `task` between two frames: the frames received before it finish
   * first (under the pack they started with), the ones after wait for it.
   */
  between<T>(task: () => T | Promise<T>): Promise<T>;
  /** Process the next frames with this pack (after the frames already received). */
  reload(pack: CompiledPack, apply?: () => void): Promise<void>;
  /** Stop accepting, finish the frames received, then close every connection. */
  close(): Promise<void>;
}

/** Frames of one connection received and not yet ACKed before it stops reading. */
const MAX_PENDING_FRAMES = 64;

export function startMllpServer(options: MllpServerOptions): Promise<MllpServer> {
  const log = options.log ?? (() => {});
  const now = options.now ?? (() => new Date());
  const host = options.host ?? "127.0.0.1";
  const idleTimeoutMs = options.idleTimeoutMs ?? 5 * 60_000;
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const crash = options.crash;
  const store = crash ? storeWithCrashPoints(options.store, crash) : options.store;
  const sockets = new Set<Socket>();
  let pack = options.pack;
  let chain: Promise<unknown> = Promise.resolve();
  let draining = false;
  let connections = 0;

  const between = <T>(task: () => T | Promise<T>): Promise<T> => {
    const run = chain.then(task);
    chain = run.catch(() => {});
    return run;
  };

  const answer = async (
    id: number,
    sender: string,
    event: ReturnType<MllpDecoder["push"]>[number],
    write: (reply: Reply) => void,
  ): Promise<Reply[]> => {
    const at = now();
    const early: Reply[] = [];
    const send = (reply: Reply): void => {
      early.push(reply);
      write(reply);
    };
    if (event.kind === "oversize") {
      const { ack, outcome } = recordOversize(store, event, sender, maxFrameBytes, at);
      log(
        `connection=${id} frame too large bytes=${event.bytes} messageId=${outcome?.messageId ?? "- (store failed)"} ack=AR`,
      );
      if (outcome) options.onOutcomes?.([outcome]);
      return [{ code: "AR", ack }];
    }
    const result = await processFrame(pack, store, event.bytes, sender, at, send);
    const codes = [...early, ...result.replies].map((r) => r.code).join(",") || "-";
    for (const o of result.outcomes) {
      log(
        `connection=${id} messageId=${o.messageId} controlId=${o.controlId || "-"} type=${o.messageType || "-"} state=${o.state} errors=${o.errors.map((e) => e.code).join(",") || "-"} ack=${codes}`,
      );
    }
    if (result.outcomes.length === 0) log(`connection=${id} store failed ack=${codes}`);
    options.onOutcomes?.(result.outcomes);
    return [...result.replies];
  };

  const server: Server = createServer((socket) => {
    if (draining) {
      socket.destroy();
      return;
    }
    const id = ++connections;
    sockets.add(socket);
    const sender = `mllp:${socket.remoteAddress ?? "?"}`;
    const decoder = new MllpDecoder({ maxFrameBytes });
    let inFlight = 0;
    let closeWhenIdle = false;
    log(`connection=${id} opened`);
    if (idleTimeoutMs > 0) socket.setTimeout(idleTimeoutMs);
    socket.on("timeout", () => {
      log(`connection=${id} idle timeout`);
      if (inFlight === 0) socket.end();
      else closeWhenIdle = true;
    });
    socket.on("error", (e) =>
      log(`connection=${id} error ${(e as NodeJS.ErrnoException).code ?? e.name}`),
    );
    socket.on("close", () => {
      sockets.delete(socket);
      log(`connection=${id} closed`);
    });
    socket.on("data", (data: Buffer) => {
      for (const event of decoder.push(data)) {
        inFlight += 1;
        // Backpressure: a sender far ahead of processing waits in TCP, not in memory.
        if (inFlight >= MAX_PENDING_FRAMES) socket.pause();
        const write = (reply: Reply): void => {
          crash?.("before-ack");
          if (!socket.destroyed && socket.writable) socket.write(encodeFrame(ackBytes(reply.ack)));
        };
        between(async () => {
          for (const reply of await answer(id, sender, event, write)) write(reply);
        })
          .catch((e: unknown) => {
            log(`connection=${id} internal error ${e instanceof Error ? e.name : "error"}`);
            socket.destroy();
          })
          .finally(() => {
            inFlight -= 1;
            if (!draining && inFlight < MAX_PENDING_FRAMES && socket.isPaused()) socket.resume();
            if (inFlight === 0 && (closeWhenIdle || draining)) socket.end();
          });
      }
    });
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : options.port;
      log(`listening host=${host} port=${port}`);
      resolve({
        port,
        host,
        get pack() {
          return pack;
        },
        between,
        reload(next, apply) {
          return between(() => {
            apply?.();
            pack = next;
          });
        },
        async close() {
          draining = true;
          const closed = new Promise<void>((r) => server.close(() => r()));
          for (const s of sockets) s.pause();
          await between(() => {});
          for (const s of sockets) s.end();
          const deadline = setTimeout(() => {
            for (const s of sockets) s.destroy();
          }, 2000);
          await closed;
          clearTimeout(deadline);
          log("drained");
        },
      });
    });
  });
}
