import nearley from "nearley";
import type { Chain, FieldReference, ReferenceAst } from "./ast.js";
import grammar, { SEGMENT_ID } from "./reference.generated.js";
import type { ReferenceError as ReferenceProblem } from "./types.js";

// nearley is CommonJS: a named import type-checks but fails at run time.
const { Grammar, Parser } = nearley;

/** The compiled grammar, shared by every parse (a parse is synchronous and never re-entered). */
export const referenceGrammar: nearley.Grammar = Grammar.fromCompiled(
  grammar as unknown as nearley.CompiledRules,
);

export type ParseResult =
  | { readonly ok: true; readonly ast: ReferenceAst }
  | { readonly ok: false; readonly error: ReferenceProblem };

/** A moo token as nearley hands it over. */
interface Token {
  readonly type?: string;
  readonly text: string;
  readonly offset: number;
}

/** A grammar symbol a parser state waits for: a rule name, or a terminal. */
type GrammarSymbol = string | { readonly type?: string; readonly literal?: string };

/** The parts of nearley's parser state that error reporting reads (not in @types/nearley). */
interface ParserInternals {
  readonly current: number;
  readonly table: readonly (
    | {
        readonly states: readonly {
          readonly rule: { readonly name: string; readonly symbols: readonly GrammarSymbol[] };
          readonly dot: number;
          readonly reference: number;
        }[];
      }
    | undefined
  )[];
}

const SEGMENT_RULE =
  "an upper-case letter then two upper-case letters or digits; a Z-segment may be longer";
const OPERAND =
  "a field reference such as PID.5.1, appointment.<field>, patient.<field> or supervisorOf(...)";
const VALUE = 'a value to compare with (letters, digits, _ and -, or a double-quoted "...")';
const FILTER_EXAMPLE = "PID.3[5=MR] is the first repetition of PID-3 whose component 5 is MR";

/**
 * Parse a field reference to its syntax tree. Never throws: a bad reference
 * gives an `INVALID_FIELD_REFERENCE` error whose 1-based `column` points at
 * the offending character (one past the end when the reference stops short).
 */
export function parseReference(text: string): ParseResult {
  if (typeof text !== "string") {
    return failure("a field reference must be text", 1);
  }
  const parser = new Parser(referenceGrammar);
  try {
    parser.feed(text);
  } catch (err) {
    const token = (err as { token?: Token }).token;
    if (token === undefined) return failure(`cannot parse: ${String(err)}`, 1);
    return unexpectedToken(parser as unknown as ParserInternals, token, text);
  }
  const results = parser.results as ReferenceAst[];
  const ast = results[0];
  if (ast === undefined) return unexpectedEnd(parser as unknown as ParserInternals, text);
  // The grammar is unambiguous (tested), so results[0] is the only parse.
  const problem = checkLists(ast, text);
  return problem ?? { ok: true, ast };
}

function failure(message: string, column: number): ParseResult {
  return { ok: false, error: { code: "INVALID_FIELD_REFERENCE", message, column } };
}

