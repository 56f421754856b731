/**
 * The split-only baseline: segments split on any line break, fields on the
 * field separator, nothing more (no MSH handling, no components, no escapes,
 * no character sets, no frozen tree). It is the floor a full parser is
 * measured against: "within 3x of splitting" is the goal for parseHl7.
 */
const LINE_BREAK = /\r\n|\r|\n/;

export function splitOnly(text: string): string[][] {
  const separator = text[3] ?? "|";
  const lines = text.split(LINE_BREAK);
  const segments: string[][] = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) segments[i] = (lines[i] as string).split(separator);
  return segments;
}

/** Bytes in: decoding is part of the job, as it is for parseHl7(bytes). */
export function splitOnlyBytes(bytes: Buffer): string[][] {
  return splitOnly(bytes.toString("utf8"));
}
