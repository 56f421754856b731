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
}

/** Files in the order given, all under one fixed clock. */
export function fileInputs(
  files: readonly { readonly path: string; readonly bytes: Uint8Array }[],
  now: Date,
): ReplayInput[] {
  return files.map((f) => ({
    source: f.path,
    bytes: f.bytes,
    now,
    receivedAt: now.toISOString(),
    sender: `file:${f.path}`,
  }));
}
