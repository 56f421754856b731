/**
 * What the `queue` and `acks` sections (docs/pack-language.md §20) compile
 * to (sections/queue.ts, sections/acks.ts), with their defaults written out.
 */

export type ProcessingId = "P" | "T" | "D";

export interface QueueOptions {
  /** Absent: any value is accepted (real senders leave MSH-11/12 empty or use local versions). */
  readonly accept: {
    readonly versions?: ReadonlySet<string>;
    readonly processingIds?: ReadonlySet<string>;
  };
  /** 0: off. */
  readonly duplicateWindowHours: number;
  readonly retentionDays: { readonly PROCESSED: number; readonly DELETED: number };
  readonly alerts: AlertOptions;
  /** The MLLP listener's limits (absent: the listener's defaults). */
  readonly listener?: { readonly maxMessagesPerFrame: number };
}

export interface AlertOptions {
  readonly errorCount: number;
  readonly oldestErrorHours: number;
  readonly athenaError: boolean;
  /** 0: off. */
  readonly idleMinutes: number;
  readonly command?: readonly string[];
}

export interface AckOptions {
  /** MSA-1 for a message held in the queue (ERROR, CBOERROR, ATHENAERROR); docs/ack-codes.md. */
  readonly held: "AA" | "AE";
  /** Senders answered in enhanced mode; everyone else in original mode. */
  readonly enhanced: readonly EnhancedSender[];
}

export interface EnhancedSender {
  readonly sendingApplication: string;
  readonly sendingFacility?: string;
}

/** Whether MSH-3.1 / MSH-4.1 name a sender the pack answers in enhanced mode. */
export function isEnhancedSender(
  acks: AckOptions,
  sendingApplication: string,
  sendingFacility: string,
): boolean {
  return acks.enhanced.some(
    (s) =>
      s.sendingApplication === sendingApplication &&
      (s.sendingFacility === undefined || s.sendingFacility === sendingFacility),
  );
}
