import { encodingCharacters } from "./delimiters.js";
import { escapeText, HL7_NULL } from "./escape.js";
import type {
  Hl7Delimiters,
  Hl7Document,
  Hl7Field,
  Hl7Leaf,
  Hl7Message,
  Hl7Segment,
} from "./tree.js";

const HEADER_SEGMENTS = new Set(["MSH", "FHS", "BHS"]);
export const SEGMENT_TERMINATOR = "\r";

/** A parsed leaf is written as received; a leaf built by code is escaped. */
function leafText(leaf: Hl7Leaf, d: Hl7Delimiters): string {
  if (leaf.raw !== undefined) return leaf.raw;
  return leaf.value === null ? HL7_NULL : escapeText(leaf.value, d);
}

export function serializeField(field: Hl7Field, d: Hl7Delimiters): string {
  return field
    .map((rep) =>
      rep
        .map((comp) => comp.map((leaf) => leafText(leaf, d)).join(d.subcomponent))
        .join(d.component),
    )
    .join(d.repetition);
}

export function serializeSegment(segment: Hl7Segment, d: Hl7Delimiters): string {
  const { name, fields } = segment;
  // A header that was parsed as one carries MSH-1 and MSH-2; a bare `MSH` line does not.
  if (HEADER_SEGMENTS.has(name) && fields.length > 0) {
    // MSH-2 is written as it stands, never escaped: it declares the escape character.
    const msh2 = fields[1]?.[0]?.[0]?.[0];
    const encoding = msh2?.raw ?? msh2?.value ?? encodingCharacters(d);
    const rest = fields.slice(2).map((f) => serializeField(f, d));
    return [`${name}${d.field}${encoding}`, ...rest].join(d.field);
  }
  let out = name;
  for (const field of fields) out += d.field + serializeField(field, d);
  return out;
}

/** One message, every segment terminated by CR as the standard writes it. */
export function serializeMessage(message: Hl7Message): string {
  let out = "";
  for (const s of message.segments)
    out += serializeSegment(s, message.delimiters) + SEGMENT_TERMINATOR;
  return out;
}

/**
 * The whole document in input order, segments separated by CR; the last one
 * is terminated only when the input's was. BOM and MLLP framing are
 * transport, not content, and are not written back.
 */
export function serializeDocument(doc: Hl7Document): string {
  const lines: string[] = [];
  let e = 0;
  const envelopeBefore = (m: number) => {
    while (e < doc.envelope.length && (doc.envelope[e]?.beforeMessage ?? 0) <= m) {
      const item = doc.envelope[e++];
      if (item) lines.push(serializeSegment(item.segment, item.delimiters));
    }
  };
  doc.messages.forEach((message, m) => {
    envelopeBefore(m);
    for (const s of message.segments) lines.push(serializeSegment(s, message.delimiters));
  });
  envelopeBefore(Number.POSITIVE_INFINITY);
  return lines.join(SEGMENT_TERMINATOR) + (doc.finalTerminator ? SEGMENT_TERMINATOR : "");
}
