import type { ChargeAdd, ClaimCreate, TypedAction } from "../../model/actions.js";
import type { ChargeLine, Claim, Policy } from "../../model/records.js";
import type { GroupingKey } from "../../pack/charges.js";
import { type MessageContext, tracing } from "../context.js";
import type { ClaimHeader } from "./claim-derivation.js";
import { placeDiagnoses } from "./claim-diagnoses.js";
import type { ChargeLineInput } from "./lines.js";
import { incomingService, type ServiceKey, storedService } from "./same-service.js";

/**
 * Lines to claims (docs/pack-language.md §18 "Charge Combining", "Charge
 * Grouping"), per charge line in message order:
 *
 * 1. Combining first (`combining.mode: override`): the same service
 *    (same-service.ts: procedure, modifiers, service date, pointed
 *    diagnoses, rendering provider) already on an unbilled claim of the
 *    patient, or on a claim this message builds, is overridden by the new
 *    line, units included, not summed: a `charge.replace` naming the line.
 *    The claim keeps its header.
 * 2. Then grouping: a claim with the same grouping keys gets the line — one
 *    this message is building, else (`grouping.enabled`) an unbilled claim in
 *    the store (`charge.add`).
 * 3. Else a new claim (`claim.create`).
 *
 * No line is ever dropped: a line overridden within the message stays in
 * the actions (in its `claim.create` or `charge.add`), and the
 * `charge.replace` that overrides it follows. Lines that are different
 * services all stay.
 *
 * Diagnoses are placed per claim after grouping (claim-diagnoses.ts).
 */
export interface PlannedLine {
  readonly line: ChargeLineInput;
  readonly header: ClaimHeader;
}

type StoredClaim = Claim & { readonly id: string };

/** One line an action puts on a claim: in its claim.create, a charge.add, or a charge.replace. */
interface Entry {
  readonly type: "line" | "charge.add" | "charge.replace";
  /** The claim line (0-based) the entry adds, or the one it replaces. */
  readonly lineIndex: number;
  readonly planned: PlannedLine;
}

interface TargetBase {
  readonly entries: Entry[];
  /** The service on each of the claim's lines as the actions so far leave it. */
  readonly services: ServiceKey[];
}

type Target =
  | (TargetBase & { readonly kind: "stored"; readonly claim: StoredClaim })
  | (TargetBase & { readonly kind: "new"; readonly id: string; readonly header: ClaimHeader });

