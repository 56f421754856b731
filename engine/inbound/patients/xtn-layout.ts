import { compileReference } from "../../paths/index.js";
import type { CompiledReference, ReadContext } from "../../paths/types.js";
import type { MessageContext } from "../context.js";
import type { ExtractedRecord, FieldValue } from "../extract.js";

/**
 * Telephone numbers (XTN) come in two layouts: HL7 2.3 writes the number in
 * XTN-1 ("(302)555-0163"); 2.5 and later may leave XTN-1 empty and send
 * XTN-5..8 (country code, area code, local number, extension) or XTN-12
 * (unformatted). A patient field rule whose `from:` reads XTN-1 of a
 * telephone field and finds nothing reads the same repetition in the 2.5
 * layout: XTN-5..8, written "+1 (302)555-0163 x12", else XTN-12
 * (docs/pack-language.md §8). No JSONata: plain reads of the rule's own
 * repetition.
 */
const TELEPHONE_FIELDS: ReadonlySet<string> = new Set([
  "PID.13",
  "PID.14",
  "GT1.6",
  "GT1.7",
  "NK1.5",
  "NK1.6",
]);

/** `PID.13[2=PRN].1`, `PID.13.1`, `PID.14`: the field, its repetition part, and XTN-1 read. */
const XTN1 = /^([A-Z][A-Z0-9]{2})\.(\d+)(\[[^\]]*\])?(?:\.1)?$/;

const compiled = new Map<string, CompiledReference | undefined>();

function reference(text: string): CompiledReference | undefined {
  if (!compiled.has(text)) {
    const result = compileReference(text);
    compiled.set(text, result.ok ? result.reference : undefined);
  }
  return compiled.get(text);
}

function component(repetition: string, n: number, read: ReadContext): string | undefined {
  const result = reference(`${repetition}.${n}`)?.read(read);
  return result?.kind === "value" && typeof result.value === "string"
    ? result.value.trim() || undefined
    : undefined;
}

/** The number of one repetition in the 2.5 layout, or undefined. */
function layout25(repetition: string, read: ReadContext): string | undefined {
  const [country, area, local, extension] = [5, 6, 7, 8].map((n) => component(repetition, n, read));
  if (area || local) {
    const localText =
      local && /^\d{7}$/.test(local) ? `${local.slice(0, 3)}-${local.slice(3)}` : (local ?? "");
    return [
      country ? `+${country.replace(/^\+/, "")} ` : "",
      area ? `(${area})` : "",
      localText,
      extension ? ` x${extension}` : "",
    ].join("");
  }
  return component(repetition, 12, read);
}

/** The extracted patient with telephone fields the rules found empty in XTN-1 read in the 2.5 layout. */
export function withXtnLayouts(
  ctx: MessageContext,
  extracted: ExtractedRecord,
  read: ReadContext,
): ExtractedRecord {
  let fields: Map<string, FieldValue> | undefined;
  let record = extracted.record;
  for (const [field, value] of extracted.fields) {
    if (value.kind !== "absent" || value.hl7Field === undefined) continue;
    for (const alternative of value.hl7Field.split("|").map((a) => a.trim())) {
      const m = XTN1.exec(alternative);
      if (!m || !TELEPHONE_FIELDS.has(`${m[1]}.${m[2]}`)) continue;
      const repetition = `${m[1]}.${m[2]}${m[3] ?? ""}`;
      const number = layout25(repetition, read);
      if (number === undefined) continue;
      fields ??= new Map(extracted.fields);
      fields.set(field, { kind: "value", value: number, hl7Field: repetition });
      record = withPath(record, field.split(".").slice(1), number);
      ctx.found.trace.push({
        step: "extract",
        rule: field,
        ref: repetition,
        detail: "value (XTN-1 empty: read XTN-5..8 / XTN-12)",
      });
      break;
    }
  }
  return fields ? { ...extracted, fields, record } : extracted;
}

function withPath(
  target: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
): Record<string, unknown> {
  const [key, ...rest] = path;
  if (key === undefined) return target;
  if (rest.length === 0) return { ...target, [key]: value };
  const inner = target[key];
  const next =
    inner !== null && typeof inner === "object" ? (inner as Record<string, unknown>) : {};
  return { ...target, [key]: withPath(next, rest, value) };
}
