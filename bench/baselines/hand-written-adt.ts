/**
 * The hand-written baseline of the inbound ADT pipeline benchmark
 * (bench/suites/adt-pipeline.ts): Harbor Orthopedics' patient messages
 * (rules/practices/harbor-ortho/pack.yaml over rules/base.yaml) processed
 * by plain TypeScript, with no rule interpreter.
 *
 * It does the work `receiveBytes` does for that pack, step by step, but with
 * the configuration written into the code: it parses with our parseHl7, reads
 * the same fields by fixed index, maps foreign codes through plain Maps built
 * from the same mapping files, checks the same master data, matches by the
 * same external ID and the same blocking lookup and scorer through the same
 * store API, decides create or update, checks the same required fields,
 * builds the same actions and calls store.receive / store.complete. What it
 * does not have is what the interpreter adds: compiled field rules and
 * references walked per field, JSONata for `when:` conditions, the mapping
 * step's generic dispatch, the trace (collected even when not kept), and the
 * async plumbing around all of it.
 *
 * It follows the engine's order of checks and its error codes and fields, so
 * the two can be compared message by message; the benchmark prints how many
 * outcomes agree. A Harbor pack change (a new field rule, an enabled event)
 * must be made here by hand too: that is the point of a hand-written
 * pipeline, and why the comparison is printed on every run.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parse } from "yaml";
import { controlId, leafValue, messageType, messageTypeName } from "../../engine/hl7/access.js";
import { parseHl7 } from "../../engine/hl7/parse.js";
import { serializeMessage } from "../../engine/hl7/serialize.js";
import type { Hl7Message, Hl7Repetition, Hl7Segment } from "../../engine/hl7/tree.js";
import type { MessageContext } from "../../engine/inbound/context.js";
import { warnUnreadPhones } from "../../engine/inbound/patients/unread-phones.js";
import { unparseableOutcome } from "../../engine/inbound/process.js";
import {
  blockingKeysFor,
  type CompiledDemographics,
  classify,
  compileDemographics,
  DEFAULT_DEMOGRAPHICS,
  type DemographicField,
  substantialChanges,
} from "../../engine/matching/scorer.js";
import type { TypedAction } from "../../engine/model/actions.js";
import type { MasterData } from "../../engine/model/master-data.js";
import {
  decideState,
  type ErrorCode,
  type Outcome,
  type OutcomeError,
  type ReviewItem,
} from "../../engine/model/outcome.js";
import type { Guarantor, Patient, Policy } from "../../engine/model/records.js";
import { toDate } from "../../engine/model/time.js";
import { completeSafely } from "../../engine/queue/intake.js";
import type { LocalStore as Store } from "../../engine/store/types.js";

// --- Harbor's configuration, written out --------------------------------------

/** ADT triggers the patient handler takes (engine/inbound/process.ts). */
const ADT_TRIGGERS = new Set(["A01", "A04", "A05", "A08", "A28", "A31"]);
/** enabled.inbound.patientAdd (Harbor's list). */
const PATIENT_ADD = new Set(["ADT^A01", "ADT^A04", "ADT^A28"]);
/** enabled.inbound.patientUpdate (the base's `true`). */
const PATIENT_UPDATE = new Set(["ADT^A01", "ADT^A04", "ADT^A05", "ADT^A08", "ADT^A28", "ADT^A31"]);
/** externalIds.patient: orthochartMrn from PID.3[5=MR].1, leading zeros stripped, for matching. */
const MRN = "orthochartMrn";
/** matching.substantialChange (the base's). */
const SUBSTANTIAL: readonly DemographicField[] = ["dob", "lastName", "firstName", "sex", "ssn"];
/** Harbor's `required` condition on policy.policyNumber: the self-pay package needs none. */
const SELF_PAY_PACKAGE = "9001";
/** The mapping tables Harbor requires (mappingRequired: true), by element. */
const TABLES = [
  "sex",
  "race",
  "ethnicity",
  "language",
  "provider",
  "department",
  "insurancePlan",
] as const;
type TableName = (typeof TABLES)[number];

interface CodeTable {
  readonly name: TableName;
  readonly caseInsensitive: boolean;
  readonly rows: ReadonlyMap<string, string>;
}

