/**
 * The hand-written baseline of the DFT pipeline benchmark
 * (bench/suites/dft-pipeline.ts): Harbor Orthopedics' charge messages
 * (rules/practices/harbor-ortho/pack.yaml over rules/base.yaml) processed by
 * plain, synchronous TypeScript, with Harbor's configuration written into
 * the code.
 *
 * It does what `receiveBytes` does for that pack: parse with our parseHl7,
 * store the message, find the patient by the OrthoChart MRN (PID.3[5=MR].1,
 * leading zeros stripped), read each CG line by fixed index (FT1.4, .10,
 * .13, .16, .19, .20, .21, .25, .26; DG1.3 when FT1.19 is empty), match the
 * appointment by the OrthoChart visit ID in PV1.19, derive the claim fields
 * from it (the supervisor from the provider table) or, free-standing, from
 * the DFT through plain Maps built from the same mapping files (FT1.21
 * supervising), check Table 16 and the procedure list, then combine (by
 * procedure and modifiers), group (the spec's seven keys), place the
 * diagnoses (truncating) and move matched appointments to 4. What it lacks
 * is what the interpreter adds: compiled references and rules walked per
 * field, the generic mapping step, the per-line findings, the trace,
 * enablement lists, async plumbing. Demographic matching is left out: every
 * patient of the workload has its MRN.
 *
 * It follows the handler's order of checks and error codes for the messages
 * the benchmark sends; the suite compares the two pipelines' outcomes
 * message by message and prints how many agree. A Harbor pack change must be
 * made here by hand too. The diagnosis placement is the engine's own pure
 * function (engine/inbound/charges/claim-diagnoses.ts): an algorithm, not
 * interpretation.
 */
import { join } from "node:path";
import { controlId, leafValue, messageType, messageTypeName } from "../../engine/hl7/access.js";
import { parseHl7 } from "../../engine/hl7/parse.js";
import type { Hl7Message, Hl7Segment } from "../../engine/hl7/tree.js";
import { placeDiagnoses } from "../../engine/inbound/charges/claim-diagnoses.js";
import type { ChargeAdd, TypedAction } from "../../engine/model/actions.js";
import type { MasterData } from "../../engine/model/master-data.js";
import { decideState, type Outcome, type OutcomeError } from "../../engine/model/outcome.js";
import type { Appointment, ChargeLine, Claim, Policy } from "../../engine/model/records.js";
import { toDate } from "../../engine/model/time.js";
import type { LocalStore as Store } from "../../engine/store/types.js";
import { loadHarborTable, type Table } from "./harbor-tables.js";

const VISIT = "orthochartVisit";
const MRN = "orthochartMrn";
const LIMITS = { pointersPerLine: 4, additionalHeaderCodes: 12, truncate: true };

export interface HarborDft {
  readonly provider: Table;
  readonly department: Table;
  readonly providers: ReadonlyMap<string, { readonly supervisingProviderId?: string }>;
  readonly departments: ReadonlySet<string>;
  readonly procedures: ReadonlySet<string>;
}

/** Harbor's tables and master data, built once. `root` is the repository. */
export function loadHarborDft(root: string, masterData: MasterData): HarborDft {
  const dir = join(root, "mappings");
  return {
    provider: loadHarborTable(dir, "provider"),
    department: loadHarborTable(dir, "department"),
    providers: new Map(masterData.providers.map((p) => [p.id, p])),
    departments: new Set(masterData.departments.map((d) => d.id)),
    procedures: new Set(masterData.procedures.map((p) => p.code)),
  };
}

// --- reading ------------------------------------------------------------------

/** A leaf as the engine's references read it: a value, or undefined (empty). */
function leaf(s: Hl7Segment | undefined, f: number, c = 1, r = 1): string | undefined {
  const value = leafValue(s, f, r, c);
  return value === "" || value === null ? undefined : value;
}

