import type { ByteDecoding } from "./charset.js";
import { unescapeText } from "./escape.js";
import type { Hl7Component, Hl7Delimiters, Hl7Field, Hl7Leaf, Hl7Repetition } from "./tree.js";

const HL7_NULL = '""';

const EMPTY_LEAF: Hl7Leaf = Object.freeze({ raw: "", value: "" });
/** Shared by every empty field: the tree is frozen, so one instance serves all. */
export const EMPTY_FIELD: Hl7Field = Object.freeze([Object.freeze([Object.freeze([EMPTY_LEAF])])]);
const NULL_LEAF: Hl7Leaf = Object.freeze({ raw: HL7_NULL, value: null });

/** What field parsing needs to know about the message. */
export interface FieldSyntax {
  readonly delimiters: Hl7Delimiters;
  readonly decoding: ByteDecoding;
  /** The characters that make a field more than one plain leaf. */
  readonly structural: RegExp;
}

export function fieldSyntax(delimiters: Hl7Delimiters, decoding: ByteDecoding): FieldSyntax {
  const chars = [delimiters.repetition, delimiters.component, delimiters.subcomponent];
  if (delimiters.escape !== null) chars.push(delimiters.escape);
  const cls = chars.map((c) => c.replace(/[\\\]^-]/g, "\\$&")).join("");
  return { delimiters, decoding, structural: new RegExp(`[${cls}]`) };
}

function leaf(raw: string, syntax: FieldSyntax): Hl7Leaf {
  if (raw === "") return EMPTY_LEAF;
  if (raw === HL7_NULL) return NULL_LEAF;
  return Object.freeze({ raw, value: unescapeText(raw, syntax.delimiters, syntax.decoding) });
}

function component(raw: string, syntax: FieldSyntax): Hl7Component {
  return Object.freeze(raw.split(syntax.delimiters.subcomponent).map((s) => leaf(s, syntax)));
}

function repetition(raw: string, syntax: FieldSyntax): Hl7Repetition {
  return Object.freeze(raw.split(syntax.delimiters.component).map((c) => component(c, syntax)));
}

/** Split one field's raw text into repetitions, components and subcomponents. */
export function parseField(raw: string, syntax: FieldSyntax): Hl7Field {
  if (raw === "") return EMPTY_FIELD;
  if (!syntax.structural.test(raw)) {
    const only = raw === HL7_NULL ? NULL_LEAF : Object.freeze({ raw, value: raw });
    return Object.freeze([Object.freeze([Object.freeze([only])])]);
  }
  return Object.freeze(raw.split(syntax.delimiters.repetition).map((r) => repetition(r, syntax)));
}

/** A field that is one leaf, never split (MSH-1, MSH-2). */
export function literalField(raw: string): Hl7Field {
  return Object.freeze([Object.freeze([Object.freeze([Object.freeze({ raw, value: raw })])])]);
}
