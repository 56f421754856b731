/**
 * The `queue` and `acks` sections (docs/pack-language.md §20) with their
 * defaults written out, compiled once per pack.
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

export interface RawQueue {
  accept?: { versions?: string[]; processingIds?: ProcessingId[] };
  duplicates?: { windowHours?: number };
  retentionDays?: { PROCESSED?: number; DELETED?: number };
  alerts?: Partial<Omit<AlertOptions, "command">> & { command?: string[] };
  listener?: { maxMessagesPerFrame?: number };
}

export interface RawAcks {
  held?: "AA" | "AE";
  enhanced?: EnhancedSender[];
}

export function compileQueueOptions(raw: RawQueue | undefined): QueueOptions {
  const alerts = raw?.alerts;
  return {
    accept: {
      ...(raw?.accept?.versions && { versions: new Set(raw.accept.versions) }),
      ...(raw?.accept?.processingIds && { processingIds: new Set(raw.accept.processingIds) }),
    },
    duplicateWindowHours: raw?.duplicates?.windowHours ?? 24,
    retentionDays: {
      PROCESSED: raw?.retentionDays?.PROCESSED ?? 90,
      DELETED: raw?.retentionDays?.DELETED ?? 90,
    },
    alerts: {
      errorCount: alerts?.errorCount ?? 25,
      oldestErrorHours: alerts?.oldestErrorHours ?? 24,
      athenaError: alerts?.athenaError ?? true,
      idleMinutes: alerts?.idleMinutes ?? 0,
      ...(alerts?.command && { command: alerts.command }),
    },
    listener: { maxMessagesPerFrame: raw?.listener?.maxMessagesPerFrame ?? 1000 },
  };
}

export function compileAckOptions(raw: RawAcks | undefined): AckOptions {
  return { held: raw?.held ?? "AA", enhanced: raw?.enhanced ?? [] };
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