export interface HarborAdt {
  readonly tables: Readonly<Record<TableName, CodeTable>>;
  /** Provider ID or NPI -> provider ID (mappings.provider.accept: [practiceId, npi]). */
  readonly providers: ReadonlyMap<string, string>;
  readonly departments: ReadonlySet<string>;
  /** Package ID -> casePolicy. */
  readonly packages: ReadonlyMap<string, boolean>;
  readonly demographics: CompiledDemographics;
}

interface RawTable {
  readonly caseInsensitive?: boolean;
  readonly rows: readonly { readonly foreign: string; readonly practice: string }[];
}

/** mappings/standard/<table>.yaml overlaid by mappings/harbor-ortho/<table>.yaml, as plain Maps. */
function loadTable(mappingsDir: string, name: TableName): CodeTable {
  const files = [
    join(mappingsDir, "standard", `${name}.yaml`),
    join(mappingsDir, "harbor-ortho", `${name}.yaml`),
  ];
  const raws: RawTable[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    raws.push(parse(text) as RawTable);
  }
  const caseInsensitive = raws.some((r) => r.caseInsensitive === true);
  const rows = new Map<string, string>();
  for (const raw of raws) {
    for (const row of raw.rows) {
      rows.set(caseInsensitive ? row.foreign.toUpperCase() : row.foreign, row.practice);
    }
  }
  return { name, caseInsensitive, rows };
}

/** Harbor's tables and master-data indexes, built once. `root` is the repository. */
export function loadHarborAdt(root: string, masterData: MasterData): HarborAdt {
  const mappingsDir = join(root, "mappings");
  const tables = Object.fromEntries(TABLES.map((t) => [t, loadTable(mappingsDir, t)])) as Record<
    TableName,
    CodeTable
  >;
  const providers = new Map<string, string>();
  for (const p of [...masterData.providers].reverse()) {
    if (p.npi !== undefined) providers.set(p.npi, p.id);
    providers.set(p.id, p.id);
  }
  return {
    tables,
    providers,
    departments: new Set(masterData.departments.map((d) => d.id)),
    packages: new Map(masterData.insurancePackages.map((p) => [p.id, p.casePolicy === true])),
    demographics: compileDemographics(DEFAULT_DEMOGRAPHICS),
  };
}

// --- Reading -------------------------------------------------------------------

/** A leaf: a string (never ""), null (the HL7 null ""), or undefined (absent). */
type Leaf = string | null | undefined;

/** A field's outcome: its value, or `invalid` (sent but unusable; its error is reported). */
const INVALID = Symbol("invalid");
type Read<T> = T | null | undefined | typeof INVALID;

function segment(message: Hl7Message, name: string): Hl7Segment | undefined {
  const segments = message.segments;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] as Hl7Segment;
    if (s.name === name) return s;
  }
  return undefined;
}

/** Component `c` of the first repetition of field `f` whose component `fc` is `equals`. */
function filtered(
  s: Hl7Segment | undefined,
  f: number,
  fc: number,
  equals: string,
  c: number,
): Leaf {
  const repetitions = s?.fields[f - 1];
  if (repetitions === undefined) return undefined;
  for (const repetition of repetitions) {
    if (repetition[fc - 1]?.[0]?.value === equals) {
      const value = repetition[c - 1]?.[0]?.value;
      return value === "" ? undefined : value;
    }
  }
  return undefined;
}

/** The repetition of field `f` whose component `fc` is `equals` (the first one without a filter). */
function repetitionOf(
  s: Hl7Segment | undefined,
  f: number,
  fc?: number,
  equals?: string,
): Hl7Repetition | undefined {
  const repetitions = s?.fields[f - 1];
  if (fc === undefined) return repetitions?.[0];
  return repetitions?.find((r) => r[fc - 1]?.[0]?.value === equals);
}

/**
 * A telephone in the 2.5 layout, read when XTN-1 is empty (as the engine
 * does, xtn-layout.ts): XTN-5..8 written "+1 (302)555-0163 x12", else XTN-12.
 */
function layout25(repetition: Hl7Repetition | undefined): Leaf {
  const c = (n: number) => repetition?.[n - 1]?.[0]?.value?.trim() || undefined;
  const [country, area, local, extension] = [c(5), c(6), c(7), c(8)];
  if (!area && !local) return c(12);
  const localText =
    local && /^\d{7}$/.test(local) ? `${local.slice(0, 3)}-${local.slice(3)}` : (local ?? "");
  return [
    country ? `+${country.replace(/^\+/, "")} ` : "",
    area ? `(${area})` : "",
    localText,
    extension ? ` x${extension}` : "",
  ].join("");
}

