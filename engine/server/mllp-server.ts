import type { Server, Socket } from "node:net";
import { ackBytes } from "../hl7/ack.js";
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, MllpDecoder } from "../hl7/mllp.js";
import type { Outcome } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import type { Store } from "../store/types.js";
import { type CrashHook, storeWithCrashPoints } from "./crash-points.js";
import { type FrameResult, processFrame, type Reply } from "./frame.js";
import { createLane, type Pause } from "./lane.js";
import { listenerServer } from "./listener-socket.js";
import { recordOversize } from "./oversize.js";
import type { TlsCredentials } from "./tls-credentials.js";
import type { FrameProcessor } from "./worker-frame.js";

/**
 * The MLLP listener: every frame goes through `processFrame` (stored as
 * NEW, processed, completed with its ACK in one transaction) and is
 * answered with its ACKs. Frames are processed one at a time across all
 * connections, in arrival order (lane.ts): a patient's messages keep their
 * order whichever connections carry them, and a reload or the daily prune
 * runs between two frames. A frame of many messages goes in slices of
 * `messagesPerTurn`, other connections' frames between them (decision 0010).
 *
 * Contained: at most `maxConnections` connections (more are closed at
 * once), and at most `maxBufferedBytes` held in memory across them
 * (unfinished frames and frames waiting for the lane): a connection over
 * the budget with frames waiting stops being read until they are done; one
 * holding only an unfinished frame is closed. Each is logged.
 */
export interface MllpServerOptions {
  readonly pack: CompiledPack;
  readonly store: Store;
  readonly port: number;
  readonly host?: string;
  /** Listen with TLS (listener-socket.ts); plain TCP without. */
  readonly tls?: TlsCredentials;
  /** Close a connection idle this long (ms); 0 never. Default 5 minutes. */
  readonly idleTimeoutMs?: number;
  readonly maxFrameBytes?: number;
  /** One line per event, without patient data. */
  readonly log?: (line: string) => void;
  readonly now?: () => Date;
  /**
   * Called with each frame's outcomes once they are committed (alerts), and
   * the seconds from the frame's receipt to that commit (performance.now;
   * with workers, to their completion): /metrics' processing time.
   */
  readonly onOutcomes?: (outcomes: readonly Outcome[], seconds: number) => void;
  /** TEST ONLY: the crash points of RULEPACK_CRASH_AT (crash-points.ts). */
  readonly crash?: CrashHook;
  /** Connections open at once; more are closed as they come. Default 256. */
  readonly maxConnections?: number;
  /** Bytes held across connections (unfinished and waiting frames). Default 256 MiB. */
  readonly maxBufferedBytes?: number;
  /** Messages of one frame processed before other connections' frames get a turn. Default 10. */
  readonly messagesPerTurn?: number;
  /**
   * Messages of one frame processed; the rest are refused (AR). Default the
   * pack's `queue.listener.maxMessagesPerFrame`, else 1000.
   */
  readonly maxMessagesPerFrame?: number;
  /**
   * How a frame is stored and decided: `processFrame` in the lane by default;
   * with workers (`serve --workers`, worker-frame.ts) it is stored in the
   * lane and answered once the workers decided, the lane going on meanwhile.
   */
  readonly processFrame?: FrameProcessor;
  /**
   * A port practices share (engine/host/): each frame's pack, store and
   * outcome listener, chosen by its MSH-5/MSH-6, or its answer when no
   * practice receives it. Without it every frame is `pack`'s and `store`'s.
   */
  readonly route?: (bytes: Uint8Array) => FrameRoute;
}

/** Where `route` sends one frame. */
export type FrameRoute =
  | {
      readonly pack: CompiledPack;
      readonly store: Store;
      readonly onOutcomes?: (outcomes: readonly Outcome[], seconds: number) => void;
    }
  | {
      /** Store and answer it without processing (an unroutable frame). */
      readonly refuse: (sender: string, at: Date) => Promise<{ ack: string; outcome?: Outcome }>;
    };

