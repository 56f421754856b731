import { type FieldSyntax, parseField } from "./fields.js";
import type { Hl7Field, Hl7Segment } from "./tree.js";

const NO_FIELDS: readonly Hl7Field[] = Object.freeze([]);

/**
 * A constructor that returns its argument: a subclass constructed with it
 * installs its private fields on that object, here a plain object literal,
 * which keeps `Object.prototype` as its prototype (the tree holds only plain
 * objects and arrays) while carrying state no reader can see or change.
 */
class OnTarget {
  constructor(target: object) {
    // biome-ignore lint/correctness/noConstructorReturn: the point of the class (see above)
    return target as OnTarget;
  }
}

/**
 * A segment's unsplit text, kept on the segment object itself in private
 * fields: private fields are not properties (no key, no descriptor, not in
 * JSON or equality) and stay writable after `Object.freeze`, so the fields
 * are split once, on first read, and kept.
 */
class SegmentText extends OnTarget {
  /** The segment's line until its fields are split; then "", so the text is not kept twice. */
  #line: string;
  readonly #syntax: FieldSyntax;
  #fields: readonly Hl7Field[] | undefined = undefined;

  constructor(target: object, line: string, syntax: FieldSyntax) {
    super(target);
    this.#line = line;
    this.#syntax = syntax;
  }

  /** The fields of a segment made by `lazySegment`, split on the first call and the same array after. */
  static fieldsOf(segment: object): readonly Hl7Field[] {
    const text = segment as SegmentText;
    if (text.#fields === undefined) {
      text.#fields = splitFields(text.#line, text.#syntax);
      text.#line = "";
    }
    return text.#fields;
  }
}

/*
 * One getter shared by every lazy segment: an accessor is part of an object's
 * shape in V8, so a getter closure per segment would give every segment a
 * shape of its own (measured ~1.5 µs a segment, against ~0.16 µs shared).
 */
const FIELDS: PropertyDescriptor = Object.freeze({
  get(this: object): readonly Hl7Field[] {
    return SegmentText.fieldsOf(this);
  },
  enumerable: true,
  configurable: true,
});

/**
 * A segment whose fields are split from its line on the first read of
 * `fields` (decision 0041): parsing a message costs finding its lines and
 * segment names, and a segment nobody reads is never split. To a reader it
 * is the plain frozen segment of tree.ts: an object with Object.prototype
 * whose `fields` is an own enumerable property (JSON, spread,
 * structuredClone, `Object.values` and deep equality all see it), which
 * cannot be assigned or redefined, and which returns the same frozen array
 * on every read, built by the same field parser an eager tree used.
 */
export function lazySegment(line: string, lineNo: number, syntax: FieldSyntax): Hl7Segment {
  const cut = line.indexOf(syntax.delimiters.field);
  if (cut < 0) return Object.freeze({ name: line, fields: NO_FIELDS, line: lineNo });
  // Built in key order name, fields, line, as the eager segments are.
  const segment: { name: string; line?: number } = { name: line.slice(0, cut) };
  new SegmentText(segment, line, syntax);
  Object.defineProperty(segment, "fields", FIELDS);
  segment.line = lineNo;
  return Object.freeze(segment) as Hl7Segment;
}

/** The fields of `line` after its segment name, each parsed whole. */
function splitFields(line: string, syntax: FieldSyntax): readonly Hl7Field[] {
  const parts = line.split(syntax.delimiters.field);
  const fields: Hl7Field[] = new Array(parts.length - 1);
  for (let f = 1; f < parts.length; f++) fields[f - 1] = parseField(parts[f] as string, syntax);
  return Object.freeze(fields);
}