/** A phone rule's value, else (absent, not null) the same repetitions in the 2.5 layout, in order. */
function phone(value: Leaf, ...repetitions: (Hl7Repetition | undefined)[]): Leaf {
  if (value !== undefined) return value;
  for (const r of repetitions) {
    const number = layout25(r);
    if (number !== undefined) return number;
  }
  return undefined;
}

/** The `|` rule: the first alternative with a value; else null if any was null. */
function firstOf(a: Leaf, b: Leaf): Leaf {
  if (typeof a === "string") return a;
  if (typeof b === "string") return b;
  return a === null || b === null ? null : undefined;
}

/** `IN1.2+IN1.4+IN1.5`: first components joined with "+", absent or null parts as "". */
function compositeKey(parts: readonly Leaf[]): Leaf {
  let joined = "";
  let anyValue = false;
  let sawNull = false;
  for (let i = 0; i < parts.length; i++) {
    const value = parts[i];
    if (i > 0) joined += "+";
    if (typeof value === "string") {
      joined += value;
      anyValue = true;
    } else if (value === null) sawNull = true;
  }
  if (anyValue) return joined;
  return sawNull ? null : undefined;
}

class Findings {
  readonly errors: OutcomeError[] = [];
  readonly review: ReviewItem[] = [];
  error(code: ErrorCode, message: string, extra?: Partial<OutcomeError>): void {
    this.errors.push({ code, severity: "error", message, ...extra });
  }
}

function mapped(
  harbor: HarborAdt,
  found: Findings,
  table: TableName,
  value: Leaf,
  field: string,
): Read<string> {
  if (typeof value !== "string") return value;
  const t = harbor.tables[table];
  const practice = t.rows.get(t.caseInsensitive ? value.toUpperCase() : value);
  if (practice === undefined) {
    found.error(
      table === "insurancePlan" ? "UNMAPPED_INSURANCE" : "UNMAPPED_CODE",
      `'${value}' has no row in mapping table ${table} (${field}); add one and reprocess`,
      { field, table, value },
    );
    return INVALID;
  }
  let known: string | undefined = practice;
  let code: ErrorCode | undefined;
  if (table === "provider") {
    known = harbor.providers.get(practice);
    code = "UNKNOWN_PROVIDER";
  } else if (table === "department") {
    known = harbor.departments.has(practice) ? practice : undefined;
    code = "UNKNOWN_DEPARTMENT";
  } else if (table === "insurancePlan") {
    known = harbor.packages.has(practice) ? practice : undefined;
    code = "UNMAPPED_INSURANCE";
  }
  if (known === undefined && code !== undefined) {
    found.error(code, `${table} '${practice}' is not in the practice's master data`, {
      field,
      table,
      value: practice,
    });
    return INVALID;
  }
  return known;
}

function date(found: Findings, name: string, value: Leaf, field: string): Read<string> {
  if (typeof value !== "string") return value;
  const d = toDate(value);
  if (d !== undefined) return d;
  found.error("INVALID_VALUE", `${name} '${value}' is not a full date (YYYYMMDD) (${field})`, {
    field,
    value,
  });
  return INVALID;
}

/** Set `key` unless absent or invalid; a null is kept (an update clears). */
function put(target: Record<string, unknown>, key: string, value: Read<unknown>): void {
  if (value === undefined || value === INVALID) return;
  target[key] = value;
}

/** `put` into a nested object made on first use. */
function putIn(
  target: Record<string, unknown>,
  path: string,
  key: string,
  value: Read<unknown>,
): void {
  if (value === undefined || value === INVALID) return;
  let node = target[path] as Record<string, unknown> | undefined;
  if (node === undefined) {
    node = {};
    target[path] = node;
  }
  node[key] = value;
}

interface PatientRead {
  readonly demographics: Patient;
  readonly guarantor: Guarantor | undefined;
  /** Required fields: present, or sent but invalid (reported once, by their own error). */
  readonly has: { readonly lastName: boolean; readonly firstName: boolean; readonly dob: boolean };
  readonly complete: boolean;
}

