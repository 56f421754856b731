import type { ByteDecoding } from "./charset.js";
import { HL7_NULL, unescapeText } from "./escape.js";
import type { Hl7Component, Hl7Delimiters, Hl7Field, Hl7Leaf, Hl7Repetition } from "./tree.js";

/* Shared by every empty or null leaf, component and field: the tree is frozen, so one instance serves all. */
const EMPTY_LEAF: Hl7Leaf = Object.freeze({ raw: "", value: "" });
const NULL_LEAF: Hl7Leaf = Object.freeze({ raw: HL7_NULL, value: null });
const EMPTY_COMPONENT: Hl7Component = Object.freeze([EMPTY_LEAF]);
const NULL_COMPONENT: Hl7Component = Object.freeze([NULL_LEAF]);
export const EMPTY_FIELD: Hl7Field = Object.freeze([Object.freeze([EMPTY_COMPONENT])]);
const NULL_FIELD: Hl7Field = Object.freeze([Object.freeze([NULL_COMPONENT])]);

/** What field parsing needs to know about the message. */
export interface FieldSyntax {
  readonly delimiters: Hl7Delimiters;
  readonly decoding: ByteDecoding;
  /** The characters that make a field more than one plain leaf. */
  readonly structural: RegExp;
}

/** Compiled syntaxes by delimiters and decoding: almost every message uses the same few. */
const syntaxes = new Map<string, FieldSyntax>();
const MAX_SYNTAXES = 64;

export function fieldSyntax(delimiters: Hl7Delimiters, decoding: ByteDecoding): FieldSyntax {
  const d = delimiters;
  const key = JSON.stringify([
    decoding,
    d.field,
    d.component,
    d.repetition,
    d.escape,
    d.subcomponent,
    d.truncation,
  ]);
  const known = syntaxes.get(key);
  if (known) return known;
  const chars = [d.repetition, d.component, d.subcomponent];
  if (d.escape !== null) chars.push(d.escape);
  const cls = chars.map((c) => c.replace(/[\\\]^-]/g, "\\$&")).join("");
  const syntax: FieldSyntax = Object.freeze({
    delimiters,
    decoding,
    structural: new RegExp(`[${cls}]`),
  });
  if (syntaxes.size >= MAX_SYNTAXES) syntaxes.clear();
  syntaxes.set(key, syntax);
  return syntax;
}

/** `escaped`: the field holds the escape character, so this leaf may too. */
function leaf(raw: string, syntax: FieldSyntax, escaped: boolean): Hl7Leaf {
  if (raw === "") return EMPTY_LEAF;
  if (raw === HL7_NULL) return NULL_LEAF;
  const value = escaped ? unescapeText(raw, syntax.delimiters, syntax.decoding) : raw;
  return Object.freeze({ raw, value });
}

/*
 * Each level splits only when its separator occurs: most components hold one
 * subcomponent and most fields one repetition. Empty and null components are
 * shared, frozen instances.
 */

function component(raw: string, syntax: FieldSyntax, escaped: boolean): Hl7Component {
  if (raw === "") return EMPTY_COMPONENT;
  const sub = syntax.delimiters.subcomponent;
  if (!raw.includes(sub))
    return raw === HL7_NULL ? NULL_COMPONENT : Object.freeze([leaf(raw, syntax, escaped)]);
  const parts = raw.split(sub);
  const out: Hl7Leaf[] = new Array(parts.length);
  for (let i = 0; i < parts.length; i++) out[i] = leaf(parts[i] as string, syntax, escaped);
  return Object.freeze(out);
}

function repetition(raw: string, syntax: FieldSyntax, escaped: boolean): Hl7Repetition {
  const comp = syntax.delimiters.component;
  if (!raw.includes(comp)) return Object.freeze([component(raw, syntax, escaped)]);
  const parts = raw.split(comp);
  const out: Hl7Component[] = new Array(parts.length);
  for (let i = 0; i < parts.length; i++) out[i] = component(parts[i] as string, syntax, escaped);
  return Object.freeze(out);
}

/** Split one field's raw text into repetitions, components and subcomponents. */
export function parseField(raw: string, syntax: FieldSyntax): Hl7Field {
  if (raw === "") return EMPTY_FIELD;
  if (!syntax.structural.test(raw)) {
    if (raw === HL7_NULL) return NULL_FIELD;
    return Object.freeze([Object.freeze([Object.freeze([Object.freeze({ raw, value: raw })])])]);
  }
  // Leaves are unescaped only when the field holds the escape character at all.
  const esc = syntax.delimiters.escape;
  const escaped = esc !== null && raw.includes(esc);
  const rep = syntax.delimiters.repetition;
  if (!raw.includes(rep)) return Object.freeze([repetition(raw, syntax, escaped)]);
  const parts = raw.split(rep);
  const out: Hl7Repetition[] = new Array(parts.length);
  for (let i = 0; i < parts.length; i++) out[i] = repetition(parts[i] as string, syntax, escaped);
  return Object.freeze(out);
}

/** A field that is one leaf, never split (MSH-1, MSH-2). */
export function literalField(raw: string): Hl7Field {
  return Object.freeze([Object.freeze([Object.freeze([Object.freeze({ raw, value: raw })])])]);
}
