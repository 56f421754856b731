/**
 * A built HL7 message's change between two runs, segment by segment: the
 * lines only one side has, in message order (a longest-common-subsequence
 * diff, as `diff` prints). MSH-10 is left out of the comparison: the
 * control number counts the messages a run has built, so one leg more or
 * less earlier renumbers every later one without changing what it says.
 */

export interface LineChange {
  readonly change: "added" | "removed";
  /** The segment as that run built it. */
  readonly line: string;
}

export function messageLineChanges(
  old: string | undefined,
  next: string | undefined,
): LineChange[] {
  const a = segmentsOf(old);
  const b = segmentsOf(next);
  const ka = a.map(withoutControlId);
  const kb = b.map(withoutControlId);
  // lcs(i, j): the longest common subsequence of ka[i..] and kb[j..].
  const width = b.length + 1;
  const table = new Array<number>((a.length + 1) * width).fill(0);
  const lcs = (i: number, j: number): number => table[i * width + j] ?? 0;
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * width + j] =
        ka[i] === kb[j] ? lcs(i + 1, j + 1) + 1 : Math.max(lcs(i + 1, j), lcs(i, j + 1));
    }
  }
  const changes: LineChange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && ka[i] === kb[j]) {
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs(i + 1, j) >= lcs(i, j + 1))) {
      changes.push({ change: "removed", line: a[i++] ?? "" });
    } else {
      changes.push({ change: "added", line: b[j++] ?? "" });
    }
  }
  return changes;
}

function segmentsOf(text: string | undefined): string[] {
  return text === undefined ? [] : text.split(/\r\n?|\n/).filter((s) => s.length > 0);
}

/** The segment with MSH-10 emptied (MSH-1 is the separator itself, so MSH-10 is the 10th split). */
function withoutControlId(segment: string): string {
  if (!segment.startsWith("MSH")) return segment;
  const separator = segment[3] ?? "|";
  const fields = segment.split(separator);
  if (fields.length > 9) fields[9] = "";
  return fields.join(separator);
}