const sent = (v: Read<unknown>) => v !== undefined && v !== null;

function readPatient(harbor: HarborAdt, message: Hl7Message, found: Findings): PatientRead {
  const before = found.errors.length;
  const msh = message.segments[0];
  const pid = segment(message, "PID");
  const p: Record<string, unknown> = {};
  const lastName = leafValue(pid, 5, 1, 1);
  const firstName = leafValue(pid, 5, 1, 2);
  put(p, "lastName", lastName);
  put(p, "firstName", firstName);
  put(p, "middleName", leafValue(pid, 5, 1, 3));
  const dob = date(found, "patient.dob", leafValue(pid, 7), "PID.7");
  put(p, "dob", dob);
  // Harbor's sex-from-z-segment rule: OrthoChart sends sex in ZPI-4.
  const sex =
    leafValue(msh, 3) === "ORTHOCHART"
      ? mapped(harbor, found, "sex", leafValue(segment(message, "ZPI"), 4), "ZPI.4")
      : mapped(harbor, found, "sex", leafValue(pid, 8), "PID.8");
  put(p, "sex", sex);
  put(p, "ssn", leafValue(pid, 19));
  putIn(p, "address", "line1", leafValue(pid, 11, 1, 1));
  putIn(p, "address", "line2", leafValue(pid, 11, 1, 2));
  putIn(p, "address", "city", leafValue(pid, 11, 1, 3));
  putIn(p, "address", "state", leafValue(pid, 11, 1, 4));
  putIn(p, "address", "zip", leafValue(pid, 11, 1, 5));
  putIn(p, "address", "country", leafValue(pid, 12));
  putIn(
    p,
    "phones",
    "home",
    phone(
      firstOf(filtered(pid, 13, 2, "PRN", 1), leafValue(pid, 13)),
      repetitionOf(pid, 13, 2, "PRN"),
      repetitionOf(pid, 13),
    ),
  );
  putIn(
    p,
    "phones",
    "mobile",
    phone(filtered(pid, 13, 3, "CP", 1), repetitionOf(pid, 13, 3, "CP")),
  );
  putIn(p, "phones", "work", phone(leafValue(pid, 14), repetitionOf(pid, 14)));
  // base.yaml: patient.email from PID.13[3=Internet].4 | PID.13[2=NET].4 | PID.14[3=Internet].4.
  put(
    p,
    "email",
    firstOf(
      filtered(pid, 13, 3, "Internet", 4),
      firstOf(filtered(pid, 13, 2, "NET", 4), filtered(pid, 14, 3, "Internet", 4)),
    ),
  );
  // base.yaml: patient.senderPatientId from PID.3[5=MR].1 | PID.3.1, kept as received.
  put(p, "senderPatientId", firstOf(filtered(pid, 3, 5, "MR", 1), leafValue(pid, 3)));
  put(p, "race", mapped(harbor, found, "race", leafValue(pid, 10), "PID.10"));
  put(p, "ethnicity", mapped(harbor, found, "ethnicity", leafValue(pid, 22), "PID.22"));
  put(p, "language", mapped(harbor, found, "language", leafValue(pid, 15), "PID.15"));
  put(p, "maritalStatus", leafValue(pid, 16));
  const pd1 = segment(message, "PD1");
  put(p, "primaryProviderId", mapped(harbor, found, "provider", leafValue(pd1, 4), "PD1.4"));
  const pv1 = segment(message, "PV1");
  put(p, "primaryDepartmentId", mapped(harbor, found, "department", leafValue(pv1, 3), "PV1.3.1"));

  const gt1 = segment(message, "GT1");
  const g: Record<string, unknown> = {};
  if (gt1 !== undefined) {
    put(g, "lastName", leafValue(gt1, 3, 1, 1));
    put(g, "firstName", leafValue(gt1, 3, 1, 2));
    putIn(g, "address", "line1", leafValue(gt1, 5, 1, 1));
    putIn(g, "address", "line2", leafValue(gt1, 5, 1, 2));
    putIn(g, "address", "city", leafValue(gt1, 5, 1, 3));
    putIn(g, "address", "state", leafValue(gt1, 5, 1, 4));
    putIn(g, "address", "zip", leafValue(gt1, 5, 1, 5));
    put(g, "phone", leafValue(gt1, 6));
    put(g, "dob", date(found, "patient.guarantor.dob", leafValue(gt1, 8), "GT1.8"));
    put(g, "relationship", leafValue(gt1, 11));
  }
  const nk1 = segment(message, "NK1");
  if (nk1 !== undefined) {
    putIn(p, "nextOfKin", "lastName", leafValue(nk1, 2, 1, 1));
    putIn(p, "nextOfKin", "firstName", leafValue(nk1, 2, 1, 2));
    putIn(p, "nextOfKin", "relationship", leafValue(nk1, 3));
    putIn(p, "nextOfKin", "phone", leafValue(nk1, 5));
  }
  return {
    demographics: p as Patient,
    guarantor: Object.keys(g).length > 0 ? (g as Guarantor) : undefined,
    has: {
      lastName: sent(lastName),
      firstName: sent(firstName),
      dob: dob === INVALID || sent(dob),
    },
    complete: found.errors.length === before,
  };
}

