/**
 * Bounds on one message read from an input, so that a sender cannot make the
 * engine build an unbounded tree (a 15 MB message of 125 PID segments was
 * read whole into 650 MB and PROCESSED). A message over a bound is an error
 * (MESSAGE_TOO_LARGE) at the line where it went over; its remaining lines
 * are kept unparsed, so it is still stored as received.
 *
 * The defaults sit far above any ADT, SIU or DFT a practice system sends
 * (the largest corpus message is 15 KB and 150 segments) and below the
 * listener's 16 MiB frame.
 */
export interface ReadLimits {
  /** Segments one message may hold, MSH included. */
  readonly maxSegments: number;
  /** Characters one message may hold, segment terminators included. */
  readonly maxMessageChars: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = Object.freeze({
  maxSegments: 5_000,
  maxMessageChars: 4 * 1024 * 1024,
});

export function readLimits(given: Partial<ReadLimits> = {}): ReadLimits {
  return { ...DEFAULT_READ_LIMITS, ...given };
}
