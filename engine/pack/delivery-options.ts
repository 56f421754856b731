/**
 * What `outbound.delivery` (docs/pack-language.md §19, Sending, decision 0025)
 * compiles to (sections/delivery.ts): the receiver the queued outbound
 * messages are sent to over MLLP, and how.
 */

export type DeliveryAckMode = "original" | "enhanced";

/** queue: one at a time in queue order; patient: in order per patient, patients in parallel. */
export type DeliveryOrdering = "queue" | "patient";

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

export interface DeliveryTls {
  /** PEM files, resolved against the pack file that names them. */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly servername?: string;
}

export interface DeliveryReceiver {
  readonly host: string;
  readonly port: number;
  readonly tls?: DeliveryTls;
  /** `host:port`: how the queue and `rulepack status` name the receiver. */
  readonly name: string;
}

/** A send window in practice-local time: minutes from midnight, `to` after `from`. */
export interface SendWindow {
  /** Absent: every day. */
  readonly days?: ReadonlySet<Weekday>;
  readonly fromMinute: number;
  readonly toMinute: number;
}

export interface RetrySchedule {
  readonly initialMs: number;
  readonly factor: number;
  readonly maxMs: number;
}

export interface DeliveryOptions {
  /** Absent: nothing is sent (outbound messages wait NEW). */
  readonly receiver?: DeliveryReceiver;
  readonly connectTimeoutMs: number;
  readonly ackTimeoutMs: number;
  readonly retry: RetrySchedule;
  readonly maxAttempts: number;
  readonly ackMode: DeliveryAckMode;
  readonly ordering: DeliveryOrdering;
  /** Parallel connections (1 with queue ordering). */
  readonly connections: number;
  /** Absent: always open. */
  readonly windows?: readonly SendWindow[];
  /** The practice's time zone, the windows' clock. */
  readonly timeZone: string;
  /** 0: off. */
  readonly unreachableAlertMinutes: number;
}