/** A create writes no nulls: null keys, and maps left empty, are dropped. */
function withoutNulls<T extends object>(record: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === null || value === undefined) continue;
    if (typeof value === "object" && !Array.isArray(value)) {
      const inner = withoutNulls(value);
      if (Object.keys(inner).length > 0) out[key] = inner;
    } else out[key] = value;
  }
  return out as T;
}

function stripZeros(value: string): string {
  const stripped = value.replace(/^0+/, "");
  return stripped === "" && value !== "" ? "0" : stripped;
}

// --- The handler -----------------------------------------------------------------

type Match =
  | { readonly kind: "matched"; readonly patient: Patient & { readonly id: string } }
  | { readonly kind: "none" }
  | { readonly kind: "review" };

function matchPatient(
  harbor: HarborAdt,
  store: Store,
  found: Findings,
  incoming: Patient,
  mrn: string | undefined,
  key: string | undefined,
): Match {
  if (mrn !== undefined && key !== undefined) {
    const byMrn = store.patientsByExternalId(MRN, key);
    if (byMrn.length > 1) {
      found.review.push({
        reason: "ambiguousMatch",
        detail: `external ID ${MRN} is held by ${byMrn.length} patients; external IDs must be unique`,
        candidates: byMrn.map((p) => ({ patientId: p.id ?? "", total: 0, scores: {} })),
      });
      return { kind: "review" };
    }
    const patient = byMrn[0];
    if (patient?.id !== undefined) {
      return { kind: "matched", patient: patient as Patient & { id: string } };
    }
  }
  const candidates = store.patientCandidates(blockingKeysFor(harbor.demographics, incoming));
  const result = classify(harbor.demographics, incoming, candidates);
  if (result.kind === "match") {
    const patient = candidates.find((c) => c.id === result.patientId);
    return patient?.id === undefined
      ? { kind: "none" }
      : { kind: "matched", patient: patient as Patient & { id: string } };
  }
  if (result.kind === "review") {
    found.review.push({
      reason: result.reason,
      detail:
        result.reason === "ambiguousMatch"
          ? "several stored patients score above the match threshold"
          : "a stored patient scores between the review and match thresholds: a possible duplicate",
      candidates: result.candidates.map(({ patientId, total, scores }) => ({
        patientId,
        total,
        scores,
      })),
    });
    return { kind: "review" };
  }
  return { kind: "none" };
}

