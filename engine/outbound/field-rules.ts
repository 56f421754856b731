import { MESSAGE_STRUCTURES, structureCarries } from "../hl7/structures.js";
import type { OutcomeError } from "../model/outcome.js";
import type { CompiledOutboundField } from "../pack/outbound-options.js";
import type { CodeTranslator } from "./codes.js";
import { clearAt, writeAt } from "./location.js";
import { Segment } from "./segments.js";
import { structureOf } from "./structures.js";

/**
 * Outbound field rules (`outbound.fields`, docs/pack-language.md §19): a
 * named rule writes one HL7 location of the built message from the event's
 * records, after the engine's standard layout, and replaces what the layout
 * wrote there. A value is `from:` (a chain of record paths, the first with a
 * value wins), then `expr:` (JSONata with `$value`), then `default:`; `map:`
 * sends it through the element's outbound mapping; a null clears the
 * location; no value leaves it as the layout wrote it. The rules are
 * compiled with the pack (pack/sections/outbound.ts); this applies them.
 */

/** What a rule reads: the event's records (`patient`, `appointment`, `policies`, `event`). */
export interface FieldInput {
  readonly patient: unknown;
  readonly appointment?: unknown;
  readonly policies?: readonly unknown[];
  readonly event: { readonly kind: string; readonly occurredAt: string };
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
