import type { PracticeEvent } from "../outbound/events.js";

/**
 * What a diff replays: one received input (a file's bytes, or a queued
 * message's stored bytes) with the clock it was decided under and when it
 * was received, in receipt order. Both packs get exactly these.
 */
export interface ReplayInput {
  /** Where it came from, for the report: a file path or a queue message ID. */
  readonly source: string;
  readonly bytes: Uint8Array;
  /** The clock the decisions use: the queue's recorded `now`, or the fixed clock of a file run. */
  readonly now: Date;
  /** ISO-8601 receipt time. */
  readonly receivedAt: string;
  readonly sender: string;
  /**
   * A practice event (a FILE holding event JSON, as `rulepack outbound`
   * takes): sent through the pack's outbound path, each leg one outcome.
   * Absent: `bytes` are received as inbound HL7.
   */
  readonly event?: PracticeEvent;
}

/** Files in the order given, all under one fixed clock. */
export function fileInputs(
  files: readonly {
    readonly path: string;
    readonly bytes: Uint8Array;
    readonly event?: PracticeEvent;
  }[],
  now: Date,
): ReplayInput[] {
  return files.map((f) => ({
    source: f.path,
    bytes: f.bytes,
    now,
    receivedAt: now.toISOString(),
    sender: `file:${f.path}`,
    ...(f.event && { event: f.event }),
  }));
}

/**
 * Whether a FILE holds a practice event rather than HL7: its first
 * non-blank byte opens a JSON object (HL7 starts with a segment name or
 * MLLP's start byte, never `{`).
 */
export function isEventJson(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (
      b === 0x20 ||
      b === 0x09 ||
      b === 0x0a ||
      b === 0x0d ||
      b === 0xef ||
      b === 0xbb ||
      b === 0xbf
    )
      continue;
    return b === 0x7b;
  }
  return false;
}