/** Component 1 of every repetition of a field, the empty ones dropped. */
function repetitions(s: Hl7Segment | undefined, f: number): string[] {
  const out: string[] = [];
  for (const repetition of s?.fields[f - 1] ?? []) {
    const value = repetition[0]?.[0]?.value;
    if (value) out.push(value);
  }
  return out;
}

const stripZeros = (v: string) => v.replace(/^0+/, "") || "0";

/** PID.3[5=MR].1 */
function mrn(pid: Hl7Segment | undefined): string | undefined {
  for (const repetition of pid?.fields[2] ?? []) {
    if (repetition[4]?.[0]?.value === "MR") return repetition[0]?.[0]?.value || undefined;
  }
  return undefined;
}

class Found {
  readonly errors: OutcomeError[] = [];
  add(code: OutcomeError["code"], message: string, more: Partial<OutcomeError> = {}): void {
    this.errors.push({ code, severity: "error", message, ...more });
  }
  has(): boolean {
    return this.errors.some((e) => e.severity === "error");
  }
}

function mapped(
  found: Found,
  table: Table,
  name: "provider" | "department",
  known: (id: string) => boolean,
  code: string,
  field: string,
): string | undefined {
  const practice = table.rows.get(table.caseInsensitive ? code.toUpperCase() : code);
  if (practice === undefined) {
    found.add("UNMAPPED_CODE", `'${code}' has no row in mapping table ${name} (${field})`, {
      field,
      table: name,
      value: code,
    });
    return undefined;
  }
  if (!known(practice)) {
    found.add(
      name === "provider" ? "UNKNOWN_PROVIDER" : "UNKNOWN_DEPARTMENT",
      `${name} '${practice}' is not in the practice's master data`,
      { field, table: name, value: practice },
    );
    return undefined;
  }
  return practice;
}

interface Line {
  readonly ft1: Hl7Segment;
  readonly procedure: string;
  readonly modifiers: readonly string[];
  readonly units: number;
  readonly diagnoses: readonly string[];
}

interface Header {
  readonly serviceDate: string;
  readonly renderingProviderId: string;
  readonly supervisingProviderId: string;
  readonly departmentId: string;
  readonly appointmentId?: string;
  readonly primaryPolicy?: Policy;
  readonly secondaryPolicy?: Policy;
}

type StoredClaim = Claim & { readonly id: string };

// --- the message ----------------------------------------------------------------

function chargeMessage(harbor: HarborDft, store: Store, message: Hl7Message, found: Found) {
  const segments = message.segments;
  const pid = segments.find((s) => s.name === "PID");
  const pv1 = segments.find((s) => s.name === "PV1");
  const mrnValue = mrn(pid);
  const patient = mrnValue ? store.patientsByExternalId(MRN, stripZeros(mrnValue)) : [];
  const patientId = patient.length === 1 ? patient[0]?.id : undefined;
  if (patientId === undefined) {
    found.add("PATIENT_NOT_FOUND", "no patient matches the charge");
    return [];
  }
  const dg1 = segments.filter((s) => s.name === "DG1").flatMap((s) => repetitions(s, 3));

  // The lines: CG only, Table 16's procedure and diagnoses, the procedure list.
  const lines: Line[] = [];
  for (const ft1 of segments) {
    if (ft1.name !== "FT1") continue;
    const type = leaf(ft1, 6);
    if (type !== "CG") {
      found.errors.push({
        code: "TRANSACTION_SKIPPED",
        severity: "warning",
        message: "not a charge",
        field: "FT1.6",
        ...(type !== undefined && { value: type }),
      });
      continue;
    }
    const procedure = leaf(ft1, 25);
    const fromFt1 = repetitions(ft1, 19);
    const diagnoses = fromFt1.length > 0 ? fromFt1 : dg1;
    if (procedure === undefined)
      found.add("REQUIRED_FIELD_MISSING", "procedure", { field: "FT1.25" });
    if (diagnoses.length === 0) {
      found.add("REQUIRED_FIELD_MISSING", "diagnosis", { field: "FT1.19[*] | DG1[*].3" });
    }
    if (procedure !== undefined && !harbor.procedures.has(procedure)) {
      found.add("UNKNOWN_PROCEDURE", "not billed", { field: "FT1.25", value: procedure });
    }
    const units = Number(leaf(ft1, 10) ?? "1");
    lines.push({
      ft1,
      procedure: procedure ?? "",
      modifiers: repetitions(ft1, 26),
      units: Number.isFinite(units) ? units : 1,
      diagnoses,
    });
  }
  if (lines.length === 0) return [];

  // Table 17 by the visit ID in PV1.19; Table 18 from the appointment, else from the DFT.
  const visit = leaf(pv1, 19);
  const candidates = visit ? store.appointmentsByExternalId(VISIT, stripZeros(visit)) : [];
  const usable = candidates.filter(
    (a) => a.status !== "x" && (a.patientId === undefined || a.patientId === patientId),
  );
  const appointment = usable.length === 1 ? (usable[0] as Appointment & { id: string }) : undefined;
  const planned: { line: Line; header: Header }[] = [];
  for (const line of lines) {
    const header = derive(harbor, store, found, line, appointment, patientId);
    if (header) planned.push({ line, header });
  }
  if (found.has()) return [];

  const actions = plan(store, patientId, planned, found);
  if (!actions) return [];
  if (
    appointment &&
    (appointment.status === "2" || appointment.status === "3" || appointment.status === "f")
  ) {
    actions.push({
      type: "appointment.update",
      appointmentId: appointment.id,
      appointment: { status: "4" },
    });
  }
  return actions;
}

