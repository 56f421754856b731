/**
 * MLLP framing (HL7 v2 Minimal Lower Layer Protocol, release 2): each
 * message travels as VT, the bytes, FS, CR. The decoder takes the bytes of
 * a stream as they arrive: a frame may be split across reads and one read
 * may hold several frames. Bytes between frames are dropped and counted; a
 * frame longer than the maximum is dropped whole and reported.
 */

export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

/** The default maximum frame size (payload bytes). */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

export type MllpEvent =
  | { readonly kind: "frame"; readonly bytes: Uint8Array }
  | {
      readonly kind: "oversize";
      readonly bytes: number;
      /** The frame's first bytes (at most OVERSIZE_HEAD_BYTES): its MSH, for the queue and the ACK. */
      readonly head: Uint8Array;
    };

/** How much of a frame over the maximum is kept. */
export const OVERSIZE_HEAD_BYTES = 64 * 1024;

export function encodeFrame(payload: Uint8Array | string): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : Buffer.from(payload);
  return Buffer.concat([Buffer.from([VT]), body, Buffer.from([FS, CR])]);
}

export class MllpDecoder {
  private readonly maxFrameBytes: number;
  private chunks: Buffer[] = [];
  private size = 0;
  private inFrame = false;
  /** The frame went over the maximum: its bytes are dropped until its FS. */
  private discarding = false;
  private head: Uint8Array = new Uint8Array();
  /** An FS ended the last read; a CR may follow in the next one. */
  private pendingFs = false;
  /** Bytes outside any frame, dropped. */
  stray = 0;

  constructor(options: { readonly maxFrameBytes?: number } = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** The whole frames this read completes, in order. */
  push(data: Uint8Array): MllpEvent[] {
    const events: MllpEvent[] = [];
    let i = 0;
    if (this.pendingFs) {
      this.pendingFs = false;
      if (data.length > 0 && data[0] === CR) i = 1;
    }
    while (i < data.length) {
      if (!this.inFrame) {
        const start = data.indexOf(VT, i);
        if (start < 0) {
          this.stray += data.length - i;
          break;
        }
        this.stray += start - i;
        this.inFrame = true;
        i = start + 1;
        continue;
      }
      const end = data.indexOf(FS, i);
      const stop = end < 0 ? data.length : end;
      this.append(data.subarray(i, stop));
      if (end < 0) break;
      events.push(this.finish());
      i = end + 1;
      if (i >= data.length) this.pendingFs = true;
      else if (data[i] === CR) i += 1;
    }
    return events;
  }

  /** Bytes of an unfinished frame held so far. */
  get buffered(): number {
    return this.size;
  }

  private append(part: Uint8Array): void {
    if (part.length === 0) return;
    if (this.discarding) {
      this.size += part.length;
      return;
    }
    if (this.size + part.length > this.maxFrameBytes) {
      this.discarding = true;
      this.head = Buffer.concat([...this.chunks, part]).subarray(0, OVERSIZE_HEAD_BYTES);
      this.chunks = [];
      this.size += part.length;
      return;
    }
    this.chunks.push(Buffer.from(part));
    this.size += part.length;
  }

  private finish(): MllpEvent {
    const event: MllpEvent = this.discarding
      ? { kind: "oversize", bytes: this.size, head: this.head }
      : { kind: "frame", bytes: Buffer.concat(this.chunks) };
    this.chunks = [];
    this.size = 0;
    this.inFrame = false;
    this.discarding = false;
    this.head = new Uint8Array();
    return event;
  }
}
