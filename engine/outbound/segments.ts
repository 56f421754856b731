import { STANDARD_DELIMITERS } from "../hl7/delimiters.js";
import { escapeText } from "../hl7/escape.js";

/**
 * A small writer for outbound segments: fields by HL7 number, each a list of
 * repetitions of components. Every value is escaped when serialized (a line
 * break, CR/LF, CR or LF, as `\.br\`); empty trailing components,
 * repetitions and fields are not written.
 */
export type Repetition = (string | undefined)[];

export class Segment {
  /** fields[n] is field n (1-based). */
  readonly fields: Repetition[][] = [];
  constructor(readonly name: string) {}

  private reps(field: number): Repetition[] {
    let reps = this.fields[field];
    if (!reps) {
      reps = [];
      this.fields[field] = reps;
    }
    return reps;
  }

  /** Set component `component` of repetition `rep` of field `field` (all 1-based). */
  set(field: number, component: number, value: string | null | undefined, rep = 1): this {
    if (value === undefined || value === null || value === "") return this;
    const reps = this.reps(field);
    let r = reps[rep - 1];
    if (!r) {
      r = [];
      reps[rep - 1] = r;
    }
    r[component - 1] = value;
    return this;
  }

  /** Clear component `component` of repetition `rep` of field `field` (an outbound field rule's null). */
  clear(field: number, component: number, rep = 1): this {
    const r = this.fields[field]?.[rep - 1];
    if (r) r[component - 1] = undefined;
    return this;
  }

  /** Set a whole field's first repetition from its components (1-based order). */
  comps(field: number, ...values: (string | null | undefined)[]): this {
    values.forEach((v, i) => {
      this.set(field, i + 1, v);
    });
    return this;
  }

  /** Append a repetition to a field. */
  addRep(field: number, ...values: (string | null | undefined)[]): this {
    const reps = this.reps(field);
    const rep = reps.length + 1;
    values.forEach((v, i) => {
      this.set(field, i + 1, v, rep);
    });
    return this;
  }

  /** The repetition of `field` whose component `component` is `value`, created when there is none. */
  repWhere(field: number, component: number, value: string): number {
    const reps = this.reps(field);
    const i = reps.findIndex((r) => r[component - 1] === value);
    if (i >= 0) return i + 1;
    reps.push([]);
    this.set(field, component, value, reps.length);
    return reps.length;
  }
}

const d = STANDARD_DELIMITERS;

function trimEnd<T>(list: T[], empty: (t: T) => boolean): T[] {
  let n = list.length;
  while (n > 0 && empty(list[n - 1] as T)) n--;
  return list.slice(0, n);
}

/**
 * A value as written: a line break in the data (CR/LF, CR or LF) is one
 * `\.br\`. escapeText keeps a CR losslessly as `\X0D\`, which a receiver
 * reads as a second line break after a CR/LF (python-hl7: `\r\r`).
 */
const valueText = (c: string): string => escapeText(c.replace(/\r\n?/g, "\n"), d);

function repText(rep: Repetition | undefined): string {
  const comps = trimEnd([...(rep ?? [])], (c) => c === undefined || c === "");
  return comps.map((c) => (c === undefined ? "" : valueText(c))).join(d.component);
}

function fieldText(field: Repetition[] | undefined): string {
  return trimEnd((field ?? []).map(repText), (t) => t === "").join(d.repetition);
}

/** One segment as text. MSH's fields 1 and 2 are the delimiters; its `fields` start at 3. */
export function segmentText(segment: Segment): string {
  const texts: string[] = [];
  const first = segment.name === "MSH" ? 3 : 1;
  for (let i = first; i < segment.fields.length; i++) texts.push(fieldText(segment.fields[i]));
  const body = trimEnd(texts, (t) => t === "");
  const head =
    segment.name === "MSH"
      ? `MSH${d.field}${d.component}${d.repetition}${d.escape}${d.subcomponent}`
      : segment.name;
  return [head, ...body].join(d.field);
}

/** The message as the standard writes it: every segment terminated by CR. */
export function messageText(segments: readonly Segment[]): string {
  return segments.map((s) => `${segmentText(s)}\r`).join("");
}