function patientMessage(
  harbor: HarborAdt,
  store: Store,
  message: Hl7Message,
  found: Findings,
): TypedAction[] {
  const pid = segment(message, "PID");
  const mrn = filtered(pid, 3, 5, "MR", 1);
  const mrnValue = typeof mrn === "string" ? mrn : undefined;
  const key = mrnValue === undefined ? undefined : stripZeros(mrnValue);
  const read = readPatient(harbor, message, found);
  const demographics = read.demographics;
  const incoming: Patient =
    mrnValue === undefined ? demographics : { ...demographics, externalIds: { [MRN]: mrnValue } };
  // The engine's own check (a phone sent but read into no field): the same warnings, same order.
  warnUnreadPhones({ message, found } as unknown as MessageContext, incoming);

  const match = matchPatient(harbor, store, found, incoming, mrnValue, key);
  if (match.kind === "review") {
    found.error(
      "REVIEW_REQUIRED",
      "a person must decide whether this is an existing patient (possible duplicate); nothing was applied",
    );
    return [];
  }
  const type = messageTypeName(message);
  const matched = match.kind === "matched" ? match.patient : undefined;
  const event = matched ? "patientUpdate" : "patientAdd";
  if (!(matched ? PATIENT_UPDATE : PATIENT_ADD).has(type)) {
    found.error(
      "EVENT_NOT_ENABLED",
      `${event} is not enabled inbound for ${type} (enabled.inbound.${event}, Table 4 - Interface Enablement)`,
    );
    return [];
  }
  if (matched) {
    const changed = substantialChanges(harbor.demographics, SUBSTANTIAL, matched, incoming);
    if (changed.length > 0) {
      const names = changed.map((c) => c.field).join(", ");
      found.review.push({
        reason: "substantialChange",
        detail: `the message changes ${names} of patient ${matched.id}`,
        candidates: [
          {
            patientId: matched.id,
            total: 0,
            scores: {},
            changes: Object.fromEntries(
              changed.map((c) => [c.field, { stored: c.stored, received: c.received }]),
            ),
          },
        ],
      });
      found.error(
        "REVIEW_REQUIRED",
        `substantial demographic change (${names}) to an existing patient needs review`,
      );
      return [];
    }
  }
  if (mrnValue !== undefined && key !== undefined) {
    const others = store.patientsByExternalId(MRN, key).filter((p) => p.id !== matched?.id);
    if (others.length > 0) {
      found.review.push({
        reason: "ambiguousMatch",
        detail: `external ID ${MRN} '${mrnValue}' already belongs to patient ${others.map((p) => p.id).join(", ")}`,
        candidates: others.map((p) => ({ patientId: p.id ?? "", total: 0, scores: {} })),
      });
      found.error(
        "REVIEW_REQUIRED",
        `external ID ${MRN} is held by another patient; external IDs must be unique, so a person decides`,
      );
      return [];
    }
  }
  // Table 10, on create only.
  let requiredOk = true;
  if (!matched) {
    const missing = (label: string, field: string) => {
      requiredOk = false;
      found.error("REQUIRED_FIELD_MISSING", `${label} (${field}) is required to create a patient`, {
        field,
      });
    };
    if (typeof leafValue(pid, 3) !== "string") missing("patient ID", "PID.3.1");
    if (!read.has.lastName) missing("last name", "PID.5.1");
    if (!read.has.firstName) missing("first name", "PID.5.2");
    if (!read.has.dob) missing("date of birth", "PID.7");
  }
  if (!requiredOk || !read.complete) {
    // Decision 0034: the policies' own problems are found in the same pass; nothing applied.
    policies(
      harbor,
      store,
      message,
      found,
      matched ? (matched.id as string) : "(not created)",
      !!matched,
    );
    return [];
  }

  const patientId = matched ? matched.id : store.nextId("patient");
  const actions: TypedAction[] = [];
  if (matched) {
    // The sender's patient ID is written once: a stored one is never replaced.
    const { senderPatientId: _kept, ...rest } = demographics;
    const update = typeof matched.senderPatientId === "string" ? rest : demographics;
    actions.push({ type: "patient.update", patientId, patient: update });
    const current = matched.externalIds?.[MRN];
    if (mrnValue !== undefined && key !== undefined) {
      if (current === undefined || stripZeros(current) !== key) {
        actions.push({
          type: "externalId.set",
          record: "patient",
          recordId: patientId,
          name: MRN,
          value: mrnValue,
          key,
        });
      }
    }
  } else {
    actions.push({ type: "patient.create", patient: { ...withoutNulls(incoming), id: patientId } });
    if (mrnValue !== undefined && key !== undefined && key !== mrnValue) {
      actions.push({
        type: "externalId.set",
        record: "patient",
        recordId: patientId,
        name: MRN,
        value: mrnValue,
        key,
      });
    }
    if (!demographics.privacy) {
      actions.push({
        type: "privacy.set",
        patientId,
        privacy: { releaseOfBillingInformation: true, assignmentOfBenefits: true },
      });
    }
  }
  const guarantor = read.guarantor && withoutNulls(read.guarantor);
  if (
    guarantor &&
    Object.keys(guarantor).length > 0 &&
    !isDeepStrictEqual(guarantor, matched?.guarantor)
  ) {
    actions.push({ type: "guarantor.set", patientId, guarantor });
  }
  actions.push(...policies(harbor, store, message, found, patientId, matched !== undefined));
  return actions;
}

