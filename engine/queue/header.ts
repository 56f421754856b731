import { createHash } from "node:crypto";
import { controlId, fieldOf, leafValue, messageTypeName, versionId } from "../hl7/access.js";
import { serializeMessage } from "../hl7/serialize.js";
import type { Hl7Message, Hl7Segment } from "../hl7/tree.js";
import type { OutcomeError } from "../model/outcome.js";
import type { QueueOptions } from "../pack/queue-options.js";
import type { ReceivedMessage } from "../store/types.js";

/**
 * What the queue records of a message's header before processing it: the
 * transport-duplicate key, the sender's patient identifier, and whether
 * the interface accepts its MSH-11 and MSH-12 (`queue.accept`).
 */

type Header = Pick<
  ReceivedMessage,
  | "controlId"
  | "messageType"
  | "sendingApplication"
  | "sendingFacility"
  | "contentHash"
  | "patientKey"
>;

/** `hash`: compute the content hash (only a queue that looks for duplicates needs it). */
export function headerOf(message: Hl7Message, hash: boolean): Header {
  const msh = message.segments[0];
  const pid = message.segments.find((s) => s.name === "PID");
  const repetition = patientIdRepetition(pid);
  const id = leafValue(pid, 3, repetition, 1);
  const authority = leafValue(pid, 3, repetition, 4);
  return {
    controlId: controlId(message),
    messageType: messageTypeName(message),
    sendingApplication: leafValue(msh, 3) ?? "",
    sendingFacility: leafValue(msh, 4) ?? "",
    ...(hash && { contentHash: contentHash(message) }),
    ...(id && { patientKey: authority ? `${id}^^^${authority}` : id }),
  };
}

/**
 * Which PID-3 repetition names the patient for the queue: the medical record
 * number (PID-3.5 `MR`) when one is sent, else the first. Senders order
 * repetitions differently per message type; the MRN is the one they agree on.
 */
function patientIdRepetition(pid: Hl7Segment | undefined): number {
  const reps = fieldOf(pid, 3) ?? [];
  const mr = reps.findIndex((rep) => rep[4]?.[0]?.value?.toUpperCase() === "MR");
  return mr < 0 ? 1 : mr + 1;
}

/**
 * SHA-256 of the message as received with MSH-7 blanked: a resend differs
 * from the original at most in its send time.
 */
export function contentHash(message: Hl7Message): string {
  const text = serializeMessage(message);
  const end = text.search(/[\r\n]/);
  const msh = end < 0 ? text : text.slice(0, end);
  const fields = msh.split(message.delimiters.field);
  // fields[0] is "MSH", fields[1] the encoding characters: MSH-n is fields[n - 1].
  if (fields.length > 6) fields[6] = "";
  return createHash("sha256")
    .update(fields.join(message.delimiters.field) + (end < 0 ? "" : text.slice(end)))
    .digest("hex");
}

/** Errors for a header the pack does not accept (MSH-11, MSH-12); empty when accepted. */
export function headerErrors(message: Hl7Message, accept: QueueOptions["accept"]): OutcomeError[] {
  const errors: OutcomeError[] = [];
  const processingId = leafValue(message.segments[0], 11) ?? "";
  if (accept.processingIds && !accept.processingIds.has(processingId)) {
    errors.push({
      code: "UNSUPPORTED_PROCESSING_ID",
      severity: "error",
      field: "MSH.11",
      value: processingId,
      message: `processing ID '${processingId}' (MSH-11) is not accepted by this interface (queue.accept.processingIds: ${[...accept.processingIds].join(", ")})`,
    });
  }
  const version = versionId(message);
  if (accept.versions && !accept.versions.has(version)) {
    errors.push({
      code: "UNSUPPORTED_VERSION",
      severity: "error",
      field: "MSH.12",
      value: version,
      message: `HL7 version '${version}' (MSH-12) is not accepted by this interface (queue.accept.versions)`,
    });
  }
  return errors;
}
