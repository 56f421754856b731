/**
 * The parsed form of HL7 v2 text: plain, frozen JSON with no functions in it.
 *
 * Levels, outermost first: document -> message -> segment -> field ->
 * repetition -> component -> subcomponent (a leaf). Every level is present for
 * every field, so a reader never has to ask "is this a string or a list?":
 * `PID|1||X` has PID-3 = [[[{ raw: "X", value: "X" }]]].
 *
 * Numbering is the standard's: `segment.fields[n - 1]` is field n, so for MSH
 * `fields[0]` is MSH-1 (the field separator) and `fields[1]` is MSH-2 (the
 * encoding characters), both kept as single leaves and never split.
 */

/** One subcomponent. */
export interface Hl7Leaf {
  /**
   * The text as received, escape sequences intact. Absent on a leaf built by
   * code rather than parsed; the serializer then escapes `value` itself.
   */
  readonly raw?: string;
  /** The decoded text; `null` for the HL7 null `""` ("clear this value"). */
  readonly value: string | null;
}

/** Subcomponents of one component (at least one). */
export type Hl7Component = readonly Hl7Leaf[];
/** Components of one repetition (at least one). */
export type Hl7Repetition = readonly Hl7Component[];
/** Repetitions of one field (at least one; an empty field is one empty leaf). */
export type Hl7Field = readonly Hl7Repetition[];

export interface Hl7Segment {
  /** The segment ID (`PID`, `ZNM`); `""` for an empty line kept for round-trip. */
  readonly name: string;
  /**
   * `fields[n - 1]` is field n. A parsed segment splits its line into fields
   * on the first read of `fields` and returns that same frozen array on
   * every read after (decision 0041); to a reader it is a plain property.
   */
  readonly fields: readonly Hl7Field[];
  /**
   * 1-based line in the input once BOM and MLLP framing are removed; CR, LF
   * and CRLF each end one line.
   */
  readonly line: number;
}

/** The separators a message declares in MSH-1 and MSH-2 (or FHS/BHS-1 and -2). */
export interface Hl7Delimiters {
  readonly field: string;
  readonly component: string;
  readonly repetition: string;
  /** `null` when MSH-2 declares no escape character (e.g. `^~}`); then nothing is decoded. */
  readonly escape: string | null;
  readonly subcomponent: string;
  /** The v2.7 truncation character (`#` in `^~\&#`), else `null`. */
  readonly truncation: string | null;
}

export interface Hl7Message {
  /** 0-based position of this message in its document. */
  readonly index: number;
  readonly delimiters: Hl7Delimiters;
  /**
   * The character set MSH-18 declares (its first component, upper case), by
   * which bytes were decoded; `UTF-8` when absent. A set we do not decode is
   * named as declared and was decoded as UTF-8 (`UNKNOWN_CHARSET` warning);
   * declared `ASCII` holding valid UTF-8 was read as UTF-8 (`INVALID_BYTES` warning).
   */
  readonly charset: string;
  /** Segments in message order, MSH first. */
  readonly segments: readonly Hl7Segment[];
}

/**
 * A batch or file control segment (FHS, BHS, BTS, FTS), or a line outside any
 * message, kept so that serialization reproduces the input.
 */
export interface Hl7EnvelopeSegment {
  readonly segment: Hl7Segment;
  readonly delimiters: Hl7Delimiters;
  /** It stands before message number `beforeMessage` (= messages.length when after the last one). */
  readonly beforeMessage: number;
}

export type ParseSeverity = "error" | "warning";

/**
 * A located problem found while parsing. Errors (severity `error`) carry code
 * `PARSE_ERROR` or `TEXT_OUTSIDE_MESSAGE`; every other code is a warning.
 */
export interface ParseIssue {
  readonly code: ParseIssueCode;
  readonly severity: ParseSeverity;
  readonly message: string;
  /** 0-based message index in the document, or -1 outside any message. */
  readonly messageIndex: number;
  /** 0-based segment index within the message, or -1. */
  readonly segmentIndex: number;
  /** 1-based line, counted as `Hl7Segment.line` is. */
  readonly line: number;
  /** The field (`MSH.18`) when one is to blame. */
  readonly field?: string;
}

export type ParseIssueCode =
  | "PARSE_ERROR"
  | "INVALID_SEGMENT_NAME"
  | "UNKNOWN_CHARSET"
  | "INVALID_BYTES"
  | "TEXT_OUTSIDE_MESSAGE"
  | "BATCH_TRAILER_MISSING"
  | "BATCH_COUNT_MISMATCH"
  | "MESSAGE_TOO_LARGE"
  | "SEGMENT_REPEATED";

/** One parsed input: a file, an MLLP frame, an HTTP body. */
export interface Hl7Document {
  readonly messages: readonly Hl7Message[];
  readonly envelope: readonly Hl7EnvelopeSegment[];
  /** Errors (severity `error`) and warnings, in input order. */
  readonly issues: readonly ParseIssue[];
  /** The input began with a UTF-8 byte-order mark (removed). */
  readonly bom: boolean;
  /**
   * The input held MLLP framing (VT ... FS CR), removed: bytes between frames
   * are dropped, and a frame whose last segment has no terminator is ended,
   * so several frames read as several messages.
   */
  readonly mllp: boolean;
  /** The last segment ended with a terminator. */
  readonly finalTerminator: boolean;
}
