import type { Hl7Field, Hl7Repetition, Hl7Segment } from "../hl7/tree.js";
import type {
  Alternative,
  Chain,
  CompositeKey,
  DerivedSource,
  FieldReference,
  ReferenceAst,
  SupervisorOf,
} from "./ast.js";
import type { CompiledReference, ReadContext, ReadResult } from "./types.js";

/*
 * The hot path. Every closure below does array indexing and string
 * comparison only: no parsing, no regex, and no allocation beyond the result
 * (a value result object, a list under [*], the joined string of a key). A
 * filter `[c=value]` compares each repetition's leaf with the literal, a
 * string fixed at compile time, with `===`.
 */

/** One leaf as read: a string (never ""), `null` (the HL7 null `""`), or `undefined` (absent). */
type Leaf = string | null | undefined;
type LeafReader = (context: ReadContext) => Leaf;
type Reader = (context: ReadContext) => ReadResult;

const ABSENT: ReadResult = Object.freeze({ kind: "absent" });

/** The results that do not depend on the message, made once per alternative. */
interface Named {
  readonly alternative: string;
  readonly nullResult: ReadResult;
}

function named(alternative: string): Named {
  return { alternative, nullResult: Object.freeze({ kind: "null", alternative }) };
}

/**
 * The segments a reference to `name` reads: the group's when the group holds
 * such a segment (an IN2 in a per-policy rule reads that policy's IN2) or
 * `groupMembers` names it, else the message's.
 */
function scopeOf(context: ReadContext, name: string): readonly Hl7Segment[] {
  const group = context.group;
  if (group !== undefined) {
    const members = context.groupMembers;
    if (members !== undefined) {
      for (let i = 0; i < members.length; i++) if (members[i] === name) return group;
    }
    for (let i = 0; i < group.length; i++) if (group[i]?.name === name) return group;
  }
  return context.message.segments;
}

/** The nth (1-based) segment named `name` in `segments`. */
function nthSegment(
  segments: readonly Hl7Segment[],
  name: string,
  n: number,
): Hl7Segment | undefined {
  let seen = 0;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment !== undefined && segment.name === name && ++seen === n) return segment;
  }
  return undefined;
}

/**
 * One leaf of a repetition by 0-based component and subcomponent. A
 * repetition that is only the HL7 null (`PID|...|""|`) clears every part of
 * it, so any component read there is null, not just component 1.
 */
function leafIn(repetition: Hl7Repetition | undefined, c: number, s: number): Leaf {
  if (repetition === undefined) return undefined;
  if (repetition.length === 1 && repetition[0]?.length === 1 && repetition[0][0]?.value === null) {
    return null;
  }
  const value = repetition[c]?.[s]?.value;
  return value === "" ? undefined : value;
}

/** One leaf by 0-based field, repetition, component and subcomponent index. */
function leafAt(segment: Hl7Segment, f: number, r: number, c: number, s: number): Leaf {
  return leafIn(segment.fields[f]?.[r], c, s);
}

/**
 * The first repetition whose component `c` (0-based), subcomponent 1, is
 * exactly `equals` (decoded; never "", so an empty or HL7-null component never
 * matches).
 */
function firstMatching(
  repetitions: Hl7Field | undefined,
  c: number,
  equals: string,
): Hl7Repetition | undefined {
  if (repetitions === undefined) return undefined;
  for (let i = 0; i < repetitions.length; i++) {
    const repetition = repetitions[i];
    if (repetition?.[c]?.[0]?.value === equals) return repetition;
  }
  return undefined;
}

/** The leaf a reference reads in one segment: by repetition number, or the first matching a filter. */
function leafReader(ref: FieldReference): (segment: Hl7Segment) => Leaf {
  const f = ref.field - 1;
  const c = (ref.component ?? 1) - 1;
  const s = (ref.subcomponent ?? 1) - 1;
  const repetition = ref.repetition;
  if (repetition !== null && typeof repetition === "object") {
    const fc = repetition.component - 1;
    const equals = repetition.equals;
    return (segment) => leafIn(firstMatching(segment.fields[f], fc, equals), c, s);
  }
  // `[*]` is read by fieldReader; here a repetition is a number or not written.
  const r = typeof repetition === "number" ? repetition - 1 : 0;
  return (segment) => leafAt(segment, f, r, c, s);
}

