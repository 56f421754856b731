import type { PackError, PackErrorCode } from "../documents/errors.js";
import { originOf, type PathKey } from "../documents/merge.js";
import {
  type CompiledExpression,
  compileExpression,
  DEFAULT_BUDGET,
  type ExpressionBudget,
} from "../expressions/runtime.js";
import { structureCarries } from "../hl7/structures.js";
import {
  DEFAULT_DEMOGRAPHICS,
  type DemographicField,
  type DemographicsConfig,
} from "../matching/config.js";
import { compileDemographics } from "../matching/scorer.js";
import {
  CANONICAL_FIELDS,
  MAPPING_ELEMENTS,
  type MappingElement,
  RECORD_STRUCTURES,
  type RecordKind,
  recordOf,
} from "../model/canonical-fields.js";
import { compileReference } from "../paths/index.js";
import type { CompiledReference } from "../paths/types.js";
import { compileAppointmentSection } from "./appointments.js";
import type { PackChain } from "./chain.js";
import { compileCharges, type RawCharges } from "./charges.js";
import type {
  CompiledExternalId,
  CompiledFieldRule,
  CompiledMapping,
  CompiledPack,
  CompiledRequiredRule,
  GuarantorOptions,
  InsuranceOptions,
  PatientStrategy,
  PracticeDetails,
} from "./compiled.js";
import { normalizeEnablement } from "./enablement.js";
import { compileExternalIds, type RawExternalId } from "./external-ids.js";
import { loadMappingTable, type MappingTable } from "./mapping-tables.js";
import { compileOutbound, type RawOutbound } from "./outbound-options.js";
import {
  compileAckOptions,
  compileQueueOptions,
  type RawAcks,
  type RawQueue,
} from "./queue-options.js";

/**
 * Semantic checks and compilation of a schema-valid merged pack: every
 * reference parses and names a segment its record's messages can carry,
 * every expression compiles, every table a rule needs exists.
 */

interface RawFieldRule {
  name: string;
  field: string;
  from?: string;
  expr?: string;
  when?: string;
  map?: MappingElement;
  default?: string | number | boolean;
}

interface RawRequiredRule {
  name: string;
  field?: string;
  ref?: string;
  record?: RecordKind;
  on?: "create" | "update" | ("create" | "update")[];
  when?: string;
  severity?: "error" | "warning";
  label?: string;
}

interface RawPack {
  externalIds?: { patient?: RawExternalId[] };
  matching?: {
    order?: { patient?: PatientStrategy[]; charge?: PatientStrategy[] };
    patientId?: { from?: string };
    demographics?: Partial<DemographicsConfig>;
    substantialChange?: DemographicField[];
  };
  insurance?: Partial<Omit<InsuranceOptions, "at">>;
  privacy?: { autoCheck?: boolean };
  acks?: RawAcks;
  queue?: RawQueue;
  guarantor?: Partial<GuarantorOptions>;
  charges?: RawCharges;
  outbound?: RawOutbound;
  pack: { id: string; abstract?: boolean };
  practice?: PracticeDetails;
  enabled?: Parameters<typeof normalizeEnablement>[0];
  fields?: RawFieldRule[];
  required?: RawRequiredRule[];
  mappings?: Partial<
    Record<
      MappingElement,
      { table?: string; mappingRequired?: boolean; accept?: ("practiceId" | "npi")[] }
    >
  >;
  limits?: { expressions?: Partial<ExpressionBudget> & { maxLength?: number } };
}

/** Claim fields whose appointment-derived value is chosen by `charges.derivation`, not by a chain. */
const DERIVATION_OWNED = new Set([
  "claim.serviceDate",
  "claim.renderingProviderId",
  "claim.supervisingProviderId",
  "claim.departmentId",
]);

/** Records whose messages can have a matched appointment to read `appointment.*` from. */
const APPOINTMENT_AVAILABLE = new Set<RecordKind>(["appointment", "claim", "charge"]);

const LABELS: Readonly<Record<string, string>> = {
  dob: "date of birth",
  ssn: "social security number",
};

