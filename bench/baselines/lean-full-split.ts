/**
 * The lean full split: the parse goal's baseline (issue 18). Every level of
 * the tree a full parser builds (segments, fields, repetitions, components,
 * subcomponents), each level split only when its separator occurs in the
 * text, into plain arrays of strings: no MSH rules, no escapes, no
 * character sets, no objects per node, nothing frozen. A full parser can
 * not do less and still have every level; parseHl7 is held to 1.2x of it.
 */
const LINE_BREAK = /\r\n|\r|\n/;

type Leaf = string | Leaf[];

function splitWhere(text: string, separators: string, level: number): Leaf {
  const separator = separators[level];
  if (separator === undefined || !text.includes(separator)) {
    return level + 1 < separators.length ? splitWhere(text, separators, level + 1) : text;
  }
  const parts = text.split(separator);
  const out: Leaf[] = new Array(parts.length);
  for (let i = 0; i < parts.length; i++)
    out[i] =
      level + 1 < separators.length
        ? splitWhere(parts[i] as string, separators, level + 1)
        : (parts[i] as string);
  return out;
}

/** Segments of fields, each field split into repetitions, components and subcomponents where they occur. */
export function leanFullSplit(text: string): Leaf[][] {
  const field = text[3] ?? "|";
  // MSH-2: component, repetition, escape, subcomponent.
  const component = text[4] ?? "^";
  const repetition = text[5] ?? "~";
  const subcomponent = text[7] ?? "&";
  const below = repetition + component + subcomponent;
  const lines = text.split(LINE_BREAK);
  const segments: Leaf[][] = [];
  for (const line of lines) {
    if (line === "") continue;
    const fields = line.split(field);
    const out: Leaf[] = new Array(fields.length);
    out[0] = fields[0] as string;
    for (let i = 1; i < fields.length; i++) out[i] = splitWhere(fields[i] as string, below, 0);
    segments.push(out);
  }
  return segments;
}

/** Bytes in: decoding is part of the job, as it is for parseHl7(bytes). */
export function leanFullSplitBytes(bytes: Buffer): Leaf[][] {
  return leanFullSplit(bytes.toString("utf8"));
}