export interface MllpServer {
  readonly port: number;
  readonly host: string;
  /** The pack the next frame is processed with. */
  readonly pack: CompiledPack;
  /** Frames received and not yet answered, across connections. */
  readonly waiting: number;
  /** Bytes held in memory across connections (unfinished and waiting frames). */
  readonly buffered: number;
  /**
   * Run `task` between two frames: the frames received before it finish
   * first (under the pack they started with), the ones after wait for it.
   */
  between<T>(task: () => T | Promise<T>): Promise<T>;
  /** Process the next frames with this pack (after the frames already received). */
  reload(pack: CompiledPack, apply?: () => void | Promise<void>): Promise<void>;
  /** Stop accepting, finish the frames received, then close every connection. */
  close(): Promise<void>;
}

/** Frames of one connection received and not yet ACKed before it stops reading. */
const MAX_PENDING_FRAMES = 64;
export const DEFAULT_MAX_CONNECTIONS = 256;
export const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MESSAGES_PER_TURN = 10;
export const DEFAULT_MAX_MESSAGES_PER_FRAME = 1000;

export function startMllpServer(options: MllpServerOptions): Promise<MllpServer> {
  const log = options.log ?? (() => {});
  const now = options.now ?? (() => new Date());
  const host = options.host ?? "127.0.0.1";
  const idleTimeoutMs = options.idleTimeoutMs ?? 5 * 60_000;
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const crash = options.crash;
  const store = crash ? storeWithCrashPoints(options.store, crash) : options.store;
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const messagesPerTurn = options.messagesPerTurn ?? DEFAULT_MESSAGES_PER_TURN;
  const sockets = new Set<Socket>();
  let pack = options.pack;
  const lane = createLane();
  const between = lane.between;
  let draining = false;
  let connections = 0;
  let waitingFrames = 0;
  /** Answers waiting for workers (serve --workers), across connections. */
  const deferredAnswers = new Set<Promise<void>>();
  /** Bytes held across connections: unfinished frames and frames waiting for the lane. */
  let buffered = 0;

  const answer = async (
    id: number,
    sender: string,
    event: ReturnType<MllpDecoder["push"]>[number],
    write: (reply: Reply) => void,
    pause: Pause,
    /** performance.now() when the frame was read off the socket. */
    received: number,
  ): Promise<Reply[] | { readonly later: Promise<Reply[]> }> => {
    const at = now();
    const seconds = () => (performance.now() - received) / 1000;
    const early: Reply[] = [];
    const send = (reply: Reply): void => {
      early.push(reply);
      write(reply);
    };
    if (event.kind === "oversize") {
      const { ack, outcome } = await recordOversize(store, event, sender, maxFrameBytes, at);
      log(
        `connection=${id} frame too large bytes=${event.bytes} messageId=${outcome?.messageId ?? "- (store failed)"} ack=AR`,
      );
      if (outcome) options.onOutcomes?.([outcome], seconds());
      return [{ code: "AR", ack }];
    }
    const target = options.route?.(event.bytes) ?? { pack, store, onOutcomes: options.onOutcomes };
    if ("refuse" in target) {
      const { ack, outcome } = await target.refuse(sender, at);
      log(
        `connection=${id} unroutable messageId=${outcome?.messageId ?? "- (store failed)"} ack=AR`,
      );
      if (outcome) options.onOutcomes?.([outcome], seconds());
      return [{ code: "AR", ack }];
    }
    const reported = (result: FrameResult): Reply[] => {
      const codes = [...early, ...result.replies].map((r) => r.code).join(",") || "-";
      for (const o of result.outcomes) {
        log(
          `connection=${id} messageId=${o.messageId} controlId=${o.controlId || "-"} type=${o.messageType || "-"} state=${o.state} errors=${o.errors.map((e) => e.code).join(",") || "-"} ack=${codes}`,
        );
      }
      if (result.outcomes.length === 0) log(`connection=${id} store failed ack=${codes}`);
      target.onOutcomes?.(result.outcomes, seconds());
      return [...result.replies];
    };
    const handled = await (options.processFrame ?? processFrame)(
      target.pack,
      target.store,
      event.bytes,
      sender,
      at,
      send,
      {
        turn: { messages: messagesPerTurn, pause },
        maxMessages:
          options.maxMessagesPerFrame ??
          target.pack.queue.listener?.maxMessagesPerFrame ??
          DEFAULT_MAX_MESSAGES_PER_FRAME,
      },
    );
    // Workers decide (serve --workers): answered once they have, outside the lane.
    if ("later" in handled) return { later: handled.later.then(reported) };
    return reported(handled);
  };

  const server: Server = listenerServer(options.tls, log, (socket) => {
    if (draining) {
      socket.destroy();
      return;
    }
    const id = ++connections;
    if (sockets.size >= maxConnections) {
      log(
        `connection=${id} refused: ${sockets.size} connections open (maxConnections=${maxConnections})`,
      );
      socket.destroy();
      return;
    }
    sockets.add(socket);
    const sender = `mllp:${socket.remoteAddress ?? "?"}`;
    const decoder = new MllpDecoder({ maxFrameBytes });
    const owner = {};
    let inFlight = 0;
    /** The last deferred answer of this connection (serve --workers). */
    let replied: Promise<void> = Promise.resolve();
    let closeWhenIdle = false;
    /** This connection's share of `buffered`: its unfinished frame and its waiting frames. */
    let unfinished = 0;
    let waiting = 0;
    const hold = (nextUnfinished: number, nextWaiting: number): void => {
      buffered += nextUnfinished - unfinished + nextWaiting - waiting;
      unfinished = nextUnfinished;
      waiting = nextWaiting;
    };
    const held = (): number => Math.min(decoder.buffered, maxFrameBytes);
    const mayRead = (): boolean =>
      !draining &&
      inFlight < MAX_PENDING_FRAMES &&
      (buffered <= maxBufferedBytes || inFlight === 0);
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
      // Frames still waiting are released as they finish; the unfinished one now.
      hold(0, waiting);
      log(`connection=${id} closed`);
    });
    socket.on("data", (data: Buffer) => {
      const events = decoder.push(data);
      const frameBytes = events.reduce(
        (n, e) => n + (e.kind === "frame" ? e.bytes.length : e.head.length),
        0,
      );
      hold(held(), waiting + frameBytes);
      if (buffered > maxBufferedBytes && inFlight + events.length === 0) {
        log(
          `connection=${id} closed: buffered bytes over the budget (unfinished frame ${unfinished} bytes, ${buffered} held, maxBufferedBytes=${maxBufferedBytes})`,
        );
        socket.destroy();
        return;
      }
      for (const event of events) {
        const received = performance.now();
        inFlight += 1;
        waitingFrames += 1;
        const bytes = event.kind === "frame" ? event.bytes.length : event.head.length;
        const write = (reply: Reply): void => {
          crash?.("before-ack");
          if (!socket.destroyed && socket.writable) socket.write(encodeFrame(ackBytes(reply.ack)));
        };
        lane
          .submit(owner, async (pause) => {
            const answered = await answer(id, sender, event, write, pause, received);
            if ("later" in answered) return answered;
            for (const reply of answered) write(reply);
            return undefined;
          })
          .then((deferred) => {
            if (!deferred) return;
            // The connection's ACKs in its frames' order, whichever the workers finish first.
            const written = replied
              .then(() => deferred.later)
              .then((replies) => {
                for (const reply of replies) write(reply);
              });
            const done = written.catch(() => {});
            replied = done;
            deferredAnswers.add(done);
            void done.then(() => deferredAnswers.delete(done));
            return written;
          })
          .catch((e: unknown) => {
            log(`connection=${id} internal error ${e instanceof Error ? e.name : "error"}`);
            socket.destroy();
          })
          .finally(() => {
            inFlight -= 1;
            waitingFrames -= 1;
            hold(socket.destroyed ? 0 : unfinished, waiting - bytes);
            if (socket.isPaused() && mayRead()) socket.resume();
            if (inFlight === 0 && (closeWhenIdle || draining)) socket.end();
          });
      }
      // Backpressure: a sender far ahead of processing, or over the memory
      // budget, waits in TCP until its frames are done.
      if (!mayRead()) socket.pause();
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
        get waiting() {
          return waitingFrames;
        },
        get buffered() {
          return buffered;
        },
        between,
        reload(next, apply) {
          return between(async () => {
            await apply?.();
            pack = next;
          });
        },
        async close() {
          draining = true;
          const closed = new Promise<void>((r) => server.close(() => r()));
          for (const s of sockets) s.pause();
          await lane.idle();
          await Promise.all(deferredAnswers);
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