function derive(
  harbor: HarborDft,
  store: Store,
  found: Found,
  line: Line,
  appointment: (Appointment & { id: string }) | undefined,
  patientId: string,
): Header | undefined {
  const before = found.errors.length;
  const ft1 = line.ft1;
  let serviceDate: string | undefined;
  let rendering: string | undefined;
  let supervising: string | undefined;
  let department: string | undefined;
  const knownProvider = (id: string) => harbor.providers.has(id);
  const knownDepartment = (id: string) => harbor.departments.has(id);
  if (appointment) {
    serviceDate = appointment.start?.slice(0, 10);
    rendering = appointment.providerId ?? undefined;
    department = appointment.departmentId ?? undefined;
    if (rendering !== undefined) {
      supervising = harbor.providers.get(rendering)?.supervisingProviderId ?? rendering;
    }
  } else {
    const date = leaf(ft1, 4);
    if (date !== undefined) {
      serviceDate = toDate(date);
      if (serviceDate === undefined) found.add("INVALID_VALUE", "date", { field: "FT1.4" });
    }
    const ft120 = leaf(ft1, 20);
    if (ft120 !== undefined) {
      rendering = mapped(found, harbor.provider, "provider", knownProvider, ft120, "FT1.20");
    }
    const ft121 = leaf(ft1, 21);
    if (ft121 !== undefined) {
      supervising = mapped(found, harbor.provider, "provider", knownProvider, ft121, "FT1.21");
    }
    const location = leaf(ft1, 16);
    const field = location !== undefined ? "FT1.16" : "FT1.13";
    const code = location ?? leaf(ft1, 13);
    if (code !== undefined) {
      department = mapped(found, harbor.department, "department", knownDepartment, code, field);
    }
  }
  const failed = found.errors.length > before;
  if (!failed) {
    if (rendering === undefined) found.add("REQUIRED_FIELD_MISSING", "", { field: "FT1.20" });
    if (supervising === undefined) found.add("REQUIRED_FIELD_MISSING", "", { field: "FT1.21" });
    if (department === undefined) {
      found.add("REQUIRED_FIELD_MISSING", "", { field: "FT1.16 | FT1.13" });
    }
    if (serviceDate === undefined) found.add("REQUIRED_FIELD_MISSING", "", { field: "FT1.4" });
  }
  if (
    found.errors.length > before ||
    serviceDate === undefined ||
    rendering === undefined ||
    supervising === undefined ||
    department === undefined
  ) {
    return undefined;
  }
  let primary: Policy | null | undefined;
  let secondary: Policy | null | undefined;
  if (appointment) {
    primary = appointment.primaryPolicy;
    secondary = appointment.secondaryPolicy;
  } else {
    for (const p of store.policiesOf(patientId)) {
      if (p.sequence === 1) primary ??= p;
      else if (p.sequence === 2) secondary ??= p;
    }
  }
  return {
    serviceDate,
    renderingProviderId: rendering,
    supervisingProviderId: supervising,
    departmentId: department,
    ...(appointment && { appointmentId: appointment.id }),
    ...(primary && { primaryPolicy: primary }),
    ...(secondary && { secondaryPolicy: secondary }),
  };
}

