import { encodeTextLossy } from "./charset.js";
import { encodingCharacters } from "./delimiters.js";
import { escapeText } from "./escape.js";
import type { Hl7Delimiters } from "./tree.js";

/**
 * Acknowledgements (v2.5.1 section 2.9.2 original mode, 2.9.3 enhanced
 * mode), built from plain inputs so that the listener, tests and any other
 * caller can use them without the engine's types. docs/ack-codes.md lists
 * how our error codes map onto HL7 table 0357.
 */

/** Application ACK codes (AA/AE/AR) and enhanced-mode commit ACK codes (CA/CE/CR). */
export type AckCode = "AA" | "AE" | "AR" | "CA" | "CE" | "CR";

/** HL7 table 0155: when MSH-15 / MSH-16 ask for an acknowledgment. */
export type AckCondition = "AL" | "NE" | "ER" | "SU";

const CONDITIONS: Readonly<Record<AckCondition, (code: AckCode) => boolean>> = {
  AL: () => true,
  NE: () => false,
  ER: (code) => code !== "AA" && code !== "CA",
  SU: (code) => code === "AA" || code === "CA",
};

/** MSH-15/MSH-16 read as table 0155; empty (or a value outside it) is AL. */
export function ackCondition(value: string | undefined): AckCondition {
  const v = (value ?? "").trim().toUpperCase();
  return Object.hasOwn(CONDITIONS, v) ? (v as AckCondition) : "AL";
}

/** Whether an acknowledgment with this code is sent under this MSH-15/16 condition. */
export function ackWanted(condition: AckCondition, code: AckCode): boolean {
  return CONDITIONS[condition](code);
}

/** HL7 table 0516: E error, W warning, I information. */
export type AckSeverity = "E" | "W" | "I";

export interface AckError {
  /** Our error code, e.g. `REQUIRED_FIELD_MISSING`. */
  readonly code: string;
  readonly severity: AckSeverity;
  readonly message: string;
  /** The field to blame, e.g. `PID.7`. */
  readonly field?: string;
  /** The mapping table of a failed lookup (a table name, never a value). */
  readonly table?: string;
}

export interface AckInput {
  readonly delimiters: Hl7Delimiters;
  /** The received message's MSH-3..MSH-6, each as its components (unescaped text). */
  readonly sendingApplication: readonly string[];
  readonly sendingFacility: readonly string[];
  readonly receivingApplication: readonly string[];
  readonly receivingFacility: readonly string[];
  /** MSH-9.2 of the received message, e.g. `A04`. */
  readonly trigger: string;
  /** The ACK's own MSH-10, new, given by the caller. */
  readonly controlId: string;
  /** The ACK's MSH-7, an HL7 DTM (see `hl7Timestamp`). */
  readonly timestamp: string;
  /** MSH-11 of the received message, echoed; `P` when absent. */
  readonly processingId: string;
  /** MSH-12 of the received message, echoed; `2.5.1` when absent. */
  readonly version: string;
  /** MSH-18 of the received message, echoed: the ACK is written in that set (`ackBytes`). */
  readonly charset?: string;
  readonly ackCode: AckCode;
  /** MSA-2: the received message's MSH-10. */
  readonly messageControlId: string;
  /** MSA-3 text (versions before 2.5 only). */
  readonly text?: string;
  readonly errors: readonly AckError[];
}

/** Every ACK, MLLP framing included, stays under this many bytes. */
export const MAX_ACK_BYTES = 4096;
const FRAMING_BYTES = 3;
const MAX_TEXT = 200;

/** HL7 table 0357 (message error condition codes) and their text. */
export const HL7_ERROR_TEXT: Readonly<Record<string, string>> = {
  "0": "Message accepted",
  "100": "Segment sequence error",
  "101": "Required field missing",
  "102": "Data type error",
  "103": "Table value not found",
  "200": "Unsupported message type",
  "201": "Unsupported event code",
  "202": "Unsupported processing id",
  "203": "Unsupported version id",
  "204": "Unknown key identifier",
  "205": "Duplicate key identifier",
  "206": "Application record locked",
  "207": "Application internal error",
};

/**
 * Our error codes onto table 0357 (docs/ack-codes.md); anything else is
 * 207. 207 says the application failed: a code the sender can act on (its
 * data, its batch) gets the 0357 code that names what is wrong with it.
 */