/** A reference that reads one leaf (no `[*]`). */
function singleLeaf(ref: FieldReference): LeafReader {
  const name = ref.segment;
  const n = typeof ref.occurrence === "number" ? ref.occurrence : 1;
  const leaf = leafReader(ref);
  return (context) => {
    const segment = nthSegment(scopeOf(context, name), name, n);
    return segment === undefined ? undefined : leaf(segment);
  };
}

/** Add to a list made on first use, so that a read finding nothing allocates nothing. */
function append(list: string[] | undefined, value: string): string[] {
  if (list === undefined) return [value];
  list.push(value);
  return list;
}

function valueResult(value: string | readonly string[], source: "hl7" | "derived", alt: Named) {
  return { kind: "value", value, source, alternative: alt.alternative } as const;
}

/**
 * A list read: the values present, in order. Absent items are dropped, and so
 * are null ones; when no item has a value the list is null if any item was
 * the HL7 null, else absent (the same rule as `|`).
 */
function fieldReader(ref: FieldReference, alt: Named): Reader {
  const name = ref.segment;
  if (ref.repetition === "*") {
    const f = ref.field - 1;
    const c = (ref.component ?? 1) - 1;
    const s = (ref.subcomponent ?? 1) - 1;
    const n = typeof ref.occurrence === "number" ? ref.occurrence : 1;
    return (context) => {
      const segment = nthSegment(scopeOf(context, name), name, n);
      const repetitions = segment?.fields[f];
      if (repetitions === undefined) return ABSENT;
      let list: string[] | undefined;
      let sawNull = false;
      for (let i = 0; i < repetitions.length; i++) {
        const value = leafIn(repetitions[i], c, s);
        if (value === null) sawNull = true;
        else if (value !== undefined && value !== "") list = append(list, value);
      }
      if (list !== undefined) return valueResult(list, "hl7", alt);
      return sawNull ? alt.nullResult : ABSENT;
    };
  }
  if (ref.occurrence === "*") {
    const leaf = leafReader(ref);
    return (context) => {
      const segments = scopeOf(context, name);
      let list: string[] | undefined;
      let sawNull = false;
      for (let i = 0; i < segments.length; i++) {
        const segment = segments[i];
        if (segment === undefined || segment.name !== name) continue;
        const value = leaf(segment);
        if (value === null) sawNull = true;
        else if (value !== undefined) list = append(list, value);
      }
      if (list !== undefined) return valueResult(list, "hl7", alt);
      return sawNull ? alt.nullResult : ABSENT;
    };
  }
  const read = singleLeaf(ref);
  return (context) => {
    const value = read(context);
    if (value === undefined) return ABSENT;
    return value === null ? alt.nullResult : valueResult(value, "hl7", alt);
  };
}

/**
 * `A+B+C`: the parts joined with `+`, an absent or null part as "". When no
 * part has a value the key is null if any part was null, else absent.
 */
function compositeReader(key: CompositeKey, alt: Named): Reader {
  const parts = key.parts.map(singleLeaf);
  const count = parts.length;
  return (context) => {
    let joined = "";
    let anyValue = false;
    let sawNull = false;
    for (let i = 0; i < count; i++) {
      const value = (parts[i] as LeafReader)(context);
      if (i > 0) joined += "+";
      if (typeof value === "string") {
        joined += value;
        anyValue = true;
      } else if (value === null) sawNull = true;
    }
    if (anyValue) return valueResult(joined, "hl7", alt);
    return sawNull ? alt.nullResult : ABSENT;
  };
}

/**
 * A practice value as read from a derived record: a string ("" is absent), a
 * finite number or a boolean (as text), `null` (null), or an array of those (a
 * list, by the `[*]` rule). Anything else (undefined, an object, a function)
 * is absent.
 */
function derivedResult(value: unknown, alt: Named): ReadResult {
  if (value === null) return alt.nullResult;
  if (Array.isArray(value)) {
    let list: string[] | undefined;
    let sawNull = false;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === null) sawNull = true;
      else {
        const text = scalarText(item);
        if (text !== undefined) list = append(list, text);
      }
    }
    if (list !== undefined) return valueResult(list, "derived", alt);
    return sawNull ? alt.nullResult : ABSENT;
  }
  const text = scalarText(value);
  return text === undefined ? ABSENT : valueResult(text, "derived", alt);
}