// --- combining, grouping, diagnoses -----------------------------------------------

const policyKey = (p: Policy | null | undefined) =>
  p ? `${p.packageId}|${p.policyNumber ?? ""}` : "";
const groupKey = (
  c: Pick<
    Header,
    "serviceDate" | "renderingProviderId" | "supervisingProviderId" | "departmentId"
  > & {
    readonly primaryPolicy?: Policy | null;
    readonly secondaryPolicy?: Policy | null;
  },
) =>
  `${c.serviceDate}|${c.renderingProviderId}|${c.supervisingProviderId}|${c.departmentId}|${policyKey(c.primaryPolicy)}|${policyKey(c.secondaryPolicy)}`;
const modifierKey = (m: readonly string[]) => [...m].sort().join(",");

interface StoredTarget {
  readonly claim: StoredClaim;
  readonly entries: { type: "charge.add" | "charge.replace"; lineIndex?: number; line: Line }[];
}
interface NewTarget {
  readonly id: string;
  readonly header: Header;
  readonly lines: Line[];
}

function plan(
  store: Store,
  patientId: string,
  planned: readonly { line: Line; header: Header }[],
  found: Found,
): TypedAction[] | undefined {
  const order: (StoredTarget | NewTarget)[] = [];
  const stored = new Map<string, StoredTarget>();
  const created: NewTarget[] = [];
  const first = Number(store.nextId("claim"));
  const same = (a: { procedure: string; modifiers: readonly string[] }, b: Line) =>
    a.procedure === b.procedure && modifierKey(a.modifiers) === modifierKey(b.modifiers);
  const targetOf = (claim: StoredClaim) => {
    let t = stored.get(claim.id);
    if (!t) {
      t = { claim, entries: [] };
      stored.set(claim.id, t);
      order.push(t);
    }
    return t;
  };
  for (const { line, header } of planned) {
    const claims = store
      .unbilledClaims(patientId, header.serviceDate)
      .filter((c): c is StoredClaim => c.id !== undefined);
    let done = false;
    // Combining.
    for (const claim of claims) {
      const t = stored.get(claim.id);
      for (const [index, storedLine] of claim.lines.entries()) {
        const entry = t?.entries.find((e) => e.lineIndex === index);
        if (!same(entry ? entry.line : storedLine, line)) continue;
        if (entry) entry.line = line;
        else targetOf(claim).entries.push({ type: "charge.replace", lineIndex: index, line });
        done = true;
        break;
      }
      if (done) break;
      for (const entry of t?.entries ?? []) {
        if (entry.type === "charge.add" && same(entry.line, line)) {
          entry.line = line;
          done = true;
          break;
        }
      }
      if (done) break;
    }
    if (!done) {
      for (const t of created) {
        if (t.header.serviceDate !== header.serviceDate) continue;
        const index = t.lines.findIndex((l) => same(l, line));
        if (index >= 0) {
          t.lines[index] = line;
          done = true;
          break;
        }
      }
    }
    if (done) continue;
    // Grouping.
    const key = groupKey(header);
    const building = created.find((t) => groupKey(t.header) === key);
    if (building) {
      building.lines.push(line);
      continue;
    }
    const claim = claims.find((c) => groupKey(c) === key);
    if (claim) {
      targetOf(claim).entries.push({ type: "charge.add", line });
      continue;
    }
    const t: NewTarget = { id: String(first + created.length), header, lines: [line] };
    created.push(t);
    order.push(t);
  }

  const actions: TypedAction[] = [];
  const chargeLine = (line: Line, pointers: readonly number[]): ChargeLine => ({
    procedure: line.procedure,
    modifiers: [...line.modifiers],
    units: line.units,
    diagnosisPointers: [...pointers],
  });
  for (const t of order) {
    const isNew = "header" in t;
    const lines = isNew ? t.lines : t.entries.map((e) => e.line);
    const replaced = new Set(isNew ? [] : t.entries.map((e) => e.lineIndex));
    const placement = placeDiagnoses(
      isNew
        ? { header: [], keptPointers: [] }
        : {
            header: t.claim.diagnoses,
            keptPointers: t.claim.lines
              .filter((_, i) => !replaced.has(i))
              .map((l) => l.diagnosisPointers),
          },
      lines.map((l) => l.diagnoses),
      LIMITS,
    );
    if (!placement.ok) return undefined;
    if (placement.dropped.length > 0) {
      found.errors.push({
        code: "DIAGNOSES_TRUNCATED",
        severity: "warning",
        message: "truncated",
        field: "FT1.19",
        value: placement.dropped.join(", "),
      });
    }
    if (isNew) {
      const h = t.header;
      actions.push({
        type: "claim.create",
        claim: {
          id: t.id,
          status: "unbilled",
          patientId,
          ...(h.appointmentId !== undefined && { appointmentId: h.appointmentId }),
          serviceDate: h.serviceDate,
          renderingProviderId: h.renderingProviderId,
          supervisingProviderId: h.supervisingProviderId,
          departmentId: h.departmentId,
          ...(h.primaryPolicy && { primaryPolicy: h.primaryPolicy }),
          ...(h.secondaryPolicy && { secondaryPolicy: h.secondaryPolicy }),
          diagnoses: [...placement.header],
          lines: t.lines.map((l, i) => chargeLine(l, placement.lines[i]?.pointers ?? [])),
        },
      });
      continue;
    }
    t.entries.forEach((entry, i) => {
      const placed = placement.lines[i];
      const action: ChargeAdd = {
        type: entry.type,
        claimId: t.claim.id,
        charge: chargeLine(entry.line, placed?.pointers ?? []),
        ...(entry.lineIndex !== undefined && { lineIndex: entry.lineIndex }),
        ...(placed && placed.appended.length > 0 && { diagnoses: [...placed.appended] }),
      };
      actions.push(action);
    });
  }
  return actions;
}

