import { connect } from "node:net";
import { expect } from "vitest";
import { type ServeOptions, serveCommand } from "../../engine/cli/serve-command.js";
import { encodeFrame, MllpDecoder } from "../../engine/hl7/mllp.js";
import type { CliIo } from "../../engine/io/cli-io.js";
import type { QueueState } from "../../engine/model/outcome.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { Store } from "../../engine/store/types.js";

/** The example practice the listener tests serve, with its master data beside it. */
export const SERVE_PACK = "rules/practices/harbor-ortho/pack.yaml";

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

export interface Served {
  readonly port: number;
  readonly db: string;
  readonly stderr: string[];
  stop(): Promise<number>;
}

/** `rulepack serve --mllp 0` in-process, with master data beside the pack. */
export async function serve(
  db: string,
  idleTimeoutMs?: number,
  extra: Partial<ServeOptions> = {},
): Promise<Served> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIo = { stdout: (t) => stdout.push(t), stderr: (t) => stderr.push(t) };
  let release = () => {};
  const stop = new Promise<void>((r) => {
    release = r;
  });
  const running = serveCommand(
    {
      pack: SERVE_PACK,
      db,
      port: 0,
      host: "127.0.0.1",
      stop,
      ...(idleTimeoutMs !== undefined && { idleTimeoutMs }),
      ...extra,
    },
    io,
  );
  for (let i = 0; i < 500 && !stdout.join("").includes("ready port="); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const port = Number(/ready port=(\d+)/.exec(stdout.join(""))?.[1]);
  expect(port).toBeGreaterThan(0);
  return {
    port,
    db,
    stderr,
    async stop() {
      release();
      return (await running).exitCode;
    },
  };
}

export async function states(
  db: string,
): Promise<{ controlId: string; state: string; sender: string }[]> {
  const store = openSqliteStore(db);
  try {
    return (await store.messages()).map((m) => ({
      controlId: m.controlId,
      state: m.state,
      sender: m.sender,
    }));
  } finally {
    await store.close();
  }
}

/** A message received at `at` and completed in `state` then, with nothing applied. */
export async function queueMessage(
  store: Store,
  controlId: string,
  state: QueueState,
  at: string,
): Promise<string> {
  const messageId = await store.receive({
    raw: new Uint8Array(),
    receivedAt: at,
    sender: "test",
    controlId,
    messageType: "ADT^A04",
    direction: "inbound",
  });
  await store.complete(
    {
      messageId,
      controlId,
      messageType: "ADT^A04",
      state,
      actions: [],
      errors: [],
      review: [],
      trace: [],
    },
    { kind: "receive", now: at },
  );
  return messageId;
}