export function planClaims(
  ctx: MessageContext,
  patientId: string,
  planned: readonly PlannedLine[],
): TypedAction[] | undefined {
  const { combining, grouping } = ctx.pack.charges;
  const { pointersPerLine } = ctx.pack.charges.diagnoses;
  const targets: Target[] = [];
  const storedByDate = new Map<string, StoredClaim[]>();
  const storedOn = (date: string): StoredClaim[] => {
    let claims = storedByDate.get(date);
    if (!claims) {
      claims = ctx.view
        .unbilledClaims(patientId, date)
        .filter((c): c is StoredClaim => c.id !== undefined && c.status === "unbilled");
      storedByDate.set(date, claims);
    }
    return claims;
  };
  const targetOf = (claim: StoredClaim) => {
    let target = targets.find((t) => t.kind === "stored" && t.claim.id === claim.id);
    if (!target) {
      target = {
        kind: "stored",
        claim,
        entries: [],
        services: claim.lines.map((l) => storedService(claim, l)),
      };
      targets.push(target);
    }
    return target;
  };
  const firstId = ctx.view.nextId("claim");
  let created = 0;
  const nextId = () => {
    const n = created++;
    return /^\d+$/.test(firstId) ? String(Number(firstId) + n) : `${firstId}-${n + 1}`;
  };
  const decide = (detail: string, rule: string) =>
    ctx.found.trace.push({
      step: "decide",
      rule,
      at: ctx.pack.charges.at,
      detail,
      options: [{ path: rule }],
    });
  const add = (target: Target, type: Entry["type"], item: PlannedLine, service: ServiceKey) => {
    target.entries.push({ type, lineIndex: target.services.length, planned: item });
    target.services.push(service);
  };

  for (const item of planned) {
    const date = item.header.serviceDate;
    const service = incomingService(item.line, item.header, pointersPerLine);
    if (combining.mode === "override") {
      const overridden = override(item, date, service);
      if (overridden) {
        decide(`charge line ${item.line.number}: ${overridden}`, "charges.combining");
        continue;
      }
    }
    const key = groupKey(grouping.keys, item.header);
    const building = targets.find(
      (t): t is Extract<Target, { kind: "new" }> =>
        t.kind === "new" && groupKey(grouping.keys, t.header) === key,
    );
    if (building) {
      add(building, "line", item, service);
      decide(
        `charge line ${item.line.number}: grouped with this message's new claim ${building.id}`,
        "charges.grouping",
      );
      continue;
    }
    const stored = grouping.enabled
      ? storedOn(date).find((c) => groupKey(grouping.keys, c) === key)
      : undefined;
    if (stored) {
      add(targetOf(stored), "charge.add", item, service);
      decide(
        `charge line ${item.line.number}: grouped onto unbilled claim ${stored.id}`,
        "charges.grouping",
      );
      continue;
    }
    const id = nextId();
    const target: Target = { kind: "new", id, header: item.header, entries: [], services: [] };
    add(target, "line", item, service);
    targets.push(target);
    decide(`charge line ${item.line.number}: new claim ${id}`, "charges.grouping");
  }
  return actionsOf(ctx, patientId, targets);

  /** Combining: the line holding the same service, if any, gets a charge.replace; a description of it. */
  function override(item: PlannedLine, date: string, service: ServiceKey): string | undefined {
    const candidates: Target[] = [
      ...storedOn(date).map(
        (claim) =>
          targets.find((t) => t.kind === "stored" && t.claim.id === claim.id) ?? {
            kind: "stored" as const,
            claim,
            entries: [],
            services: claim.lines.map((l) => storedService(claim, l)),
          },
      ),
      ...targets.filter((t) => t.kind === "new" && t.header.serviceDate === date),
    ];
    for (const candidate of candidates) {
      const index = candidate.services.indexOf(service);
      if (index < 0) continue;
      const target = candidate.kind === "stored" ? targetOf(candidate.claim) : candidate;
      const before = [...target.entries].reverse().find((e) => e.lineIndex === index);
      target.entries.push({ type: "charge.replace", lineIndex: index, planned: item });
      const claim =
        target.kind === "stored"
          ? `unbilled claim ${target.claim.id}`
          : `this message's new claim ${target.id}`;
      return `the same service as line ${index + 1} of ${claim}${before ? ` (charge line ${before.planned.line.number})` : ""}: charge.replace, units ${item.line.units}`;
    }
    return undefined;
  }
}

type Grouped = Pick<
  ClaimHeader,
  "serviceDate" | "renderingProviderId" | "supervisingProviderId" | "departmentId" | "appointmentId"
> & {
  readonly primaryPolicy?: Policy | null;
  readonly secondaryPolicy?: Policy | null;
};

const policyKey = (p: Policy | null | undefined): string =>
  p ? `${p.packageId}\u0001${p.policyNumber ?? ""}` : "";

/** The grouping keys' values; patient is the same for every claim compared. */
const GROUP_VALUES: Readonly<Record<GroupingKey, (c: Grouped) => string>> = {
  patient: () => "",
  serviceDate: (c) => c.serviceDate,
  renderingProvider: (c) => c.renderingProviderId,
  supervisingProvider: (c) => c.supervisingProviderId,
  department: (c) => c.departmentId,
  primaryInsurance: (c) => policyKey(c.primaryPolicy),
  secondaryInsurance: (c) => policyKey(c.secondaryPolicy),
  appointment: (c) => c.appointmentId ?? "",
};

function groupKey(keys: readonly GroupingKey[], claim: Grouped): string {
  return keys.map((k) => GROUP_VALUES[k](claim)).join("\u0000");
}

function chargeLine(item: PlannedLine, pointers: readonly number[]): ChargeLine {
  return {
    procedure: item.line.procedure,
    modifiers: [...item.line.modifiers],
    units: item.line.units,
    diagnosisPointers: [...pointers],
  };
}

/**
 * The actions of the plan, each claim's in the order its lines came (a new
 * claim's own lines first, in its claim.create; the replacements after);
 * diagnoses placed.
 */
