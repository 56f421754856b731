# Field references: `PID.5.1`, `PID.3[2].1`, `PID.3[5=MR].1`, `DG1[*].3`,
# `PID-5-1`, `IN1.2+IN1.4+IN1.5`, `appointment.departmentId | FT1.16 | FT1.13`,
# `supervisorOf(FT1.21)`. Compiled at build time to reference.generated.ts
# (npm run build:grammar). See index.ts for the semantics.
#
# The grammar must give exactly one parse for every valid reference
# (test/paths/grammar.test.ts checks it): lists are left-recursive rules, and
# optional whitespace `_` never stands next to another `_`.
#
# Precedence, loosest first: `|` (alternatives), `+` (composite key parts,
# always HL7 references), then one reference or derived source.

@preprocessor typescript

@{%
import moo from "moo";
import type {
  Alternative,
  Chain,
  CompositeKey,
  DerivedRecord,
  DerivedSource,
  FieldReference,
  Occurrence,
  Repetition,
  SupervisorOf,
} from "./ast.js";

/** `[A-Z][A-Z0-9]{2}`, or a Z-segment of three characters or more. */
export const SEGMENT_ID = /^(?:[A-Z][A-Z0-9]{2}|Z[A-Z0-9]{2,})$/;

// moo takes the first rule that matches (not the longest): words come before
// numbers, and a word is a `segment` only when the whole word is a segment ID,
// so `PIDX` is one bad word rather than `PID` followed by `X`.
//
// `=` switches to the `value` state, where the value of a repetition filter
// (`PID.3[5=MR]`) is one token: a bare value `[A-Za-z0-9_-]+` (so `MR`, `05`
// and `2-A` each lex whole, not as words, zeros and dashes) or a quoted one,
// with `\"` and `\\` its only escapes, on one line and never empty (a bad
// quote is an `error` token, explained by parse.ts). `]` returns to `main`.
export const lexer = moo.states({
  main: {
    ws: { match: /\s+/, lineBreaks: true },
    word: {
      match: /[A-Za-z_][A-Za-z0-9_]*/,
      type: (text: string) => (SEGMENT_ID.test(text) ? "segment" : "word"),
    },
    int: /[1-9][0-9]*/,
    // 0, 00, 05: never a valid number here; a token of its own for a clear error.
    zero: /0[0-9]*/,
    dot: ".",
    dash: "-",
    lbracket: "[",
    rbracket: "]",
    star: "*",
    lparen: "(",
    rparen: ")",
    pipe: "|",
    plus: "+",
    equals: { match: "=", next: "value" },
    error: moo.error,
  },
  value: {
    ws: { match: /\s+/, lineBreaks: true },
    bare: /[A-Za-z0-9_-]+/,
    quoted: /"(?:[^"\\\r\n]|\\["\\])+"/,
    rbracket: { match: "]", next: "main" },
    error: moo.error,
  },
});

interface Tok {
  readonly text: string;
  readonly offset: number;
}

const end = (t: Tok): number => t.offset + t.text.length;

interface Index {
  readonly value: Occurrence;
  readonly end: number;
}

interface Components {
  readonly component: number;
  readonly subcomponent: number | null;
  readonly end: number;
}

interface RepetitionIndex {
  readonly value: Repetition;
  readonly end: number;
}

/** The text of a `quoted` token without its quotes and escapes. */
function unquote(text: string): string {
  return text.slice(1, -1).replace(/\\(["\\])/g, "$1");
}

function fieldReference(
  notation: "dotted" | "hapi",
  segment: Tok,
  occurrence: Index | null,
  field: Tok,
  repetition: RepetitionIndex | null,
  components: Components | null,
): FieldReference {
  return {
    type: "field",
    segment: segment.text,
    occurrence: occurrence === null ? null : occurrence.value,
    field: Number(field.text),
    repetition: repetition === null ? null : repetition.value,
    component: components === null ? null : components.component,
    subcomponent: components === null ? null : components.subcomponent,
    notation,
    span: { start: segment.offset, end: components?.end ?? repetition?.end ?? end(field) },
  };
}

function composite(left: FieldReference | CompositeKey, right: FieldReference): CompositeKey {
  const parts = left.type === "field" ? [left, right] : [...left.parts, right];
  return { type: "composite", parts, span: { start: left.span.start, end: right.span.end } };
}

function derived(record: Tok, field: Tok): DerivedSource {
  return {
    type: "derived",
    record: record.text as DerivedRecord,
    field: field.text,
    span: { start: record.offset, end: end(field) },
  };
}

function chain(alternatives: Alternative[]): Chain {
  const first = alternatives[0] as Alternative;
  const last = alternatives[alternatives.length - 1] as Alternative;
  return { type: "chain", alternatives, span: { start: first.span.start, end: last.span.end } };
}

function supervisorOf(name: Tok, of: Alternative[], close: Tok): SupervisorOf {
  return { type: "supervisorOf", of: chain(of), span: { start: name.offset, end: end(close) } };
}
%}

@lexer lexer

main -> _ alternatives _ {% (d) => chain(d[1]) %}

alternatives ->
    alternative {% (d) => [d[0]] %}
  | alternatives _ "|" _ alternative {% (d) => [...d[0], d[4]] %}

alternative ->
    key {% id %}
  | derived {% id %}
  | supervisor {% id %}

# One reference, or a composite key of two or more.
key ->
    reference {% id %}
  | key _ "+" _ reference {% (d) => composite(d[0], d[4]) %}

derived -> record "." name {% (d) => derived(d[0], d[2]) %}
record -> "appointment" {% id %} | "patient" {% id %}
name -> %word {% id %} | %segment {% id %}

supervisor -> "supervisorOf" "(" _ alternatives _ ")" {% (d) => supervisorOf(d[0], d[3], d[5]) %}

reference ->
    %segment index:? "." number repetition:? dotted:?
      {% (d) => fieldReference("dotted", d[0], d[1], d[3], d[4], d[5]) %}
  | %segment "-" number hapi:?
      {% (d) => fieldReference("hapi", d[0], null, d[2], null, d[3]) %}

index ->
    "[" number "]" {% (d) => ({ value: Number(d[1].text), end: end(d[2]) }) %}
  | "[" "*" "]" {% (d) => ({ value: "*", end: end(d[2]) }) %}

# A field's repetition: `[n]`, `[*]`, or the filter `[c=value]` (the first
# repetition whose component c is value). A segment takes `[n]` or `[*]` only.
repetition ->
    index {% id %}
  | "[" number "=" value "]"
      {% (d) => ({ value: { component: Number(d[1].text), equals: d[3] }, end: end(d[4]) }) %}

value -> %bare {% (d) => d[0].text %} | %quoted {% (d) => unquote(d[0].text) %}

dotted ->
    "." number {% (d) => ({ component: Number(d[1].text), subcomponent: null, end: end(d[1]) }) %}
  | "." number "." number
      {% (d) => ({ component: Number(d[1].text), subcomponent: Number(d[3].text), end: end(d[3]) }) %}

hapi ->
    "-" number {% (d) => ({ component: Number(d[1].text), subcomponent: null, end: end(d[1]) }) %}
  | "-" number "-" number
      {% (d) => ({ component: Number(d[1].text), subcomponent: Number(d[3].text), end: end(d[3]) }) %}

number -> %int {% id %}

_ -> null {% () => null %} | %ws {% () => null %}
