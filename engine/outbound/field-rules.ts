import type { PackErrorCode } from "../documents/errors.js";
import type { PathKey } from "../documents/merge.js";
import { type CompiledExpression, compileExpression } from "../expressions/runtime.js";
import { MESSAGE_STRUCTURES, structureCarries } from "../hl7/structures.js";
import type { OutcomeError } from "../model/outcome.js";
import type { CodeTranslator, OutboundCodeElement } from "./codes.js";
import { clearAt, type Location, parseLocation, writeAt } from "./location.js";
import { Segment } from "./segments.js";
import { OUTBOUND_STRUCTURES, structureOf } from "./structures.js";

/**
 * Outbound field rules (`outbound.fields`, docs/pack-language.md §19): a
 * named rule writes one HL7 location of the built message from the event's
 * records, after the engine's standard layout, and replaces what the layout
 * wrote there. A value is `from:` (a chain of record paths, the first with a
 * value wins), then `expr:` (JSONata with `$value`), then `default:`; `map:`
 * sends it through the element's outbound mapping; a null clears the
 * location; no value leaves it as the layout wrote it.
 */

export interface RawOutboundField {
  name: string;
  to: string;
  from?: string;
  expr?: string;
  when?: string;
  map?: OutboundCodeElement;
  messages?: string[];
  default?: string;
}

export interface CompiledOutboundField {
  readonly name: string;
  readonly to: Location;
  /** Record paths (`patient.phones.mobile`), split at the dots, tried in order. */
  readonly from?: readonly (readonly string[])[];
  readonly expr?: CompiledExpression;
  readonly when?: CompiledExpression;
  readonly map?: OutboundCodeElement;
  /** `SIU^S12`: the rule writes only these message types (absent: every one). */
  readonly messages?: readonly string[];
  readonly default?: string;
  /** `FILE:LINE` where the rule was written. */
  readonly at: string;
}

/** What a rule reads: the event's records (`patient`, `appointment`, `policies`, `event`). */
export interface FieldInput {
  readonly patient: unknown;
  readonly appointment?: unknown;
  readonly policies?: readonly unknown[];
  readonly event: { readonly kind: string; readonly occurredAt: string };
}

const ROOTS = new Set(["patient", "appointment", "policies", "event"]);
const RECORD_PATH = /^[A-Za-z][A-Za-z0-9]*(\.([A-Za-z][A-Za-z0-9]*|\d+))+$/;

interface Helpers {
  fail(path: PathKey, code: PackErrorCode, message: string, column?: number): void;
  at(path: PathKey): string;
  /** The elements `outbound.mappings` configures (what `map:` can name). */
  readonly mapped: ReadonlySet<string>;
}

export function compileOutboundFields(
  raw: readonly RawOutboundField[] | undefined,
  helpers: Helpers,
): CompiledOutboundField[] {
  const out: CompiledOutboundField[] = [];
  (raw ?? []).forEach((rule, i) => {
    const path: PathKey = ["outbound", "fields", i];
    const fail = (key: string, code: PackErrorCode, message: string, column?: number) =>
      helpers.fail([...path, key], code, message, column);
    const parsed = parseLocation(rule.to);
    if (!parsed.ok) {
      fail("to", "INVALID_FIELD_REFERENCE", parsed.message, parsed.column);
      return;
    }
    const to = parsed.location;
    const structures = rule.messages
      ? rule.messages.map((m) => structureOf(m))
      : OUTBOUND_STRUCTURES;
    if (!structures.some((s) => s !== undefined && structureCarries(s, to.segment)))
      fail(
        "to",
        "SEGMENT_NOT_IN_MESSAGE",
        `${to.segment} is not a segment of ${rule.messages ? rule.messages.join(", ") : "any outbound message"} (${[...new Set(structures)].join(", ")})`,
      );
    rule.messages?.forEach((m, k) => {
      if (!(m in OUTBOUND_TRIGGERS))
        helpers.fail(
          [...path, "messages", k],
          "INVALID_VALUE",
          `'${m}' is not a message type the engine sends (${Object.keys(OUTBOUND_TRIGGERS).join(", ")})`,
        );
    });
    const from = rule.from?.split("|").map((p) => p.trim());
    for (const p of from ?? []) {
      if (!RECORD_PATH.test(p) || !ROOTS.has(p.split(".")[0] as string))
        fail(
          "from",
          "INVALID_FIELD_REFERENCE",
          `'${p}' is not a record path: outbound rules read the event's records (patient.phones.mobile, appointment.type, policies.0.policyNumber, event.kind), not HL7`,
          (rule.from?.indexOf(p) ?? 0) + 1,
        );
    }
    if (rule.map && !helpers.mapped.has(rule.map))
      fail(
        "map",
        "OPTION_DEPENDENCY",
        `map: ${rule.map} needs outbound.mappings.${rule.map} (the table that turns practice codes into the receiver's)`,
      );
    const expr =
      rule.expr === undefined
        ? undefined
        : expression(rule.expr, (c, m, col) => fail("expr", c, m, col));
    const when =
      rule.when === undefined
        ? undefined
        : expression(rule.when, (c, m, col) => fail("when", c, m, col));
    out.push({
      name: rule.name,
      to,
      ...(from && { from: from.map((p) => p.split(".")) }),
      ...(expr && { expr }),
      ...(when && { when }),
      ...(rule.map && { map: rule.map }),
      ...(rule.messages && { messages: rule.messages }),
      ...(rule.default !== undefined && { default: rule.default }),
      at: helpers.at(path),
    });
  });
  return out;
}

