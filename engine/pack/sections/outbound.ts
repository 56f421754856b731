import type { PathKey } from "../../documents/merge.js";
import { charsetWritable } from "../../hl7/charset.js";
import { structureCarries } from "../../hl7/structures.js";
import type { CompileContext } from "../context.js";
import { PACK_DEFAULTS } from "../defaults.js";
import {
  codeMapOf,
  OUTBOUND_CODE_ELEMENTS,
  type OutboundCodeElement,
  type OutboundCodeMap,
} from "../outbound-codes.js";
import { parseLocation } from "../outbound-location.js";
import { OUTBOUND_STRUCTURES, OUTBOUND_TRIGGERS, structureOf } from "../outbound-messages.js";
import type { CompiledOutboundField, OutboundOptions } from "../outbound-options.js";

/**
 * `outbound` (docs/pack-language.md §19): Tables 7, 8, 9, code systems, MSH,
 * outbound mappings and field rules, with the defaults written out. The
 * schema has checked shapes and enums; this checks what spans files: every
 * outbound mapping table exists and reads, every field rule's location and
 * expressions compile (under the pack's limits, like every expression).
 */
export function compileOutbound(ctx: CompileContext): OutboundOptions {
  const r = ctx.raw.outbound ?? {};
  const defaults = PACK_DEFAULTS.outbound;
  const practice = ctx.raw.practice;
  const use = r.providerId?.use ?? defaults.providerId.use;
  const identifierType = r.providerId?.identifierType ?? (use === "npi" ? "NPI" : undefined);
  const sendingFacility = r.msh?.sendingFacility ?? practice?.contextId;
  const receivingApplication = r.msh?.receivingApplication ?? practice?.vendorName;
  checkFilterNames(ctx);
  if (!charsetWritable(r.msh?.charset))
    ctx.fail(
      ["outbound", "msh", "charset"],
      "INVALID_VALUE",
      `'${r.msh?.charset}' is not a character set the engine writes (UNICODE UTF-8, ASCII, 8859/1 ... 8859/15, as HL7 table 0211 names them)`,
    );
  const mappings = compileMappings(ctx);
  return {
    filters: { ...r.filters },
    appointmentStatuses: { ...defaults.appointmentStatuses, ...r.appointmentStatuses },
    providerId: {
      use,
      ...(identifierType !== undefined && { identifierType }),
      ...(r.providerId?.assigningAuthority !== undefined && {
        assigningAuthority: r.providerId.assigningAuthority,
      }),
    },
    codeSystems: {
      race: r.codeSystems?.race ?? defaults.codeSystems.race,
      ethnicity: r.codeSystems?.ethnicity ?? defaults.codeSystems.ethnicity,
      language: r.codeSystems?.language ?? defaults.codeSystems.language,
    },
    appointmentDefaults: { ...r.appointmentDefaults },
    msh: {
      ...r.msh,
      sendingApplication: r.msh?.sendingApplication ?? defaults.msh.sendingApplication,
      ...(sendingFacility !== undefined && { sendingFacility }),
      ...(receivingApplication !== undefined && { receivingApplication }),
      version: r.msh?.version ?? defaults.msh.version,
      processingId: r.msh?.processingId ?? defaults.msh.processingId,
      controlIdPrefix: r.msh?.controlIdPrefix ?? defaults.msh.controlIdPrefix,
    },
    mappings,
    fields: compileFieldRules(ctx, new Set(Object.keys(mappings))),
  };
}

/**
 * Table 7 names are master-data names or IDs, and master data is runtime
 * (the store's), so a name is checked when an event is filtered (the
 * FILTERED info names those no master-data entry has). At load: a name
 * listed twice is a mistake.
 */
function checkFilterNames(ctx: CompileContext): void {
  const filters = ctx.raw.outbound?.filters;
  for (const kind of ["patients", "appointments"] as const) {
    const seen = new Map<string, number>();
    (filters?.[kind]?.names ?? []).forEach((name, i) => {
      const key = name.toLowerCase();
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else
        ctx.fail(
          ["outbound", "filters", kind, "names", i],
          "INVALID_VALUE",
          `'${name}' is already listed (names[${first}]); names are matched ignoring case`,
        );
    });
  }
}

