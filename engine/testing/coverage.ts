import type { PathKey } from "../documents/merge.js";
import type { MasterData } from "../model/master-data.js";
import type { Outcome, QueueState } from "../model/outcome.js";
import type { CompiledPack } from "../pack/compiled.js";
import { INBOUND_DEFAULTS, INBOUND_EVENTS } from "../pack/enablement.js";
import type { PackVariant } from "./packs.js";
import type { CaseResult, Observed } from "./run.js";

/**
 * Coverage of the PACK, not of the engine: which of its rules and options
 * the cases exercised, read from the outcomes' trace[] (ARCHITECTURE.md) and
 * actions. Items:
 * - field: each field rule, covered when it supplied a value or a null;
 * - required: each required rule, twice: its satisfied and its violated side;
 * - mapping: each row of each table the pack maps through (mapping required,
 *   relationship inversion), covered when a message used it;
 * - matching: each patient-matching tier (a match by it), no match, review;
 * - event: each inbound event of Table 4, accepted, and refused when the pack
 *   refuses some of its message types;
 * - option: each value of an option the interpreter acts on, covered when a
 *   message took the path that value decides (docs/rule-tests.md lists how);
 * - state: each queue state an inbound message can end in.
 * Every item carries the FILE:LINE that defines it, so an option a case
 * overrides is its own item at the test file's line.
 */

export type CoverageKind =
  | "field"
  | "required"
  | "mapping"
  | "matching"
  | "event"
  | "option"
  | "state";

export interface CoverageItem {
  /** The pack file the cases named (the practice pack). */
  readonly pack: string;
  readonly kind: CoverageKind;
  readonly label: string;
  /** `FILE:LINE` of what defines it (absent for states). */
  readonly at?: string;
}

interface Candidate extends CoverageItem {
  readonly id: string;
  readonly hit: (o: Observed, ctx: HitContext) => boolean;
}

interface HitContext {
  readonly pack: CompiledPack;
  readonly masterData: MasterData;
}

const KIND_NAMES: Readonly<Record<CoverageKind, string>> = {
  field: "field rules",
  required: "required rules (both sides)",
  mapping: "mapping rows",
  matching: "matching",
  event: "Table 4 events",
  option: "options",
  state: "states",
};

const STATES: readonly QueueState[] = ["PROCESSED", "ERROR", "CBOERROR", "ATHENAERROR"];

const POLICY_ACTIONS = new Set(["insurance.add", "insurance.update", "insurance.replace"]);