/** The message types the engine sends, by trigger (kept beside the structures). */
export const OUTBOUND_TRIGGERS = Object.fromEntries(
  [
    "ADT^A01",
    "ADT^A04",
    "ADT^A05",
    "ADT^A08",
    "ADT^A28",
    "ADT^A31",
    "SIU^S12",
    "SIU^S14",
    "SIU^S15",
  ].map((t) => [t, structureOf(t)]),
);

function expression(
  text: string,
  fail: (code: PackErrorCode, message: string, column?: number) => void,
): CompiledExpression | undefined {
  const compiled = compileExpression(text);
  if (!compiled.ok) {
    for (const e of compiled.errors) fail(e.code, e.message, e.column);
    return undefined;
  }
  const { references, tables } = compiled.expression;
  if (references.length > 0) {
    fail(
      "INVALID_FIELD_REFERENCE",
      `$field('${references[0]?.source}'): an outbound rule has no message to read; it reads the event's records (patient, appointment, policies, event)`,
    );
    return undefined;
  }
  if (tables.length > 0) {
    fail(
      "OPTION_DEPENDENCY",
      `$mapCode reads an inbound table (foreign -> practice); an outbound rule maps with map: and outbound.mappings`,
    );
    return undefined;
  }
  return compiled.expression;
}

function readPath(input: FieldInput, path: readonly string[]): unknown {
  let node: unknown = input;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

const noMessage = { read: {} as never, mapCode: () => undefined };

/** A value as HL7 text: strings as they are, numbers and booleans as written; anything else is no value. */
function text(value: unknown): string | null | undefined {
  if (value === null) return null;
  if (typeof value === "string") return value === "" ? undefined : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

export interface ApplyContext {
  readonly messageType: string;
  readonly input: FieldInput;
  readonly codes: CodeTranslator;
  readonly now: Date;
}

/** Run the rules over the built segments (in place); an expression that fails is an error. */
export async function applyOutboundFields(
  rules: readonly CompiledOutboundField[],
  segments: Segment[],
  context: ApplyContext,
): Promise<OutcomeError[]> {
  const errors: OutcomeError[] = [];
  const structure = structureOf(context.messageType);
  const env = { ...noMessage, now: context.now };
  for (const rule of rules) {
    if (rule.messages && !rule.messages.includes(context.messageType)) continue;
    if (!structure || !structureCarries(structure, rule.to.segment)) continue;
    const failed = (message: string, code: OutcomeError["code"]) =>
      errors.push({
        code,
        severity: "error",
        message: `outbound rule '${rule.name}' (${rule.at}): ${message}`,
        field: rule.to.source,
      });
    if (rule.when) {
      const result = await rule.when.evaluate(context.input, env);
      if (!result.ok) {
        failed(result.error.message, result.error.code);
        continue;
      }
      if (result.value !== true) continue;
    }
    let value: unknown;
    for (const path of rule.from ?? []) {
      value = readPath(context.input, path);
      if (value !== undefined && value !== null && value !== "") break;
    }
    if (rule.expr) {
      const result = await rule.expr.evaluate(context.input, {
        ...env,
        variables: { value },
      });
      if (!result.ok) {
        failed(result.error.message, result.error.code);
        continue;
      }
      value = result.value;
    }
    let out = text(value) ?? (value === null ? null : rule.default);
    if (out === undefined) continue;
    if (out !== null && rule.map) {
      out = context.codes.code(rule.map, out, rule.to.source);
      if (out === undefined) continue;
    }
    const segment = segmentFor(segments, rule.to.segment, structure);
    if (out === null) clearAt(segment, rule.to);
    else writeAt(segment, rule.to, out);
  }
  return errors;
}

/** Segments whose field 1 is a set ID (a created one is number 1). */
const SET_ID_FIRST = new Set([
  "PID",
  "NK1",
  "PV1",
  "GT1",
  "IN1",
  "RGS",
  "AIS",
  "AIG",
  "AIL",
  "AIP",
  "TQ1",
  "OBX",
  "DG1",
  "AL1",
  "PR1",
  "NTE",
]);

/** The first segment of that name, or a new one where the structure puts it. */
function segmentFor(segments: Segment[], name: string, structure: string): Segment {
  const found = segments.find((s) => s.name === name);
  if (found) return found;
  const order = writingOrder(structure);
  const rank = (n: string) => (n.startsWith("Z") ? order.length : order.indexOf(n));
  const created = new Segment(name);
  if (SET_ID_FIRST.has(name)) created.set(1, 1, "1");
  let at = segments.length;
  for (let i = 0; i < segments.length; i++) {
    if (rank((segments[i] as Segment).name) > rank(name)) {
      at = i;
      break;
    }
  }
  segments.splice(at, 0, created);
  return created;
}

/** The structure's segments in the order they are written (NTE after SCH/TQ1, or after PID). */
function writingOrder(structure: string): readonly string[] {
  const list = (MESSAGE_STRUCTURES[structure] ?? []).filter((s) => s !== "NTE");
  const after = list.indexOf(list.includes("TQ1") && list.includes("SCH") ? "TQ1" : "PID");
  return [...list.slice(0, after + 1), "NTE", ...list.slice(after + 1)];
}
