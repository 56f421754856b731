import { leafValue, segmentsNamed } from "../hl7/access.js";
import { parseHl7 } from "../hl7/parse.js";
import type { DeliveryAckMode } from "../pack/delivery-options.js";

/**
 * What the receiver's answer means (decision 0025), as one table: the ACK
 * mode, MSA-1 and, for AR, whether ERR-3 names an error retrying cannot
 * fix (HL7 table 0357: 200 unsupported message type, 201 event, 202
 * processing ID, 203 version). Anything the table does not hold — no MSA,
 * an unknown code, an ACK for another message — is not an answer: the
 * message stays PENDING and is sent again.
 */

export type AckVerdict =
  /** The receiver took the message: PROCESSED. */
  | "delivered"
  /** The receiver refused it for good: ERROR ACK_REJECTED. */
  | "rejected"
  /** Not now: PENDING, sent again on the retry schedule. */
  | "retry"
  /** Enhanced mode's commit ACK: wait for the application ACK on the same connection. */
  | "awaitApplication";

interface AckRule {
  readonly mode: DeliveryAckMode;
  readonly code: string;
  /** The rule holds only when ERR-3 is (true) or is not (false) one of 200-203. */
  readonly permanent?: boolean;
  readonly verdict: AckVerdict;
}

/** ERR-3 codes that no resend fixes. */
const PERMANENT_ERRORS: ReadonlySet<string> = new Set(["200", "201", "202", "203"]);

export const ACK_TABLE: readonly AckRule[] = [
  { mode: "original", code: "AA", verdict: "delivered" },
  { mode: "original", code: "AE", verdict: "rejected" },
  { mode: "original", code: "AR", permanent: true, verdict: "rejected" },
  { mode: "original", code: "AR", permanent: false, verdict: "retry" },
  { mode: "enhanced", code: "CA", verdict: "awaitApplication" },
  { mode: "enhanced", code: "CR", verdict: "rejected" },
  { mode: "enhanced", code: "CE", verdict: "retry" },
  // The application ACK that follows a CA (or comes alone).
  { mode: "enhanced", code: "AA", verdict: "delivered" },
  { mode: "enhanced", code: "AE", verdict: "rejected" },
  { mode: "enhanced", code: "AR", permanent: true, verdict: "rejected" },
  { mode: "enhanced", code: "AR", permanent: false, verdict: "retry" },
];

export interface AckReading {
  readonly verdict: AckVerdict;
  /** MSA-1, when there was one. */
  readonly code?: string;
  /** Why, for the message's story: MSA-3 and the ERR segments' codes and texts, or what was wrong. */
  readonly detail: string;
  /** ERR-3.1 codes, in order. */
  readonly errorCodes: readonly string[];
}

/** Read one ACK frame for the message with MSH-10 `controlId`. */
export function readAck(bytes: Uint8Array, mode: DeliveryAckMode, controlId: string): AckReading {
  const message = parseHl7(bytes).messages[0];
  const msa = message && segmentsNamed(message, "MSA")[0];
  if (!msa) return { verdict: "retry", detail: "garbled ACK: no MSA segment", errorCodes: [] };
  const code = leafValue(msa, 1) ?? "";
  const about = leafValue(msa, 2) ?? "";
  if (about !== controlId) {
    return {
      verdict: "retry",
      code,
      detail: `an ACK for another message (MSA-2 ${about || "empty"}, not ${controlId})`,
      errorCodes: [],
    };
  }
  const errs = segmentsNamed(message, "ERR");
  const errorCodes = errs.map((e) => leafValue(e, 3) ?? "").filter((c) => c !== "");
  const texts = [
    leafValue(msa, 3),
    ...errs.map((e) => {
      const c = leafValue(e, 3);
      const text = leafValue(e, 8) ?? leafValue(e, 3, 1, 2);
      return c ? `ERR-3 ${c}${text ? ` ${text}` : ""}` : text;
    }),
  ].filter((t): t is string => !!t);
  const permanent = errorCodes.some((c) => PERMANENT_ERRORS.has(c));
  const rule = ACK_TABLE.find(
    (r) =>
      r.mode === mode &&
      r.code === code &&
      (r.permanent === undefined || r.permanent === permanent),
  );
  const detail = [`MSA-1 ${code}`, ...texts].join(": ");
  if (!rule) {
    return {
      verdict: "retry",
      code,
      detail: `MSA-1 ${code || "empty"} is not an answer in ${mode} mode`,
      errorCodes,
    };
  }
  return { verdict: rule.verdict, code, detail, errorCodes };
}