function scalarText(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return value === "" ? undefined : value;
    case "number":
      return Number.isFinite(value) ? String(value) : undefined;
    case "boolean":
    case "bigint":
      return String(value);
    default:
      return undefined;
  }
}

function derivedReader(source: DerivedSource, alt: Named): Reader {
  const { record, field } = source;
  return (context) => {
    const values = context.derived?.[record];
    // Own keys only: `patient.constructor` must not read Object.prototype.
    if (values === undefined || values === null || !Object.hasOwn(values, field)) return ABSENT;
    return derivedResult(values[field], alt);
  };
}

/**
 * `supervisorOf(X)`: context.supervisorOf applied to X's value (to each item of
 * a list, dropping those without a supervisor). Absent when X is absent, when
 * there is no supervisor, or when the context has no provider table; null when
 * X is null.
 */
function supervisorReader(node: SupervisorOf, alt: Named, text: string): Reader {
  const inner = chainReader(node.of, text);
  return (context) => {
    const result = inner(context);
    if (result.kind === "absent") return ABSENT;
    if (result.kind === "null") return alt.nullResult;
    const supervisorOf = context.supervisorOf;
    if (supervisorOf === undefined) return ABSENT;
    const { value, source } = result;
    if (typeof value === "string") {
      const supervisor = supervisorOf(value, source);
      return typeof supervisor === "string" && supervisor !== ""
        ? valueResult(supervisor, "derived", alt)
        : ABSENT;
    }
    let list: string[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const supervisor = supervisorOf(value[i] as string, source);
      if (typeof supervisor === "string" && supervisor !== "") list = append(list, supervisor);
    }
    return list === undefined ? ABSENT : valueResult(list, "derived", alt);
  };
}

function alternativeReader(node: Alternative, text: string): Reader {
  const alt = named(text.slice(node.span.start, node.span.end));
  switch (node.type) {
    case "field":
      return fieldReader(node, alt);
    case "composite":
      return compositeReader(node, alt);
    case "derived":
      return derivedReader(node, alt);
    case "supervisorOf":
      return supervisorReader(node, alt, text);
  }
}

/**
 * `A | B | C`: the first value wins; null only when no alternative has a
 * value and at least one was null (the first such null is returned, naming
 * its alternative); else absent.
 */
function chainReader(chain: Chain, text: string): Reader {
  const readers = chain.alternatives.map((node) => alternativeReader(node, text));
  if (readers.length === 1) return readers[0] as Reader;
  const count = readers.length;
  return (context) => {
    let firstNull: ReadResult | undefined;
    for (let i = 0; i < count; i++) {
      const result = (readers[i] as Reader)(context);
      if (result.kind === "value") return result;
      if (result.kind === "null") firstNull ??= result;
    }
    return firstNull ?? ABSENT;
  };
}

interface Uses {
  readonly segments: Set<string>;
  readonly derived: Set<string>;
  yieldsList: boolean;
}

function collectUses(chain: Chain, uses: Uses): void {
  for (const node of chain.alternatives) {
    switch (node.type) {
      case "field":
        uses.segments.add(node.segment);
        if (node.occurrence === "*" || node.repetition === "*") uses.yieldsList = true;
        break;
      case "composite":
        for (const part of node.parts) uses.segments.add(part.segment);
        break;
      case "derived":
        uses.derived.add(`${node.record}.${node.field}`);
        break;
      case "supervisorOf":
        uses.derived.add("supervisorOf");
        collectUses(node.of, uses);
        break;
    }
  }
}

/** Compile a parsed reference; `text` is the reference as written (the AST's spans index it). */
export function compileAst(ast: ReferenceAst, text: string): CompiledReference {
  const uses: Uses = { segments: new Set(), derived: new Set(), yieldsList: false };
  collectUses(ast, uses);
  const read = chainReader(ast, text);
  return Object.freeze({
    source: text,
    segments: Object.freeze([...uses.segments]),
    derived: Object.freeze([...uses.derived]),
    yieldsList: uses.yieldsList,
    read,
  });
}
