import { readFileSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { encodeFrame, MllpDecoder } from "../hl7/mllp.js";
import type { DeliveryReceiver } from "../pack/delivery-options.js";
import type { DeliveryClock } from "./clock.js";

/**
 * One MLLP connection to the receiver (node:net, or node:tls when the pack
 * names TLS files): write a framed message, read the frames that come
 * back. Every wait is bounded by a timeout taken from the injected clock.
 */

export type Reply =
  | { readonly kind: "frame"; readonly bytes: Uint8Array }
  | { readonly kind: "timeout" }
  | { readonly kind: "closed"; readonly why: string };

export type Connected =
  | { readonly ok: true; readonly connection: MllpConnection }
  | { readonly ok: false; readonly why: string };

/** Open a connection within `timeoutMs`; the reason it failed otherwise. */
export async function openConnection(
  receiver: DeliveryReceiver,
  timeoutMs: number,
  clock: DeliveryClock,
): Promise<Connected> {
  let socket: Socket;
  try {
    const tls = receiver.tls;
    socket = tls
      ? tlsConnect({
          host: receiver.host,
          port: receiver.port,
          servername: tls.servername ?? receiver.host,
          ...(tls.ca && { ca: readFileSync(tls.ca) }),
          ...(tls.cert && { cert: readFileSync(tls.cert) }),
          ...(tls.key && { key: readFileSync(tls.key) }),
        })
      : netConnect({ host: receiver.host, port: receiver.port });
  } catch (e) {
    return { ok: false, why: `no connection: ${(e as Error).message}` };
  }
  const timer = new AbortController();
  const connected = new Promise<Connected>((resolve) => {
    socket.once(receiver.tls ? "secureConnect" : "connect", () =>
      resolve({ ok: true, connection: new MllpConnection(socket, clock) }),
    );
    socket.once("error", (e: NodeJS.ErrnoException) =>
      resolve({ ok: false, why: `no connection: ${e.code ?? e.message}` }),
    );
    clock.sleep(timeoutMs, timer.signal).then(() => {
      if (!timer.signal.aborted) {
        resolve({ ok: false, why: `no connection within ${timeoutMs / 1000} s (connect timeout)` });
      }
    });
  });
  const result = await connected;
  timer.abort();
  if (!result.ok) socket.destroy();
  return result;
}

export class MllpConnection {
  private readonly decoder = new MllpDecoder();
  private readonly frames: Uint8Array[] = [];
  private closedWhy: string | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly clock: DeliveryClock,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (data: Buffer) => {
      for (const event of this.decoder.push(data)) {
        if (event.kind === "frame") this.frames.push(event.bytes);
      }
      this.wake?.();
    });
    socket.on("error", (e: NodeJS.ErrnoException) => {
      this.closedWhy ??= `connection lost: ${e.code ?? e.message}`;
      this.wake?.();
    });
    socket.on("close", () => {
      this.closedWhy ??= "the receiver closed the connection";
      this.wake?.();
    });
  }

  get open(): boolean {
    return this.closedWhy === undefined;
  }

  /** Drop frames left from an earlier exchange. */
  discard(): void {
    this.frames.length = 0;
  }

  send(bytes: Uint8Array): void {
    this.socket.write(encodeFrame(bytes));
  }

  /** The next frame, or why none came within `timeoutMs`. */
  async next(timeoutMs: number): Promise<Reply> {
    if (timeoutMs <= 0 && this.frames.length === 0) return { kind: "timeout" };
    const timer = new AbortController();
    let timedOut = false;
    const expired = this.clock.sleep(timeoutMs, timer.signal).then(() => {
      timedOut = !timer.signal.aborted;
      this.wake?.();
    });
    try {
      for (;;) {
        const frame = this.frames.shift();
        if (frame) return { kind: "frame", bytes: frame };
        if (this.closedWhy !== undefined) return { kind: "closed", why: this.closedWhy };
        if (timedOut) return { kind: "timeout" };
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
      }
    } finally {
      timer.abort();
      await expired;
    }
  }

  close(): void {
    this.closedWhy ??= "closed by the sender";
    this.socket.destroy();
  }
}
