import { createServer, type Server, type Socket } from "node:net";
import { fieldOf, leafValue, messageType } from "../hl7/access.js";
import {
  type AckCode,
  type AckError,
  type AckSeverity,
  buildAck,
  hl7Timestamp,
} from "../hl7/ack.js";
import { STANDARD_DELIMITERS } from "../hl7/delimiters.js";
import { encodeFrame, MllpDecoder } from "../hl7/mllp.js";
import { parseHl7 } from "../hl7/parse.js";
import type { Hl7Message, Hl7Segment } from "../hl7/tree.js";
import type { Outcome, QueueState } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import { receiveBytes } from "../queue/intake.js";
import type { Store } from "../store/types.js";

/**
 * The MLLP listener: every frame goes through `receiveBytes` (stored as NEW,
 * processed, completed in one transaction) and is answered with one
 * original-mode ACK. Frames are processed one at a time across all
 * connections, in arrival order, so a patient's messages keep their order.
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
}

export interface MllpServer {
  readonly port: number;
  readonly host: string;
  /** Stop accepting, finish the frames received, then close every connection. */
  close(): Promise<void>;
}

export interface FrameResult {
  readonly ack: string;
  readonly ackCode: AckCode;
  readonly outcomes: readonly Outcome[];
}

/** Frames of one connection received and not yet ACKed before it stops reading. */
const MAX_PENDING_FRAMES = 64;

const SEVERITY: Readonly<Record<string, AckSeverity>> = { error: "E", warning: "W", info: "I" };

function components(segment: Hl7Segment | undefined, n: number): string[] {
  const rep = fieldOf(segment, n)?.[0] ?? [];
  return rep.map((c) => c[0]?.value ?? "").map((v) => v ?? "");
}

let ackCounter = 0;
function newControlId(now: Date): string {
  ackCounter = (ackCounter + 1) % 36 ** 6;
  return `RP${now.getTime().toString(36).toUpperCase()}${ackCounter.toString(36).toUpperCase().padStart(6, "0")}`.slice(
    0,
    20,
  );
}

/** The ACK for one frame, from the first message in it (when any) and the outcomes. */
export function ackFor(
  message: Hl7Message | undefined,
  ackCode: AckCode,
  errors: readonly AckError[],
  now: Date,
): string {
  const msh = message?.segments[0];
  return buildAck({
    delimiters: message?.delimiters ?? STANDARD_DELIMITERS,
    sendingApplication: components(msh, 3),
    sendingFacility: components(msh, 4),
    receivingApplication: components(msh, 5),
    receivingFacility: components(msh, 6),
    trigger: message ? messageType(message).trigger : "",
    controlId: newControlId(now),
    timestamp: hl7Timestamp(now),
    processingId: leafValue(msh, 11) ?? "P",
    version: leafValue(msh, 12) ?? "",
    ackCode,
    messageControlId: leafValue(msh, 10) ?? "",
    ...(ackCode !== "AA" && errors[0] ? { text: errors[0].message } : {}),
    errors,
  });
}

/** States in which a message waits in the queue for a person. */
const HELD = new Set<QueueState>(["ERROR", "CBOERROR", "ATHENAERROR"]);

/**
 * One frame through the queue. AA once stored and processed, whatever state
 * it is held in (AE for a held message when the pack's `acks.held` says so);
 * AR when it cannot be parsed; AR with 207 when the store failed, so that
 * the sender resends.
 */
export async function processFrame(
  pack: CompiledPack,
  store: Store,
  bytes: Uint8Array,
  sender: string,
  now: Date,
): Promise<FrameResult> {
  const doc = parseHl7(bytes);
  const first = doc.messages[0];
  let outcomes: Outcome[];
  try {
    outcomes = await receiveBytes(pack, store, bytes, { now, sender });
  } catch (e) {
    const error: AckError = {
      code: "STORE_FAILED",
      severity: "E",
      message: `the message could not be stored: resend it (${e instanceof Error ? e.name : "error"})`,
    };
    return { ack: ackFor(first, "AR", [error], now), ackCode: "AR", outcomes: [] };
  }
  const unparseable = outcomes.some((o) =>
    o.errors.some((e) => e.code === "PARSE_ERROR" && e.severity === "error"),
  );
  const errors: AckError[] = outcomes.flatMap((o) =>
    o.errors.map((e) => ({
      code: e.code,
      severity: SEVERITY[e.severity] ?? "E",
      message: e.message,
      ...(e.field !== undefined && { field: e.field }),
      ...(e.table !== undefined && { table: e.table }),
    })),
  );
  const held = outcomes.some((o) => HELD.has(o.state));
  const ackCode: AckCode = unparseable ? "AR" : held ? pack.acks.held : "AA";
  return { ack: ackFor(first, ackCode, errors, now), ackCode, outcomes };
}

export function startMllpServer(options: MllpServerOptions): Promise<MllpServer> {
  const log = options.log ?? (() => {});
  const now = options.now ?? (() => new Date());
  const host = options.host ?? "127.0.0.1";
  const idleTimeoutMs = options.idleTimeoutMs ?? 5 * 60_000;
  const sockets = new Set<Socket>();
  let chain: Promise<void> = Promise.resolve();
  let draining = false;
  let connections = 0;

  const server: Server = createServer((socket) => {
    if (draining) {
      socket.destroy();
      return;
    }
    const id = ++connections;
    sockets.add(socket);
    const sender = `mllp:${socket.remoteAddress ?? "?"}`;
    const decoder = new MllpDecoder(
      options.maxFrameBytes !== undefined ? { maxFrameBytes: options.maxFrameBytes } : {},
    );
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
        chain = chain
          .then(async () => {
            const at = now();
            let reply: string;
            if (event.kind === "oversize") {
              log(`connection=${id} frame too large bytes=${event.bytes} ack=AR`);
              reply = ackFor(
                undefined,
                "AR",
                [
                  {
                    code: "FRAME_TOO_LARGE",
                    severity: "E",
                    message: "the frame is larger than the listener accepts",
                  },
                ],
                at,
              );
            } else {
              const result = await processFrame(
                options.pack,
                options.store,
                event.bytes,
                sender,
                at,
              );
              for (const o of result.outcomes) {
                log(
                  `connection=${id} messageId=${o.messageId} controlId=${o.controlId || "-"} type=${o.messageType || "-"} state=${o.state} errors=${o.errors.map((e) => e.code).join(",") || "-"} ack=${result.ackCode}`,
                );
              }
              if (result.outcomes.length === 0) log(`connection=${id} store failed ack=AR`);
              reply = result.ack;
            }
            if (!socket.destroyed && socket.writable) socket.write(encodeFrame(reply));
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
        async close() {
          draining = true;
          const closed = new Promise<void>((r) => server.close(() => r()));
          for (const s of sockets) s.pause();
          await chain;
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