export function labelOf(field: string): string {
  const last = field.slice(field.lastIndexOf(".") + 1);
  return LABELS[last] ?? last.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

export type CompileOutcome =
  | { readonly ok: true; readonly pack: CompiledPack }
  | { readonly ok: false; readonly errors: readonly PackError[] };

export function compilePack(chain: PackChain, file: string): CompileOutcome {
  const raw = chain.merged.data as RawPack;
  const errors: PackError[] = [];
  const position = (path: PathKey, column?: number) => {
    const origin = originOf(chain.merged, path);
    if (!origin) return { file, line: 1, col: 1 };
    return column === undefined
      ? origin.source.locate(origin.path)
      : origin.source.locateWithin(origin.path, column);
  };
  const at = (path: PathKey) => {
    const p = position(path);
    return `${p.file}:${p.line}`;
  };
  const fail = (path: PathKey, code: PackErrorCode, message: string, column?: number) =>
    errors.push({ ...position(path, column), code, message, path: path.join(".") });

  const limits = raw.limits?.expressions ?? {};
  const budget: ExpressionBudget = {
    timeoutMs: limits.timeoutMs ?? DEFAULT_BUDGET.timeoutMs,
    maxDepth: limits.maxDepth ?? DEFAULT_BUDGET.maxDepth,
    maxSequence: limits.maxSequence ?? DEFAULT_BUDGET.maxSequence,
  };
  const maxLength = limits.maxLength ?? 4000;

  if (raw.practice?.timeZone && !isTimeZone(raw.practice.timeZone)) {
    fail(
      ["practice", "timeZone"],
      "INVALID_VALUE",
      `'${raw.practice.timeZone}' is not an IANA time zone (e.g. America/Chicago)`,
    );
  }

  const tablesNamed = new Map<string, { path: PathKey; column: number | undefined }>();
  const reference = (
    path: PathKey,
    text: string,
    record: RecordKind,
  ): CompiledReference | undefined => {
    const compiled = compileReference(text);
    if (!compiled.ok) {
      fail(
        path,
        "INVALID_FIELD_REFERENCE",
        `'${text}': ${compiled.error.message}`,
        compiled.error.column,
      );
      return undefined;
    }
    checkReads(path, compiled.reference, record);
    return compiled.reference;
  };
  const checkReads = (path: PathKey, ref: CompiledReference, record: RecordKind) => {
    const structures = RECORD_STRUCTURES[record];
    for (const segment of ref.segments) {
      if (!structures.some((s) => structureCarries(s, segment))) {
        fail(
          path,
          "SEGMENT_NOT_IN_MESSAGE",
          `${segment} is not a segment of the messages a ${record} comes from (${structures.join(", ")})`,
          columnOf(ref.source, segment),
        );
      }
    }
    for (const derived of ref.derived) {
      if (derived.startsWith("appointment.") && !APPOINTMENT_AVAILABLE.has(record)) {
        fail(
          path,
          "INVALID_FIELD_REFERENCE",
          `${derived}: a ${record} message has no matched appointment to read`,
          columnOf(ref.source, derived),
        );
      }
    }
  };
  const expression = (
    path: PathKey,
    text: string,
    record: RecordKind,
  ): CompiledExpression | undefined => {
    if (text.length > maxLength) {
      fail(
        path,
        "INVALID_VALUE",
        `expression is ${text.length} characters; limits.expressions.maxLength is ${maxLength}`,
      );
      return undefined;
    }
    const compiled = compileExpression(text, budget);
    if (!compiled.ok) {
      for (const e of compiled.errors) fail(path, e.code, e.message, e.column);
      return undefined;
    }
    for (const ref of compiled.expression.references) checkReads(path, ref, record);
    for (const table of compiled.expression.tables)
      if (!tablesNamed.has(table))
        tablesNamed.set(table, { path, column: compiled.expression.tableColumns.get(table) });
    return compiled.expression;
  };

  const fields: CompiledFieldRule[] = [];
  (raw.fields ?? []).forEach((rule, i) => {
    const path = ["fields", i];
    const record = recordOf(rule.field);
    const type = CANONICAL_FIELDS[rule.field];
    if (!type) return; // the schema's enum already reported it
    const from =
      rule.from === undefined ? undefined : reference([...path, "from"], rule.from, record);
    if (from && DERIVATION_OWNED.has(rule.field) && from.derived.length > 0) {
      const derived = from.derived[0] as string;
      fail(
        [...path, "from"],
        "OPTION_DEPENDENCY",
        `${rule.field} names its message sources only (not ${derived}); whether the appointment's value wins is charges.derivation (Table 18 - Data derived from the matching appointment)`,
        columnOf(from.source, derived.startsWith("supervisorOf") ? "supervisorOf" : derived),
      );
    }
    const expr =
      rule.expr === undefined ? undefined : expression([...path, "expr"], rule.expr, record);
    const when =
      rule.when === undefined ? undefined : expression([...path, "when"], rule.when, record);
    fields.push({
      name: rule.name,
      field: rule.field,
      record,
      type,
      ...(from && { from }),
      ...(expr && { expr }),
      ...(when && { when }),
      ...(rule.map && { map: rule.map }),
      ...(rule.default !== undefined && { default: rule.default }),
      at: at(path),
    });
  });
  checkUnconditionalDuplicates(fields, fail, raw.fields ?? [], (i) => at(["fields", i]));

  const required: CompiledRequiredRule[] = [];
  (raw.required ?? []).forEach((rule, i) => {
    const path = ["required", i];
    const record = rule.field ? recordOf(rule.field) : (rule.record as RecordKind);
    if (rule.field && rule.record && rule.record !== record) {
      fail(
        [...path, "record"],
        "OPTION_DEPENDENCY",
        `${rule.field} belongs to ${record}, not ${rule.record}`,
      );
    }
    const ref = rule.ref === undefined ? undefined : reference([...path, "ref"], rule.ref, record);
    const when =
      rule.when === undefined ? undefined : expression([...path, "when"], rule.when, record);
    const on =
      rule.on === undefined ? ["create" as const] : Array.isArray(rule.on) ? rule.on : [rule.on];
    required.push({
      name: rule.name,
      record,
      ...(rule.field && { field: rule.field }),
      ...(ref && { ref }),
      on,
      ...(when && { when }),
      severity: rule.severity ?? "error",
      label: rule.label ?? labelOf(rule.field ?? rule.ref ?? rule.name),
      at: at(path),
    });
  });

  const practiceId = raw.pack.abstract ? undefined : raw.pack.id;
  const tables = new Map<string, MappingTable>();
  const readTable = (
    table: string,
    path: PathKey,
    code: PackErrorCode,
    why: string,
    column?: number,
  ): MappingTable | undefined => {
    const cached = tables.get(table);
    if (cached) return cached;
    if (!chain.mappingsDir) {
      fail(
        path,
        code,
        `mapping table '${table}' ${why}, but no pack in the chain sets pack.mappingsDir`,
        column,
      );
      return undefined;
    }
    const loaded = loadMappingTable(chain.mappingsDir, practiceId, table);
    if (!loaded.ok) {
      if (loaded.missing) {
        fail(
          path,
          code,
          `mapping table '${table}' ${why}, but neither mappings/standard/${table}.yaml nor mappings/${practiceId ?? "<practice>"}/${table}.yaml exists`,
          column,
        );
      }
      errors.push(...loaded.errors);
      return undefined;
    }
    tables.set(table, loaded.table);
    return loaded.table;
  };

  const mappings: Partial<Record<MappingElement, CompiledMapping>> = {};
  for (const element of MAPPING_ELEMENTS) {
    const config = raw.mappings?.[element];
    if (!config) continue;
    const path = ["mappings", element];
    const table = config.table ?? element;
    const mappingRequired = config.mappingRequired ?? false;
    // An abstract pack (base.yaml) has no practice folder: its practices bring the tables.
    const rows =
      mappingRequired && !raw.pack.abstract
        ? readTable(
            table,
            [...path, config.table === undefined ? "mappingRequired" : "table"],
            "MAPPING_TABLE_NOT_FOUND",
            "is required (mappingRequired: true)",
          )
        : undefined;
    if (rows?.direction === "outbound") {
      fail(
        [...path, config.table === undefined ? "mappingRequired" : "table"],
        "INVALID_VALUE",
        `mapping table '${table}' is direction: outbound (keyed by the practice's codes); mappings.${element} reads received codes: name an inbound table`,
      );
    }
    mappings[element] = {
      element,
      table,
      mappingRequired,
      ...(config.accept && { accept: config.accept }),
      ...(rows && { rows }),
      at: at(path),
    };
  }
  for (const [table, { path, column }] of tablesNamed) {
    const read = readTable(table, path, "MAPPING_TABLE_NOT_FOUND", "is named by $mapCode", column);
    if (read?.direction === "outbound") {
      fail(
        path,
        "INVALID_VALUE",
        `mapping table '${table}' is direction: outbound (keyed by the practice's codes): $mapCode reads received codes`,
        column,
      );
    }
  }

  const patientIds = compileExternalIds(raw.externalIds?.patient, "patient", {
    reference,
    fail,
    at,
  });
  const appointmentSection = compileAppointmentSection(chain.merged.data, { reference, fail, at });
  const patientIdFrom = raw.matching?.patientId?.from ?? "PID.2";
  const patientIdRef = reference(["matching", "patientId", "from"], patientIdFrom, "patient");
  const demographics = compileDemographics({
    ...DEFAULT_DEMOGRAPHICS,
    ...raw.matching?.demographics,
  });
  const insurance: InsuranceOptions = {
    receive: raw.insurance?.receive ?? true,
    mode: raw.insurance?.mode ?? "always",
    casePolicies: raw.insurance?.casePolicies ?? "toSequenceZero",
    relationshipDirection: raw.insurance?.relationshipDirection ?? "patientToInsured",
    at: at(["insurance"]),
  };
  const guarantor: GuarantorOptions = {
    receive: raw.guarantor?.receive ?? true,
    send: raw.guarantor?.send ?? true,
    relationshipDirection: raw.guarantor?.relationshipDirection ?? "patientToGuarantor",
  };
  const inverted =
    insurance.relationshipDirection === "insuredToPatient"
      ? ["insurance", "relationshipDirection"]
      : guarantor.relationshipDirection === "guarantorToPatient"
        ? ["guarantor", "relationshipDirection"]
        : undefined;
  const relationshipInverse =
    inverted && !raw.pack.abstract
      ? readTable(
          "relationshipInverse",
          inverted,
          "MAPPING_TABLE_NOT_FOUND",
          "turns relationships around",
        )
      : undefined;

  const charges = compileCharges(raw.charges, {
    fail,
    at,
    reference,
    appointmentIds: appointmentSection.externalIds,
  });

  const outbound = compileOutbound(raw.outbound, {
    fail,
    at,
    readTable: (table, path, why) => readTable(table, path, "MAPPING_TABLE_NOT_FOUND", why),
    abstract: raw.pack.abstract === true,
    ...(raw.practice && { practice: raw.practice }),
  });

  const appointments = appointmentSection.options;
  if (errors.length > 0 || !patientIdRef || !charges || !appointments) return { ok: false, errors };
  return {
    ok: true,
    pack: {
      id: raw.pack.id,
      file,
      abstract: raw.pack.abstract === true,
      ...(raw.practice && { practice: raw.practice }),
      enabled: normalizeEnablement(raw.enabled),
      fields,
      required,
      mappings,
      tables,
      budget,
      externalIds: { patient: patientIds, appointment: appointmentSection.externalIds },
      matching: {
        order: {
          patient: raw.matching?.order?.patient ?? ["externalId", "patientId", "demographics"],
          appointment: appointmentSection.order,
          charge: raw.matching?.order?.charge ?? ["externalId", "patientId", "demographics"],
        },
        patientId: patientIdRef,
        demographics,
        substantialChange: raw.matching?.substantialChange ?? [
          "dob",
          "lastName",
          "firstName",
          "sex",
          "ssn",
        ],
        at: at(["matching"]),
      },
      insurance,
      privacy: { autoCheck: raw.privacy?.autoCheck ?? true },
      acks: compileAckOptions(raw.acks),
      queue: compileQueueOptions(raw.queue),
      guarantor,
      appointments,
      charges,
      outbound,
      ...(relationshipInverse && { relationshipInverse }),
      effective: raw,
    },
  };
}

function columnOf(source: string, part: string): number | undefined {
  const i = source.indexOf(part);
  return i < 0 ? undefined : i + 1;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Two rules without `when:` for one field leave no way to choose between them. */
function checkUnconditionalDuplicates(
  fields: readonly CompiledFieldRule[],
  fail: (path: PathKey, code: PackErrorCode, message: string) => void,
  raw: readonly RawFieldRule[],
  where: (index: number) => string,
) {
  const first = new Map<string, { name: string; index: number }>();
  raw.forEach((rule, i) => {
    if (rule.when !== undefined || !fields.some((f) => f.name === rule.name)) return;
    const seen = first.get(rule.field);
    if (seen === undefined) first.set(rule.field, { name: rule.name, index: i });
    else {
      fail(
        ["fields", i],
        "DUPLICATE_RULE",
        `${rule.field} has two rules without when: '${seen.name}' (${where(seen.index)}) and '${rule.name}'; give one a when: condition, or remove one`,
      );
    }
  });
}