function actionsOf(
  ctx: MessageContext,
  patientId: string,
  targets: readonly Target[],
): TypedAction[] | undefined {
  const { pointersPerLine, additionalHeaderCodes, onTooMany } = ctx.pack.charges.diagnoses;
  const limits = { pointersPerLine, additionalHeaderCodes, truncate: onTooMany === "truncate" };
  const actions: TypedAction[] = [];
  let failed = false;
  for (const target of targets) {
    const claimName = target.kind === "new" ? `new claim ${target.id}` : `claim ${target.claim.id}`;
    // Action order: what the store will have seen when each entry's pointers are read.
    const entries =
      target.kind === "new"
        ? [
            ...target.entries.filter((e) => e.type === "line"),
            ...target.entries.filter((e) => e.type !== "line"),
          ]
        : target.entries;
    // A replaced line points at the same codes as its replacement (same-service.ts): every line counts.
    const placement = placeDiagnoses(
      target.kind === "new"
        ? { header: [], keptPointers: [] }
        : {
            header: target.claim.diagnoses,
            keptPointers: target.claim.lines.map((l) => l.diagnosisPointers),
          },
      entries.map((e) => e.planned.line.diagnoses),
      limits,
    );
    const tooMany = !placement.ok || placement.dropped.length > 0;
    const decision = !placement.ok
      ? `TOO_MANY_DIAGNOSES (onTooMany: ${onTooMany})`
      : placement.dropped.length > 0
        ? `DIAGNOSES_TRUNCATED, ${placement.dropped.length} left out (onTooMany: ${onTooMany})`
        : "within the limit";
    if (tracing(ctx))
      ctx.found.trace.push({
        step: "decide",
        rule: "charges.diagnoses",
        at: ctx.pack.charges.at,
        detail: `${claimName}: ${placement.header.length + (placement.ok ? placement.dropped.length : 0)} diagnosis codes, ${placement.pointed} pointed at by its lines (up to ${pointersPerLine} per line), ${placement.unpointed.length} without a pointer (at most ${additionalHeaderCodes}): ${decision}`,
        options: [
          { path: "charges.diagnoses.pointersPerLine", value: pointersPerLine },
          { path: "charges.diagnoses.additionalHeaderCodes", value: additionalHeaderCodes },
          ...(tooMany ? [{ path: "charges.diagnoses.onTooMany", value: onTooMany }] : []),
        ],
      });
    if (!placement.ok) {
      failed = true;
      ctx.found.errors.push({
        code: "TOO_MANY_DIAGNOSES",
        severity: "error",
        message: `${claimName} would hold ${placement.header.length} diagnosis codes, ${placement.unpointed.length} of them without a pointer; a line points at up to ${pointersPerLine} and the claim header holds at most ${additionalHeaderCodes} more (charges.diagnoses.onTooMany: error)`,
        field: "FT1.19",
        value: placement.unpointed.join(", "),
      });
      continue;
    }
    if (placement.dropped.length > 0) {
      ctx.found.errors.push({
        code: "DIAGNOSES_TRUNCATED",
        severity: "warning",
        message: `${claimName}: ${placement.dropped.length} diagnosis code(s) beyond the ${additionalHeaderCodes} the claim header holds without a pointer were left out (charges.diagnoses.onTooMany: truncate)`,
        field: "FT1.19",
        value: placement.dropped.join(", "),
      });
    }
    const claimId = target.kind === "new" ? target.id : target.claim.id;
    const own = target.kind === "new" ? entries.filter((e) => e.type === "line").length : 0;
    if (target.kind === "new") {
      const h = target.header;
      const claim: ClaimCreate["claim"] = {
        id: target.id,
        status: "unbilled",
        patientId,
        ...(h.appointmentId !== undefined && { appointmentId: h.appointmentId }),
        serviceDate: h.serviceDate,
        renderingProviderId: h.renderingProviderId,
        supervisingProviderId: h.supervisingProviderId,
        departmentId: h.departmentId,
        ...(h.primaryPolicy && { primaryPolicy: h.primaryPolicy }),
        ...(h.secondaryPolicy && { secondaryPolicy: h.secondaryPolicy }),
        diagnoses: placement.lines.slice(0, own).flatMap((l) => l.appended),
        lines: entries
          .slice(0, own)
          .map((e, i) => chargeLine(e.planned, placement.lines[i]?.pointers ?? [])),
      };
      actions.push({ type: "claim.create", claim });
    }
    entries.slice(own).forEach((entry, k) => {
      const placed = placement.lines[own + k];
      const action: ChargeAdd = {
        type: entry.type === "charge.replace" ? "charge.replace" : "charge.add",
        claimId,
        charge: chargeLine(entry.planned, placed?.pointers ?? []),
        ...(entry.type === "charge.replace" && { lineIndex: entry.lineIndex }),
        ...(placed && placed.appended.length > 0 && { diagnoses: [...placed.appended] }),
      };
      actions.push(action);
    });
  }
  return failed ? undefined : actions;
}
