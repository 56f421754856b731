import { describe, expect, it } from "vitest";
import { encodeFrame, MllpDecoder, type MllpEvent } from "../../engine/hl7/mllp.js";

const text = (events: MllpEvent[]) =>
  events.map((e) => (e.kind === "frame" ? Buffer.from(e.bytes).toString() : `oversize:${e.bytes}`));

describe("MLLP framing", () => {
  it("encodes VT payload FS CR", () => {
    expect([...encodeFrame("AB")]).toEqual([0x0b, 0x41, 0x42, 0x1c, 0x0d]);
  });

  it("decodes several frames in one read", () => {
    const d = new MllpDecoder();
    const data = Buffer.concat([encodeFrame("one"), encodeFrame("two"), encodeFrame("three")]);
    expect(text(d.push(data))).toEqual(["one", "two", "three"]);
  });

  it("decodes a frame split across reads at every byte", () => {
    const data = Buffer.concat([encodeFrame("MSH|first\r"), encodeFrame("MSH|second\r")]);
    for (let cut = 0; cut <= data.length; cut++) {
      const d = new MllpDecoder();
      const events = [...d.push(data.subarray(0, cut)), ...d.push(data.subarray(cut))];
      expect(text(events)).toEqual(["MSH|first\r", "MSH|second\r"]);
      expect(d.stray).toBe(0);
    }
  });

  it("decodes one byte per read", () => {
    const d = new MllpDecoder();
    const data = Buffer.concat([encodeFrame("a"), encodeFrame("b")]);
    const events = [...data].flatMap((b) => d.push(Uint8Array.of(b)));
    expect(text(events)).toEqual(["a", "b"]);
  });

  it("drops and counts bytes between frames; accepts FS without CR", () => {
    const d = new MllpDecoder();
    const data = Buffer.concat([
      Buffer.from("junk"),
      encodeFrame("a"),
      Buffer.from("\r\n"),
      Buffer.from([0x0b, 0x62, 0x1c]),
      encodeFrame("c"),
    ]);
    expect(text(d.push(data))).toEqual(["a", "b", "c"]);
    expect(d.stray).toBe(6);
  });

  it("reports a frame over the maximum and goes on with the next", () => {
    const d = new MllpDecoder({ maxFrameBytes: 10 });
    const big = encodeFrame("x".repeat(25));
    const events = [
      ...d.push(big.subarray(0, 8)),
      ...d.push(big.subarray(8)),
      ...d.push(encodeFrame("ok")),
    ];
    expect(text(events)).toEqual(["oversize:25", "ok"]);
    expect(d.buffered).toBe(0);
  });

  it("holds an unfinished frame", () => {
    const d = new MllpDecoder();
    expect(d.push(Buffer.from("\x0bMSH|partial"))).toEqual([]);
    expect(d.buffered).toBe(11);
  });
});