/** `outbound.mappings`: practice code -> receiver code, per element (docs/decisions/0006). */
function compileMappings(
  ctx: CompileContext,
): Partial<Record<OutboundCodeElement, OutboundCodeMap>> {
  const out: Partial<Record<OutboundCodeElement, OutboundCodeMap>> = {};
  // An abstract pack (base.yaml) has no practice folder: its practices bring the tables.
  if (ctx.abstract) return out;
  for (const element of OUTBOUND_CODE_ELEMENTS) {
    const config = ctx.raw.outbound?.mappings?.[element];
    if (!config) continue;
    const path = ["outbound", "mappings", element];
    const table = config.table ?? element;
    const rows = ctx.readTable(
      table,
      config.table === undefined ? path : [...path, "table"],
      `is named by outbound.mappings.${element}`,
    );
    if (rows) out[element] = codeMapOf(element, rows, ctx.at(path));
  }
  return out;
}

const ROOTS = new Set(["patient", "appointment", "policies", "event"]);
const RECORD_PATH = /^[A-Za-z][A-Za-z0-9]*(\.([A-Za-z][A-Za-z0-9]*|\d+))+$/;

/**
 * `outbound.fields`: a named rule writes one HL7 location of the built
 * message from the event's records (outbound/field-rules.ts applies them).
 * `mapped` is what `outbound.mappings` configures (what `map:` can name).
 */
function compileFieldRules(
  ctx: CompileContext,
  mapped: ReadonlySet<string>,
): CompiledOutboundField[] {
  const out: CompiledOutboundField[] = [];
  (ctx.raw.outbound?.fields ?? []).forEach((rule, i) => {
    const path: PathKey = ["outbound", "fields", i];
    const parsed = parseLocation(rule.to);
    if (!parsed.ok) {
      ctx.fail([...path, "to"], "INVALID_FIELD_REFERENCE", parsed.message, parsed.column);
      return;
    }
    const to = parsed.location;
    const structures = rule.messages
      ? rule.messages.map((m) => structureOf(m))
      : OUTBOUND_STRUCTURES;
    if (!structures.some((s) => s !== undefined && structureCarries(s, to.segment)))
      ctx.fail(
        [...path, "to"],
        "SEGMENT_NOT_IN_MESSAGE",
        `${to.segment} is not a segment of ${rule.messages ? rule.messages.join(", ") : "any outbound message"} (${[...new Set(structures)].join(", ")})`,
      );
    rule.messages?.forEach((m, k) => {
      if (!(m in OUTBOUND_TRIGGERS))
        ctx.fail(
          [...path, "messages", k],
          "INVALID_VALUE",
          `'${m}' is not a message type the engine sends (${Object.keys(OUTBOUND_TRIGGERS).join(", ")})`,
        );
    });
    const from = rule.from?.split("|").map((p) => p.trim());
    for (const p of from ?? []) {
      if (!RECORD_PATH.test(p) || !ROOTS.has(p.split(".")[0] as string))
        ctx.fail(
          [...path, "from"],
          "INVALID_FIELD_REFERENCE",
          `'${p}' is not a record path: outbound rules read the event's records (patient.phones.mobile, appointment.type, policies.0.policyNumber, event.kind), not HL7`,
          (rule.from?.indexOf(p) ?? 0) + 1,
        );
    }
    if (rule.map && !mapped.has(rule.map))
      ctx.fail(
        [...path, "map"],
        "OPTION_DEPENDENCY",
        `map: ${rule.map} needs outbound.mappings.${rule.map} (the table that turns practice codes into the receiver's)`,
      );
    const expr =
      rule.expr === undefined
        ? undefined
        : ctx.expression([...path, "expr"], rule.expr, "outbound");
    const when =
      rule.when === undefined
        ? undefined
        : ctx.expression([...path, "when"], rule.when, "outbound", "condition");
    out.push({
      name: rule.name,
      to,
      ...(from && { from: from.map((p) => p.split(".")) }),
      ...(expr && { expr }),
      ...(when && { when }),
      ...(rule.map && { map: rule.map }),
      ...(rule.messages && { messages: rule.messages }),
      ...(rule.default !== undefined && { default: rule.default }),
      at: ctx.at(path),
    });
  });
  return out;
}
