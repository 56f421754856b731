/**
 * Field references: where a value lives in a message. Compile once at pack
 * load with `compileReference`; per message call only `reference.read(ctx)`.
 *
 * Syntax
 * - `PID.5.1` segment.field.component, `PID.5.1.2` subcomponent, `PID.7` a
 *   bare field; standard numbering from 1 (MSH-1 is the field separator).
 *   HAPI spelling `PID-5`, `PID-5-1`, `PID-5-1-2` means the same. HAPI's
 *   `PID-3(1)` repetition counts from 0 and is rejected: write `PID.3[2]`.
 * - `PID.3[2].1` repetition n (from 1); `FT1.19[*]`, `PID.3[*].1` every
 *   repetition (a list).
 * - `PID.3[5=MR].1`, `PID.13[2=PRN].1` a repetition filter: the first
 *   repetition whose component c is the value. The value is bare
 *   (`[A-Za-z0-9_-]+`) or double-quoted (`PID.3[4="2.16.840.1"]`, escapes
 *   `\"` and `\\` only, one line, not empty). A filter selects a field's
 *   repetition only: not a segment's (`IN1[2=x]`), and never with `*`
 *   (`PID.3[*=x]`). It combines with a segment `[n]` or `[*]`
 *   (`DG1[*].3[5=MR]`, a list), and may be a composite key part.
 * - `IN1[2].36` the nth such segment in its scope; `DG1[*].3` every one (a list).
 *   One `[*]` per reference.
 * - `IN1.2+IN1.4+IN1.5` a composite key; each part is an HL7 reference
 *   without `[*]`.
 * - `A | B | C` alternatives; an alternative is an HL7 reference, a key,
 *   `appointment.<field>`, `patient.<field>` or `supervisorOf(<alternatives>)`.
 * - Whitespace is allowed around `|` and `+`, inside `supervisorOf( )`, and
 *   at either end; nowhere else.
 * - Segment IDs: `[A-Z][A-Z0-9]{2}`, or `Z` followed by two or more of `[A-Z0-9]`.
 *
 * Semantics of `read` (a result is a value, the HL7 null, or absent)
 * - A reference reads one leaf, the decoded `value`: a part not written is 1
 *   (`PID.7` = PID-7, repetition 1, component 1, subcomponent 1). `""` (empty,
 *   missing, only empty components) is absent; the HL7 null `""` is null. A
 *   repetition that is only `""` is null in every component and subcomponent
 *   (`PID.11 = ""` clears the whole address, `PID.11.3` included).
 * - `[c=value]`: the first repetition, in order, whose component c,
 *   subcomponent 1, decoded, equals the value exactly (case-sensitive; an
 *   empty or HL7-null component never matches); the reference then reads its
 *   own component and subcomponent in that repetition. The first match is
 *   taken even when what it reads is empty or null (no search further on:
 *   use `|` for a fallback). No repetition matches: absent.
 * - Scope: with `context.group` set, a segment that occurs in the group (or
 *   that `context.groupMembers` names) is read there, `[n]` and `[*]`
 *   counting within the group; any other segment, or no group, reads the
 *   message (`IN1[2]` outside a group is the second IN1 of the message).
 * - Lists (`[*]`, or an array in a derived record): the values present, in
 *   order; absent and null items are dropped. No item with a value: null if
 *   some item was null, else absent. A value list is never empty.
 * - Key `A+B+C`: the parts joined with `+`, an absent or null part as "".
 *   No part with a value: null if some part was null, else absent.
 * - `A | B`: the first value wins (a list counts, being non-empty); no value:
 *   null (naming the first null alternative) if some alternative was null,
 *   else absent. `alternative` is the alternative as written.
 * - `appointment.x` / `patient.x`: `context.derived.appointment.x`, source
 *   "derived". Missing record or key, undefined, "" or a non-scalar: absent;
 *   null: null; numbers and booleans as text.
 * - `supervisorOf(X)`: `context.supervisorOf(value, source)` of X's value
 *   (each item of a list); source "derived". Absent when X is absent, no
 *   supervisor, or no `context.supervisorOf`; null when X is null.
 */
import { compileAst } from "./compile.js";
import { parseReference } from "./parse.js";
import type { CompileResult } from "./types.js";

export type * from "./ast.js";
export { compileAst } from "./compile.js";
export { formatReference } from "./format.js";
export { type ParseResult, parseReference } from "./parse.js";
export type * from "./types.js";

/** Parse and compile a field reference. Never throws: a bad one is `{ ok: false, error }`. */
export function compileReference(text: string): CompileResult {
  try {
    const parsed = parseReference(text);
    if (!parsed.ok) return parsed;
    return { ok: true, reference: compileAst(parsed.ast, text) };
  } catch (err) {
    return {
      ok: false,
      error: {
        code: "INVALID_FIELD_REFERENCE",
        message: `cannot compile the reference: ${err instanceof Error ? err.message : String(err)}`,
        column: 1,
      },
    };
  }
}