/** Insurance: one policy per IN1 group; Harbor's mode is whenPresent (no IN1, no action). */
/** Table 11 on create; Harbor: no policy number for the self-pay package. False when one is missing. */
function requiredForCreate(
  found: Findings,
  packageId: Read<string>,
  policyNumber: Leaf,
  relationship: Leaf,
): boolean {
  let ok = true;
  if (packageId !== SELF_PAY_PACKAGE && !sent(policyNumber)) {
    ok = false;
    found.error(
      "REQUIRED_FIELD_MISSING",
      "policy number (IN1.36) is required to create an insurance policy",
      { field: "IN1.36" },
    );
  }
  if (!sent(relationship)) {
    ok = false;
    found.error(
      "REQUIRED_FIELD_MISSING",
      "relationship to insured (IN1.17) is required to create an insurance policy",
      { field: "IN1.17" },
    );
  }
  return ok;
}

function policies(
  harbor: HarborAdt,
  store: Store,
  message: Hl7Message,
  found: Findings,
  patientId: string,
  known: boolean,
): TypedAction[] {
  const actions: TypedAction[] = [];
  let stored: readonly Policy[] | undefined;
  let index = 0;
  for (const in1 of message.segments) {
    if (in1.name !== "IN1") continue;
    index++;
    // Table 11: the foreign key's required parts, before the key is looked up.
    const packageCode = leafValue(in1, 2);
    const name = leafValue(in1, 4);
    if (typeof packageCode !== "string" || typeof name !== "string") {
      if (typeof packageCode !== "string") {
        found.error(
          "REQUIRED_FIELD_MISSING",
          "insurance package ID (IN1.2) is required to create an insurance policy",
          { field: "IN1.2" },
        );
      }
      if (typeof name !== "string") {
        found.error(
          "REQUIRED_FIELD_MISSING",
          "insurance name (IN1.4) is required to create an insurance policy",
          {
            field: "IN1.4",
          },
        );
      }
      continue;
    }
    const before = found.errors.length;
    const r: Record<string, unknown> = {};
    const sequenceText = leafValue(in1, 1);
    let sequenceValue: Read<number> = typeof sequenceText === "string" ? INVALID : sequenceText;
    if (typeof sequenceText === "string") {
      const t = sequenceText.trim();
      if (/^[+-]?\d+$/.test(t)) sequenceValue = Number.parseInt(t, 10);
      else {
        found.error("INVALID_VALUE", `policy.sequence '${t}' is not a whole number (IN1.1)`, {
          field: "IN1.1",
          value: sequenceText,
        });
        sequenceValue = INVALID;
      }
    }
    put(r, "sequence", sequenceValue);
    const foreignKey = compositeKey([packageCode, name, leafValue(in1, 5)]);
    const packageId = mapped(harbor, found, "insurancePlan", foreignKey, "IN1.2+IN1.4+IN1.5");
    put(r, "packageId", packageId);
    const policyNumber = leafValue(in1, 36);
    put(r, "policyNumber", policyNumber);
    const relationship = leafValue(in1, 17);
    put(r, "relationshipToInsured", relationship);
    putIn(r, "insured", "lastName", leafValue(in1, 16, 1, 1));
    putIn(r, "insured", "firstName", leafValue(in1, 16, 1, 2));
    putIn(r, "insured", "dob", date(found, "policy.insured.dob", leafValue(in1, 18), "IN1.18"));
    putIn(r, "insured", "sex", mapped(harbor, found, "sex", leafValue(in1, 43), "IN1.43"));
    const insuredAddress: Record<string, unknown> = {};
    put(insuredAddress, "line1", leafValue(in1, 19, 1, 1));
    put(insuredAddress, "line2", leafValue(in1, 19, 1, 2));
    put(insuredAddress, "city", leafValue(in1, 19, 1, 3));
    put(insuredAddress, "state", leafValue(in1, 19, 1, 4));
    put(insuredAddress, "zip", leafValue(in1, 19, 1, 5));
    if (Object.keys(insuredAddress).length > 0) putIn(r, "insured", "address", insuredAddress);
    if (found.errors.length > before || typeof packageId !== "string") {
      // Decision 0034: an incomplete policy's blocking required fields are judged
      // too, as for a new policy when none is stored at its sequence.
      const at = typeof sequenceValue === "number" ? sequenceValue : index;
      stored ??= known ? store.policiesOf(patientId) : [];
      if (!stored.some((p) => p.sequence === at))
        requiredForCreate(found, packageId, policyNumber, relationship);
      continue;
    }

    let sequence = typeof sequenceValue === "number" ? sequenceValue : index;
    if (sequence === 1 && harbor.packages.get(packageId) === true) sequence = 0;
    const policy = { ...r, sequence, packageId, foreignKey } as Policy;
    stored ??= known ? store.policiesOf(patientId) : [];
    const current = stored.find((p) => p.sequence === sequence);
    const update = current?.packageId === packageId;
    if (!update && !requiredForCreate(found, packageId, policyNumber, relationship)) continue;
    if (!current) actions.push({ type: "insurance.add", patientId, policy: withoutNulls(policy) });
    else if (update) actions.push({ type: "insurance.update", patientId, policy });
    else {
      actions.push({
        type: "insurance.replace",
        patientId,
        policy: withoutNulls(policy),
        replacedPackageId: current.packageId,
      });
    }
  }
  return actions;
}

