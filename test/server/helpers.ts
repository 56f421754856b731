import { connect } from "node:net";
import { encodeFrame, MllpDecoder } from "../../engine/hl7/mllp.js";

export interface ClientResult {
  readonly acks: string[];
  /** The server closed the connection. */
  readonly closed: boolean;
}

/**
 * A small MLLP client on loopback: writes each chunk as one write (a few ms
 * apart, so that split frames arrive in several reads), collects `expect`
 * ACK frames, then ends. Bounded by `timeoutMs`.
 */
export function mllpExchange(
  port: number,
  chunks: readonly Uint8Array[],
  expect: number,
  options: { readonly timeoutMs?: number; readonly keepOpen?: boolean } = {},
): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1" });
    const decoder = new MllpDecoder();
    const acks: string[] = [];
    let closed = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`timed out with ${acks.length}/${expect} ACKs`));
    }, options.timeoutMs ?? 10_000);
    const done = () => {
      clearTimeout(timer);
      resolve({ acks, closed });
    };
    socket.on("data", (data) => {
      for (const e of decoder.push(data)) {
        if (e.kind === "frame") acks.push(Buffer.from(e.bytes).toString("utf8"));
      }
      if (acks.length >= expect && !options.keepOpen) {
        socket.end();
        done();
      }
    });
    socket.on("end", () => {
      closed = true;
      if (options.keepOpen || acks.length < expect) done();
    });
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on("connect", async () => {
      for (const chunk of chunks) {
        socket.write(chunk);
        await new Promise((r) => setTimeout(r, 5));
      }
    });
  });
}

/** Frames for these payloads, joined into one buffer. */
export function framed(...payloads: (string | Uint8Array)[]): Buffer {
  return Buffer.concat(payloads.map((p) => encodeFrame(p)));
}

/** Cut a buffer into pieces of at most `size` bytes. */
export function pieces(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}