function unexpectedToken(parser: ParserInternals, token: Token, text: string): ParseResult {
  const column = token.offset + 1;
  const expected = expectedAt(parser);
  if (token.type === "error") {
    const char = String.fromCodePoint(token.text.codePointAt(0) ?? 0);
    if (char === '"' && expected.includes(VALUE)) return quotedProblem(text, token.offset);
    const afterBareValue = /\[[0-9]+=[A-Za-z0-9_-]+$/.test(text.slice(0, token.offset));
    const hint = afterBareValue
      ? ' (a value with other characters is written in double quotes: PID.3[4="2.16.840.1"])'
      : "";
    return failure(
      `unexpected character ${JSON.stringify(char)}; expected ${expected}${hint}`,
      column,
    );
  }
  if (token.type === "zero") {
    return failure(
      `${JSON.stringify(token.text)}: fields, repetitions, components and subcomponents count from 1, without leading zeros (standard HL7 numbering: the spec's PID.5.0 is PID.5.1)`,
      column,
    );
  }
  const quoted = JSON.stringify(token.text);
  const segmentExpected = expected.includes("a segment ID") || expected.includes(OPERAND);
  if (token.type === "word" && segmentExpected) {
    const afterPlus = text.slice(0, token.offset).trimEnd().endsWith("+");
    if (afterPlus) {
      return failure(
        `unexpected ${quoted}: a composite key part is always an HL7 field reference (IN1.2+IN1.4)`,
        column,
      );
    }
    if (/^[A-Z]/.test(token.text)) {
      return failure(`${quoted} is not a segment ID (${SEGMENT_RULE})`, column);
    }
    const upper = token.text.toUpperCase();
    const hint = SEGMENT_ID.test(upper) ? ` (segment IDs are upper case: ${upper})` : "";
    return failure(`unknown source ${quoted}: expected ${OPERAND}${hint}`, column);
  }
  if (token.type === "ws") {
    return failure(
      `unexpected whitespace; expected ${expected} (whitespace is allowed only around | and +, inside supervisorOf( ) and at either end)`,
      column,
    );
  }
  let hint = "";
  if (token.text === "(" && expected.includes('"|"')) {
    hint =
      " (a repetition is written PID.3[2].1, counting from 1; HAPI's PID-3(1) counts from 0 and is not accepted)";
  } else if (token.text === "=" && expected === '"]"') {
    hint = text.slice(0, token.offset).endsWith("*")
      ? ` ([*] takes no filter: ${FILTER_EXAMPLE})`
      : ` (a filter [component=value] picks a field's repetition, not a segment's: ${FILTER_EXAMPLE})`;
  }
  return failure(`unexpected ${quoted}; expected ${expected}${hint}`, column);
}

function unexpectedEnd(parser: ParserInternals, text: string): ParseResult {
  const expected = expectedAt(parser);
  const message =
    text.trim() === ""
      ? `empty field reference; expected ${expected}`
      : `unexpected end of reference; expected ${expected}`;
  return failure(message, text.length + 1);
}

const TERMINAL_NAMES: Readonly<Record<string, string>> = {
  segment: "a segment ID",
  word: "a field name",
  int: "a number",
  bare: VALUE,
  quoted: VALUE,
};

/** What the parser could have taken at the point it stopped, in words. */
function expectedAt(parser: ParserInternals): string {
  const column = parser.table[parser.current];
  if (column === undefined) return "a field reference";
  const names = new Set<string>();
  let canEnd = false;
  for (const state of column.states) {
    const symbol = state.rule.symbols[state.dot];
    if (symbol === undefined) {
      if (state.rule.name === referenceGrammar.start && state.reference === 0) canEnd = true;
    } else if (typeof symbol !== "string") {
      if (symbol.literal !== undefined) names.add(JSON.stringify(symbol.literal));
      else if (symbol.type !== undefined && symbol.type !== "ws") {
        names.add(TERMINAL_NAMES[symbol.type] ?? symbol.type);
      }
    }
  }
  if (names.has("a segment ID") && names.has('"supervisorOf"')) {
    // The start of an alternative: name the forms rather than the first tokens.
    for (const name of ["a segment ID", '"appointment"', '"patient"', '"supervisorOf"']) {
      names.delete(name);
    }
    names.add(OPERAND);
  }
  // After `appointment.` a field name may look like a segment ID (`patient.SSN`).
  if (names.has("a field name")) names.delete("a segment ID");
  const list = [...names].sort(byKind);
  if (canEnd) list.push("the end of the reference");
  if (list.length === 0) return "nothing more";
  if (list.length === 1) return list[0] as string;
  return `${list.slice(0, -1).join(", ")} or ${list[list.length - 1]}`;
}

/** Words ("a segment ID") before punctuation, each group in a stable order. */
function byKind(a: string, b: string): number {
  const qa = a.startsWith('"');
  const qb = b.startsWith('"');
  if (qa !== qb) return qa ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What is wrong with the quoted value that starts at `start` (the lexer took
 * its `"` for an error): empty, a backslash other than `\"` or `\\`, or no
 * closing quote on the line.
 */
function quotedProblem(text: string, start: number): ParseResult {
  if (text[start + 1] === '"') {
    return failure(
      'empty quoted value: a filter compares with a value, and "" is none (an empty or HL7-null component never matches)',
      start + 1,
    );
  }
  for (let i = start + 1; i < text.length; i++) {
    const char = text[i];
    if (char === "\r" || char === "\n") break;
    if (char === "\\") {
      const next = text[i + 1];
      if (next !== '"' && next !== "\\") {
        return failure(
          'bad escape in a quoted value: only \\" (a quote) and \\\\ (a backslash) are escapes',
          i + 1,
        );
      }
      i++;
    }
  }
  return failure('unterminated quoted value: expected a closing " on the same line', start + 1);
}

/**
 * `[*]` rules the grammar leaves to this check, so that the error can say why:
 * a composite key part reads one value, and a reference reads at most one list.
 */
function checkLists(chain: Chain, text: string): ParseResult | undefined {
  for (const alternative of chain.alternatives) {
    if (alternative.type === "supervisorOf") {
      const inner = checkLists(alternative.of, text);
      if (inner !== undefined) return inner;
    } else if (alternative.type === "field") {
      if (alternative.occurrence === "*" && alternative.repetition === "*") {
        return failure(
          "one [*] per reference: reading every repetition of every segment would flatten two lists into one",
          starColumn(alternative, text, 2),
        );
      }
    } else if (alternative.type === "composite") {
      for (const part of alternative.parts) {
        if (part.occurrence === "*" || part.repetition === "*") {
          return failure(
            "a composite key part reads one value; [*] (a list) is not allowed in a key",
            starColumn(part, text, 1),
          );
        }
      }
    }
  }
  return undefined;
}

/** The 1-based column of the nth `*` inside a field reference's text. */
function starColumn(reference: FieldReference, text: string, nth: number): number {
  let at = reference.span.start - 1;
  for (let i = 0; i < nth; i++) at = text.indexOf("*", at + 1);
  return at + 1;
}
