import { fieldOf, leafValue, messageType } from "../hl7/access.js";
import {
  type AckCode,
  type AckCondition,
  type AckError,
  type AckSeverity,
  ackCondition,
  buildAck,
  hl7Timestamp,
} from "../hl7/ack.js";
import { STANDARD_DELIMITERS } from "../hl7/delimiters.js";
import type { Hl7Message, Hl7Segment } from "../hl7/tree.js";
import type { Outcome, QueueState } from "../model/outcome.js";
import type { AckOptions } from "../pack/queue-options.js";
import { isEnhancedSender } from "../pack/queue-options.js";

/**
 * The listener's ACK rules (docs/ack-codes.md) over outcomes: which code a
 * message earns and the ACK text for it. engine/hl7/ack.ts builds the bytes
 * from plain inputs; this is where outcomes become those inputs.
 */

const SEVERITY: Readonly<Record<string, AckSeverity>> = { error: "E", warning: "W", info: "I" };

/** States in which a message waits in the queue for a person. */
const HELD = new Set<QueueState>(["ERROR", "CBOERROR", "ATHENAERROR"]);

/** Errors that mean the message was not accepted at all: AR, or CR in enhanced mode. */
const REJECTING = new Set([
  "PARSE_ERROR",
  "UNSUPPORTED_VERSION",
  "UNSUPPORTED_PROCESSING_ID",
  "FRAME_MESSAGE_LIMIT",
]);

export function isRejected(outcomes: readonly Outcome[]): boolean {
  return outcomes.some((o) =>
    o.errors.some((e) => e.severity === "error" && REJECTING.has(e.code)),
  );
}

export function isDuplicate(outcome: Outcome): boolean {
  return outcome.errors.some((e) => e.code === "DUPLICATE");
}

/** The application ACK code, as original mode answers: AR rejected, `acks.held` held, else AA. */
export function applicationCode(outcomes: readonly Outcome[], acks: AckOptions): AckCode {
  if (isRejected(outcomes)) return "AR";
  return outcomes.some((o) => HELD.has(o.state)) ? acks.held : "AA";
}

/**
 * The ERR segments of the outcomes: an error repeated word for word across
 * a frame's messages (FRAME_MESSAGE_LIMIT for each message past the limit)
 * is listed once.
 */
export function ackErrors(outcomes: readonly Outcome[]): AckError[] {
  const seen = new Set<string>();
  return outcomes.flatMap((o) =>
    o.errors.flatMap((e) => {
      const error: AckError = {
        code: e.code,
        severity: SEVERITY[e.severity] ?? "E",
        message: e.message,
        ...(e.field !== undefined && { field: e.field }),
        ...(e.table !== undefined && { table: e.table }),
      };
      const key = JSON.stringify(error);
      if (seen.has(key)) return [];
      seen.add(key);
      return [error];
    }),
  );
}

export const STORE_FAILED: AckError = {
  code: "STORE_FAILED",
  severity: "E",
  message: "the message could not be stored: resend it",
};

export type AckMode =
  | { readonly enhanced: false }
  | {
      readonly enhanced: true;
      /** MSH-15: when to send the commit ACK. */
      readonly commit: AckCondition;
      /** MSH-16: when to send the application ACK. */
      readonly application: AckCondition;
    };

/** Enhanced mode for the senders the pack names (`acks.enhanced`), original for everyone else. */
export function ackMode(acks: AckOptions, message: Hl7Message | undefined): AckMode {
  const msh = message?.segments[0];
  if (!message || msh?.name !== "MSH") return { enhanced: false };
  const app = leafValue(msh, 3) ?? "";
  const facility = leafValue(msh, 4) ?? "";
  if (!isEnhancedSender(acks, app, facility)) return { enhanced: false };
  return {
    enhanced: true,
    commit: ackCondition(leafValue(msh, 15) ?? undefined),
    application: ackCondition(leafValue(msh, 16) ?? undefined),
  };
}

function components(segment: Hl7Segment | undefined, n: number): string[] {
  const rep = fieldOf(segment, n)?.[0] ?? [];
  return rep.map((c) => c[0]?.value ?? "");
}

let ackCounter = 0;
function newControlId(now: Date): string {
  ackCounter = (ackCounter + 1) % 36 ** 6;
  return `RP${now.getTime().toString(36).toUpperCase()}${ackCounter.toString(36).toUpperCase().padStart(6, "0")}`.slice(
    0,
    20,
  );
}

/** The ACK answering `message` (when it could be read) with this code and these errors. */
export function ackMessage(
  message: Hl7Message | undefined,
  ackCode: AckCode,
  errors: readonly AckError[],
  now: Date,
): string {
  const msh = message?.segments[0];
  const accepted = ackCode === "AA" || ackCode === "CA";
  return buildAck({
    delimiters: message?.delimiters ?? STANDARD_DELIMITERS,
    sendingApplication: components(msh, 3),
    sendingFacility: components(msh, 4),
    receivingApplication: components(msh, 5),
    receivingFacility: components(msh, 6),
    trigger: message ? messageType(message).trigger : "",
    controlId: newControlId(now),
    timestamp: hl7Timestamp(now),
    processingId: leafValue(msh, 11) ?? "P",
    version: leafValue(msh, 12) ?? "",
    ...(leafValue(msh, 18) && { charset: leafValue(msh, 18) ?? "" }),
    ackCode,
    messageControlId: leafValue(msh, 10) ?? "",
    ...(!accepted && errors[0] ? { text: errors[0].message } : {}),
    errors,
  });
}

const ACK_CODES: ReadonlySet<string> = new Set<AckCode>(["AA", "AE", "AR", "CA", "CE", "CR"]);

/** MSA-1 of an ACK we built (a stored one, answered again to a duplicate). */
export function ackCodeOf(ack: string): AckCode | undefined {
  const code = /(?:^|\r)MSA(.)([A-Z]{2})/.exec(ack)?.[2];
  return code !== undefined && ACK_CODES.has(code) ? (code as AckCode) : undefined;
}