// --- Intake ------------------------------------------------------------------------

export interface BaselineIntakeOptions {
  readonly now: Date;
  readonly sender: string;
}

const utf8 = new TextEncoder();

/** `receiveBytes` for Harbor's ADT messages, by hand: synchronous, no interpreter. */
export async function receiveAdtBytes(
  harbor: HarborAdt,
  store: Store,
  bytes: Uint8Array,
  options: BaselineIntakeOptions,
): Promise<Outcome[]> {
  const doc = parseHl7(bytes);
  const receivedAt = options.now.toISOString();
  const outcomes: Outcome[] = [];
  const outside = doc.issues.filter((i) => i.messageIndex < 0 && i.severity === "error");
  if (outside.length > 0) {
    const messageId = await store.receive({
      raw: bytes,
      receivedAt,
      sender: options.sender,
      controlId: "",
      messageType: "",
      direction: "inbound",
    });
    const outcome = unparseableOutcome(messageId, outside);
    await store.complete(outcome, { kind: "receive", now: receivedAt });
    outcomes.push(outcome);
  }
  for (const message of doc.messages) {
    const type = messageTypeName(message);
    const messageId = await store.receive({
      raw: doc.messages.length === 1 ? bytes : utf8.encode(serializeMessage(message)),
      receivedAt,
      sender: options.sender,
      controlId: controlId(message),
      messageType: type,
      direction: "inbound",
    });
    const found = new Findings();
    const issues = doc.issues.filter((i) => i.messageIndex === message.index);
    for (const issue of issues) {
      found.errors.push({
        code: issue.severity === "error" ? "PARSE_ERROR" : "PARSE_WARNING",
        severity: issue.severity,
        message: `line ${issue.line}: ${issue.message}`,
        ...(issue.field && { field: issue.field }),
      });
    }
    let actions: TypedAction[] = [];
    if (!issues.some((i) => i.severity === "error")) {
      const { code, trigger } = messageType(message);
      if (code !== "ADT" || !ADT_TRIGGERS.has(trigger)) {
        found.error(
          "MESSAGE_TYPE_NOT_SUPPORTED",
          `no handler takes ${type || "a message without MSH-9"}`,
          {
            field: "MSH.9",
          },
        );
      } else {
        try {
          actions = patientMessage(harbor, store, message, found);
        } catch (e) {
          found.error(
            "INTERNAL_ERROR",
            `internal error in the ADT handler: ${e instanceof Error ? e.message : String(e)}`,
          );
        }
      }
    }
    const state = decideState(found.errors, false);
    outcomes.push(
      await completeSafely(
        store,
        {
          messageId,
          controlId: controlId(message),
          messageType: type,
          state,
          actions: state === "PROCESSED" ? actions : [],
          errors: found.errors,
          review: found.review,
          trace: [],
        },
        { kind: "receive", now: receivedAt },
      ),
    );
  }
  return outcomes;
}