const TABLE_0357: Readonly<Record<string, string>> = {
  PARSE_ERROR: "100",
  // The frame holds messages (MSH segments) past queue.listener.maxMessagesPerFrame.
  FRAME_MESSAGE_LIMIT: "100",
  REQUIRED_FIELD_MISSING: "101",
  RECOMMENDED_FIELD_MISSING: "101",
  // The event needs a policy (or self-pay) and the patient holds none.
  NO_INSURANCE: "101",
  INVALID_VALUE: "102",
  TOO_MANY_DIAGNOSES: "102",
  DIAGNOSES_TRUNCATED: "102",
  // A field holds data in a layout (components) no field rule reads.
  DATA_NOT_READ: "102",
  UNMAPPED_CODE: "103",
  UNMAPPED_INSURANCE: "103",
  UNKNOWN_PROVIDER: "103",
  UNKNOWN_DEPARTMENT: "103",
  UNKNOWN_PROCEDURE: "103",
  // SCH.25 is no practice appointment status, so it decides no event.
  STATUS_NOT_APPLIED: "103",
  MESSAGE_TYPE_NOT_SUPPORTED: "200",
  EVENT_NOT_ENABLED: "201",
  UNSUPPORTED_PROCESSING_ID: "202",
  UNSUPPORTED_VERSION: "203",
  PATIENT_NOT_FOUND: "204",
  APPOINTMENT_NOT_FOUND: "204",
  APPOINTMENT_NOT_MATCHED: "204",
  DUPLICATE: "205",
  // A person must decide between records the message's keys match (or would change).
  REVIEW_REQUIRED: "205",
  // A cancelled or charged appointment is final for a status move: the record refuses it.
  INVALID_APPOINTMENT_TRANSITION: "206",
  INTERNAL_ERROR: "207",
  EXPRESSION_ERROR: "207",
  EXPRESSION_BUDGET_EXCEEDED: "207",
  EXPRESSION_TIMEOUT: "207",
  STORE_FAILED: "207",
  FRAME_TOO_LARGE: "207",
  // The engine died on the message twice: the application's failure, not the data's.
  POISON_MESSAGE: "207",
};

export function hl7ErrorCode(code: string): string {
  return TABLE_0357[code] ?? "207";
}

/** `YYYYMMDDHHMMSS+0000`, in UTC. */
export function hl7Timestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace(/[-T:]/g, "")}+0000`;
}

/** True for versions before 2.5 (and an unreadable version, read as old). */
export function isBeforeV25(version: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return true;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major < 2 || (major === 2 && minor < 5);
}

function clip(text: string, max = MAX_TEXT): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 3).join("")}...`;
}

/** The ACK's segments, joined by CR (no trailing CR after the last one). */
export function buildAck(input: AckInput): string {
  const d = input.delimiters;
  const esc = (s: string) => escapeText(s, d);
  const comps = (parts: readonly string[]) => parts.map(esc).join(d.component);
  const version = input.version || "2.5.1";
  const old = isBeforeV25(version);
  const msh = [
    "MSH",
    encodingCharacters(d),
    comps(input.receivingApplication),
    comps(input.receivingFacility),
    comps(input.sendingApplication),
    comps(input.sendingFacility),
    input.timestamp,
    "",
    ["ACK", esc(input.trigger), "ACK"].join(d.component),
    esc(input.controlId),
    esc(input.processingId || "P"),
    esc(version),
    ...(input.charset ? ["", "", "", "", "", esc(input.charset)] : []),
  ].join(d.field);
  const msa = (text: string | undefined) =>
    [
      "MSA",
      input.ackCode,
      esc(input.messageControlId),
      ...(old && text ? [esc(clip(text))] : []),
    ].join(d.field);
  const errs = input.errors.map((e) => (old ? errV23(e, d, esc) : errV25(e, d, esc)));
  const fits = (segments: string[]) =>
    Buffer.byteLength(segments.join("\r")) + FRAMING_BYTES < MAX_ACK_BYTES;
  // Keep the ACK under the limit: drop ERR segments from the end, then MSA-3.
  for (let n = errs.length; n >= 0; n--) {
    const segments = [msh, msa(input.text), ...errs.slice(0, n)];
    if (fits(segments)) return segments.join("\r");
  }
  return [msh, msa(undefined)].join("\r");
}

function location(field: string | undefined): string[] {
  const m = field ? /^([A-Z][A-Z0-9]{2})[.-](\d+)/.exec(field) : null;
  return m ? [m[1] as string, "1", m[2] as string] : [];
}

/** ERR-1 (v2.3, ELD): segment^sequence^field^code&text&HL70357&ourCode&ourMessage&99RPK. */
function errV23(e: AckError, d: Hl7Delimiters, esc: (s: string) => string): string {
  const hl7 = hl7ErrorCode(e.code);
  const ce = [hl7, HL7_ERROR_TEXT[hl7] ?? "", "HL70357", e.code, clip(e.message), "99RPK"]
    .map(esc)
    .join(d.subcomponent);
  const loc = location(e.field);
  const eld = [...(loc.length > 0 ? loc : ["", "", ""]), ce].join(d.component);
  return ["ERR", eld].join(d.field);
}

/** ERR-2..ERR-8 (v2.5+): location, HL7 code, severity, our code, parameter, diagnostics, user message. */
function errV25(e: AckError, d: Hl7Delimiters, esc: (s: string) => string): string {
  const hl7 = hl7ErrorCode(e.code);
  const fields = [
    "ERR",
    "",
    location(e.field).map(esc).join(d.component),
    [hl7, HL7_ERROR_TEXT[hl7] ?? "", "HL70357"].map(esc).join(d.component),
    e.severity,
    [e.code, "", "99RPK"].map(esc).join(d.component),
    e.table ? esc(clip(e.table, 50)) : "",
    esc(clip(`${e.code}: ${e.message}`)),
    esc(clip(e.message)),
  ];
  return fields.join(d.field);
}

/** An ACK's bytes, in the character set its MSH-18 names (the sender's). */
export function ackBytes(ack: string): Uint8Array {
  const msh = ack.slice(0, ack.indexOf("\r") < 0 ? ack.length : ack.indexOf("\r"));
  const charset = msh.startsWith("MSH") ? msh.split(msh.charAt(3))[17] : undefined;
  return encodeTextLossy(ack, charset);
}