// --- intake -------------------------------------------------------------------------

export async function receiveDftBytes(
  harbor: HarborDft,
  store: Store,
  bytes: Uint8Array,
  options: { readonly now: Date; readonly sender: string },
): Promise<Outcome[]> {
  const doc = parseHl7(bytes);
  const outcomes: Outcome[] = [];
  for (const message of doc.messages) {
    const type = messageTypeName(message);
    const messageId = await store.receive({
      raw: bytes,
      receivedAt: options.now.toISOString(),
      sender: options.sender,
      controlId: controlId(message),
      messageType: type,
      direction: "inbound",
    });
    const found = new Found();
    let actions: TypedAction[] = [];
    const { code, trigger } = messageType(message);
    if (code !== "DFT" || trigger !== "P03") {
      found.add("MESSAGE_TYPE_NOT_SUPPORTED", `no handler takes ${type}`, { field: "MSH.9" });
    } else {
      actions = chargeMessage(harbor, store, message, found);
    }
    const state = decideState(found.errors, true);
    const outcome: Outcome = {
      messageId,
      controlId: controlId(message),
      messageType: type,
      state,
      actions: state === "PROCESSED" ? actions : [],
      errors: found.errors,
      review: [],
      trace: [],
    };
    await store.complete(outcome, { kind: "receive", now: options.now.toISOString() });
    outcomes.push(outcome);
  }
  return outcomes;
}