const decideDetail = (o: Outcome): string =>
  o.trace.find((t) => t.step === "decide" && /^\w+ \(/.test(t.detail ?? ""))?.detail ?? "";

/** The handler decided this event (patients: `patientAdd (...)`, appointments: `appointmentCancel: ...`). */
const accepted = (o: Outcome, event: string): boolean =>
  o.trace.some(
    (t) =>
      t.step === "decide" &&
      (t.detail?.startsWith(`${event} (`) || t.detail?.startsWith(`${event}:`)),
  ) ||
  (event === "charge" &&
    o.state !== "ERROR" &&
    o.actions.some((a) => a.type === "charge.add" || a.type === "charge.replace"));

const hasAction = (o: Outcome, types: ReadonlySet<string> | string): boolean =>
  o.actions.some((a) => (typeof types === "string" ? a.type === types : types.has(a.type)));

/** A patient message that was applied. */
const appliedPatient = (o: Outcome): boolean =>
  o.state === "PROCESSED" && hasAction(o, new Set(["patient.create", "patient.update"]));

const policyActions = (o: Outcome) =>
  o.actions.flatMap((a) => (POLICY_ACTIONS.has(a.type) && "policy" in a ? [a.policy] : []));

interface OptionSpec {
  readonly path: PathKey;
  readonly value: (pack: CompiledPack) => string | boolean;
  /** Whether the message took the path this value of the option decides. */
  readonly hit: (value: string | boolean, o: Observed, ctx: HitContext) => boolean;
}

/** The options the inbound patient and insurance handlers act on (docs/rule-tests.md). */
const OPTIONS: readonly OptionSpec[] = [
  {
    path: ["insurance", "receive"],
    value: (p) => p.insurance.receive,
    hit: (v, { outcome, segments }) =>
      v
        ? policyActions(outcome).length > 0
        : appliedPatient(outcome) && segments.has("IN1") && policyActions(outcome).length === 0,
  },
  {
    path: ["insurance", "mode"],
    value: (p) => p.insurance.mode,
    hit: (v, { outcome, segments }, { pack }) =>
      v === "always"
        ? hasAction(outcome, "insurance.selfPay")
        : pack.insurance.receive &&
          appliedPatient(outcome) &&
          !segments.has("IN1") &&
          !hasAction(outcome, "insurance.selfPay"),
  },
  {
    path: ["insurance", "casePolicies"],
    value: (p) => p.insurance.casePolicies,
    hit: (v, { outcome }, { masterData }) => {
      if (v === "toSequenceZero")
        return outcome.trace.some((t) => /case policy/.test(t.detail ?? ""));
      const cases = new Set(
        masterData.insurancePackages.filter((p) => p.casePolicy).map((p) => p.id),
      );
      return policyActions(outcome).some((p) => p.sequence === 1 && cases.has(p.packageId));
    },
  },
  {
    path: ["insurance", "relationshipDirection"],
    value: (p) => p.insurance.relationshipDirection,
    hit: (_v, { outcome }) =>
      policyActions(outcome).some((p) => typeof p.relationshipToInsured === "string") ||
      outcome.errors.some((e) => e.table === "relationshipInverse" && e.field === "IN1.17"),
  },
  {
    path: ["privacy", "autoCheck"],
    value: (p) => p.privacy.autoCheck,
    hit: (v, { outcome }) =>
      v
        ? hasAction(outcome, "privacy.set")
        : hasAction(outcome, "patient.create") && !hasAction(outcome, "privacy.set"),
  },
  {
    path: ["guarantor", "receive"],
    value: (p) => p.guarantor.receive,
    hit: (v, { outcome, segments }) =>
      v
        ? hasAction(outcome, "guarantor.set")
        : appliedPatient(outcome) && segments.has("GT1") && !hasAction(outcome, "guarantor.set"),
  },
  {
    path: ["guarantor", "relationshipDirection"],
    value: (p) => p.guarantor.relationshipDirection,
    hit: (_v, { outcome }) =>
      outcome.actions.some(
        (a) => a.type === "guarantor.set" && typeof a.guarantor.relationship === "string",
      ) || outcome.errors.some((e) => e.table === "relationshipInverse" && e.field === "GT1.11"),
  },
];

const where = (variant: PackVariant, path: PathKey): string | undefined => {
  const p = variant.locate(path);
  return p ? `${p.file}:${p.line}` : undefined;
};

/** Every coverage item of one pack variant, with how each is hit. */
function candidatesOf(variant: PackVariant): Candidate[] {
  const pack = variant.pack;
  const out: Candidate[] = [];
  const add = (c: Omit<Candidate, "pack" | "id"> & { id?: string }) =>
    out.push({ ...c, pack: variant.file, id: c.id ?? `${c.kind}\u0000${c.label}\u0000${c.at}` });

  for (const rule of pack.fields) {
    const from = rule.from ? ` from ${rule.from.source}` : rule.expr ? " (expr)" : "";
    add({
      kind: "field",
      label: `field ${rule.field}${rule.name === rule.field ? "" : ` '${rule.name}'`}${from}${rule.when ? " when ..." : ""}`,
      at: rule.at,
      hit: ({ outcome }) =>
        outcome.trace.some(
          (t) =>
            t.step === "extract" &&
            t.rule === rule.name &&
            t.at === rule.at &&
            (t.detail === "value" || t.detail === "null"),
        ),
    });
  }
  for (const rule of pack.required) {
    for (const side of ["satisfied", "violated"] as const) {
      add({
        kind: "required",
        label: `required ${rule.field ?? rule.ref?.source ?? rule.name} (${rule.on.join("/")}): ${side}`,
        at: rule.at,
        hit: ({ outcome }) =>
          outcome.trace.some(
            (t) =>
              t.step === "require" && t.rule === rule.name && t.at === rule.at && t.detail === side,
          ),
      });
    }
  }
  const tables = new Map<string, Iterable<{ foreign: string; practice: string; at: string }>>();
  for (const mapping of Object.values(pack.mappings)) {
    if (mapping?.rows) tables.set(mapping.table, mapping.rows.rows.values());
  }
  if (pack.relationshipInverse)
    tables.set("relationshipInverse", pack.relationshipInverse.rows.values());
  for (const [table, rows] of tables) {
    for (const row of rows) {
      add({
        kind: "mapping",
        label: `mapping ${table}: ${row.foreign} -> ${row.practice}`,
        at: row.at,
        hit: ({ outcome }) =>
          outcome.trace.some((t) => t.step === "map" && t.table === table && t.at === row.at),
      });
    }
  }
  pack.matching.order.patient.forEach((strategy, i) => {
    add({
      kind: "matching",
      id: `matching\u0000tier\u0000${strategy}`,
      label: `matching tier ${strategy}: a patient matched by it`,
      at: where(variant, ["matching", "order", "patient", i]) ?? pack.matching.at,
      hit: ({ outcome }) => decideDetail(outcome).includes(`matched by ${strategy})`),
    });
  });
  add({
    kind: "matching",
    id: "matching\u0000none",
    label: "matching: no patient matched (patientAdd)",
    at: where(variant, ["matching", "order", "patient"]) ?? pack.matching.at,
    hit: ({ outcome }) => decideDetail(outcome).includes("(no match)"),
  });
  add({
    kind: "matching",
    id: "matching\u0000review",
    label: "matching: held for review (possible duplicate or ambiguous match)",
    at: where(variant, ["matching", "demographics"]) ?? pack.matching.at,
    hit: ({ outcome }) =>
      outcome.review.some((r) => r.reason === "possibleDuplicate" || r.reason === "ambiguousMatch"),
  });
  for (const event of INBOUND_EVENTS) {
    const types = pack.enabled.inbound[event];
    const at = where(variant, ["enabled", "inbound", event]);
    const refusedHit = ({ outcome }: Observed) =>
      outcome.errors.some(
        (e) => e.code === "EVENT_NOT_ENABLED" && e.message.includes(`enabled.inbound.${event}`),
      );
    if (types.length > 0) {
      add({
        kind: "event",
        label: `enabled.inbound.${event}: accepted (${types.join(", ")})`,
        ...(at && { at }),
        hit: (o) => accepted(o.outcome, event) && !refusedHit(o),
      });
    }
    if (INBOUND_DEFAULTS[event].some((t) => !types.includes(t))) {
      add({
        kind: "event",
        label: `enabled.inbound.${event}: refused (EVENT_NOT_ENABLED)`,
        ...(at && { at }),
        hit: refusedHit,
      });
    }
  }
  for (const spec of OPTIONS) {
    const value = spec.value(pack);
    const at = where(variant, spec.path);
    add({
      kind: "option",
      label: `option ${spec.path.join(".")}: ${value}`,
      ...(at && { at }),
      hit: (o, ctx) => spec.hit(value, o, ctx),
    });
  }
  pack.externalIds.patient.forEach((id, i) => {
    const carries = (o: Outcome) =>
      o.actions.some(
        (a) =>
          (a.type === "externalId.set" && a.name === id.name) ||
          (a.type === "patient.create" && a.patient.externalIds?.[id.name] !== undefined),
      );
    add({
      kind: "option",
      label: `externalIds.patient ${id.name} from ${id.from.source}: received and stored`,
      at: id.at,
      hit: ({ outcome }) => carries(outcome),
    });
    add({
      kind: "option",
      label: `externalIds.patient ${id.name} leadingZeros: ${id.leadingZeros}`,
      at: where(variant, ["externalIds", "patient", i, "leadingZeros"]) ?? id.at,
      // A received ID with leading zeros that matched or was stored: the policy decided the key.
      hit: ({ outcome, message }) => {
        const read = message ? id.from.read({ message }) : undefined;
        if (read?.kind !== "value" || typeof read.value !== "string") return false;
        if (!read.value.startsWith("0")) return false;
        return decideDetail(outcome).includes("matched by externalId)") || carries(outcome);
      },
    });
  });
  pack.matching.substantialChange.forEach((field, i) => {
    add({
      kind: "option",
      id: `option\u0000substantialChange\u0000${field}`,
      label: `matching.substantialChange ${field}: a change held for review`,
      at: where(variant, ["matching", "substantialChange", i]) ?? pack.matching.at,
      hit: ({ outcome }) =>
        outcome.review.some((r) =>
          r.candidates.some((c) => c.changes !== undefined && field in c.changes),
        ),
    });
  });
  const ruleMaps = new Map(pack.fields.map((r) => [`${r.name}\u0000${r.at}`, r.map]));
  for (const mapping of Object.values(pack.mappings)) {
    if (!mapping) continue;
    const path = ["mappings", mapping.element, "mappingRequired"];
    add({
      kind: "option",
      label: `mappings.${mapping.element}.mappingRequired: ${mapping.mappingRequired}`,
      at: where(variant, path) ?? mapping.at,
      hit: ({ outcome }) =>
        mapping.mappingRequired
          ? outcome.trace.some((t) => t.step === "map" && t.table === mapping.table) ||
            outcome.errors.some(
              (e) =>
                (e.code === "UNMAPPED_CODE" || e.code === "UNMAPPED_INSURANCE") &&
                e.table === mapping.table,
            )
          : outcome.trace.some(
              (t) =>
                t.step === "extract" &&
                t.detail === "value" &&
                ruleMaps.get(`${t.rule}\u0000${t.at}`) === mapping.element,
            ) ||
            outcome.errors.some((e) => e.code === "INVALID_VALUE" && e.table === mapping.table),
    });
  }
  for (const state of STATES) {
    add({
      kind: "state",
      label: `state ${state} reached`,
      id: `state\u0000${state}`,
      hit: ({ outcome }) => outcome.state === state,
    });
  }
  return out;
}

export interface PackCoverage {
  readonly pack: string;
  readonly total: number;
  readonly covered: number;
  readonly percent: number;
  /** Covered and total per kind of item. */
  readonly byKind: Readonly<Partial<Record<CoverageKind, { covered: number; total: number }>>>;
  readonly uncovered: readonly CoverageItem[];
}

export interface CoverageReport {
  readonly packs: readonly PackCoverage[];
  readonly total: number;
  readonly covered: number;
  readonly percent: number;
}

/** Collects items and hits over every case run. */
export class Coverage {
  private readonly items = new Map<string, { item: CoverageItem; covered: boolean }>();
  private readonly candidates = new Map<PackVariant, Candidate[]>();

  add(result: CaseResult): void {
    const variant = result.variant;
    if (!variant || !result.masterData) return;
    let candidates = this.candidates.get(variant);
    if (!candidates) {
      candidates = candidatesOf(variant);
      this.candidates.set(variant, candidates);
    }
    const ctx: HitContext = { pack: variant.pack, masterData: result.masterData };
    for (const c of candidates) {
      const key = `${c.pack}\u0000${c.id}`;
      let entry = this.items.get(key);
      if (!entry) {
        const { id: _id, hit: _hit, ...item } = c;
        entry = { item, covered: false };
        this.items.set(key, entry);
      }
      // An item several variants share is shown where the pack defines it, not at an override.
      if (entry.item.at !== undefined && isTestFile(entry.item.at) && c.at && !isTestFile(c.at))
        entry.item = { ...entry.item, at: c.at };
      if (!entry.covered && result.observed.some((o) => c.hit(o, ctx))) entry.covered = true;
    }
  }

  /** Every item with whether a case exercised it. */
  entries(): { readonly item: CoverageItem; readonly covered: boolean }[] {
    return [...this.items.values()].map(({ item, covered }) => ({ item, covered }));
  }

  report(): CoverageReport {
    type Tally = { covered: number; total: number };
    const byPack = new Map<
      string,
      Tally & { uncovered: CoverageItem[]; byKind: Partial<Record<CoverageKind, Tally>> }
    >();
    for (const { item, covered } of this.items.values()) {
      const p = byPack.get(item.pack) ?? { total: 0, covered: 0, uncovered: [], byKind: {} };
      const kind = p.byKind[item.kind] ?? { covered: 0, total: 0 };
      p.total++;
      kind.total++;
      if (covered) {
        p.covered++;
        kind.covered++;
      } else p.uncovered.push(item);
      p.byKind[item.kind] = kind;
      byPack.set(item.pack, p);
    }
    const packs = [...byPack.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([pack, p]) => ({
        pack,
        ...p,
        percent: percent(p.covered, p.total),
        uncovered: p.uncovered.sort(byPlace),
      }));
    const total = packs.reduce((n, p) => n + p.total, 0);
    const covered = packs.reduce((n, p) => n + p.covered, 0);
    return { packs, total, covered, percent: percent(covered, total) };
  }
}

const isTestFile = (at: string): boolean => /\.test\.yaml:\d+$/.test(at);

const percent = (covered: number, total: number): number =>
  total === 0 ? 100 : Math.floor((covered / total) * 1000) / 10;

function byPlace(a: CoverageItem, b: CoverageItem): number {
  const [fa = "", la = "0"] = (a.at ?? "~").split(/:(?=\d+$)/);
  const [fb = "", lb = "0"] = (b.at ?? "~").split(/:(?=\d+$)/);
  return fa.localeCompare(fb) || Number(la) - Number(lb) || a.label.localeCompare(b.label);
}

/** The uncovered items, one line each: `rules/base.yaml:71  field patient.race from PID.10`. */
export function formatCoverage(report: CoverageReport): string {
  const lines: string[] = [];
  for (const p of report.packs) {
    lines.push(`coverage of ${p.pack}: ${p.covered}/${p.total} items (${p.percent}%)`);
    const kinds = Object.entries(p.byKind).map(
      ([k, t]) => `${KIND_NAMES[k as CoverageKind]} ${t.covered}/${t.total}`,
    );
    lines.push(`  ${kinds.join(", ")}`);
    if (p.uncovered.length > 0) lines.push("  not exercised by any case:");
    const width = Math.max(0, ...p.uncovered.map((i) => (i.at ?? "").length));
    for (const item of p.uncovered)
      lines.push(`    ${(item.at ?? "-").padEnd(width)}  ${item.label}`);
  }
  lines.push(`coverage: ${report.covered}/${report.total} items (${report.percent}%)`);
  return `${lines.join("\n")}\n`;
}
