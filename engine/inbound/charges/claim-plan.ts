import type { ChargeAdd, ClaimCreate, TypedAction } from "../../model/actions.js";
import type { ChargeLine, Claim, Policy } from "../../model/records.js";
import type { CombiningKey, GroupingKey } from "../../pack/charges.js";
import type { MessageContext } from "../context.js";
import type { ClaimHeader } from "./claim-derivation.js";
import { placeDiagnoses } from "./claim-diagnoses.js";
import type { ChargeLineInput } from "./lines.js";

/**
 * Lines to claims (docs/pack-language.md §18 "Charge Combining", "Charge
 * Grouping"), per charge line in message order:
 *
 * 1. Combining first (`combining.mode: override`): a line already on an
 *    unbilled claim of the same patient and service date with the same
 *    procedure (and modifiers, when they are a key) is overridden by the new
 *    one, units included, not summed (`charge.replace`). The claim keeps its
 *    header.
 * 2. Then grouping: a claim with the same grouping keys gets the line — one
 *    this message is building, else (`grouping.enabled`) an unbilled claim in
 *    the store (`charge.add`).
 * 3. Else a new claim (`claim.create`).
 *
 * Within one message the same rule holds, and the actions show only the
 * result: a second line for the same patient, procedure and service date
 * takes the first one's place (one `charge.replace` of a stored line, or one
 * line in a `claim.create`); the trace records the override.
 *
 * Diagnoses are placed per claim after grouping (claim-diagnoses.ts).
 */
export interface PlannedLine {
  readonly line: ChargeLineInput;
  readonly header: ClaimHeader;
}

type StoredClaim = Claim & { readonly id: string };

interface Entry {
  readonly type: "charge.add" | "charge.replace";
  readonly lineIndex?: number;
  planned: PlannedLine;
}

type Target =
  | { readonly kind: "stored"; readonly claim: StoredClaim; readonly entries: Entry[] }
  | {
      readonly kind: "new";
      readonly id: string;
      readonly header: ClaimHeader;
      readonly lines: PlannedLine[];
    };

export function planClaims(
  ctx: MessageContext,
  patientId: string,
  planned: readonly PlannedLine[],
): TypedAction[] | undefined {
  const { combining, grouping } = ctx.pack.charges;
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
      target = { kind: "stored", claim, entries: [] };
      targets.push(target);
    }
    return target as Extract<Target, { kind: "stored" }>;
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

  for (const item of planned) {
    const date = item.header.serviceDate;
    const same = sameCharge(combining.keys, item.line);
    if (combining.mode === "override") {
      const overridden = override(item, date, same);
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
      building.lines.push(item);
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
      targetOf(stored).entries.push({ type: "charge.add", planned: item });
      decide(
        `charge line ${item.line.number}: grouped onto unbilled claim ${stored.id}`,
        "charges.grouping",
      );
      continue;
    }
    const id = nextId();
    targets.push({ kind: "new", id, header: item.header, lines: [item] });
    decide(`charge line ${item.line.number}: new claim ${id}`, "charges.grouping");
  }
  return actionsOf(ctx, patientId, targets);

  /** Combining: the line this one overrides, if any, replaced in the plan; a description of it. */
  function override(
    item: PlannedLine,
    date: string,
    same: (line: { procedure: string; modifiers: readonly string[] }) => boolean,
  ): string | undefined {
    for (const claim of storedOn(date)) {
      const target = targets.find(
        (t): t is Extract<Target, { kind: "stored" }> =>
          t.kind === "stored" && t.claim.id === claim.id,
      );
      for (const [index, line] of claim.lines.entries()) {
        const entry = target?.entries.find((e) => e.lineIndex === index);
        if (!same(entry ? entry.planned.line : line)) continue;
        if (entry) entry.planned = item;
        else
          targetOf(claim).entries.push({ type: "charge.replace", lineIndex: index, planned: item });
        return `overrides line ${index + 1} of unbilled claim ${claim.id}${entry ? ` (set by charge line ${entry.planned.line.number} before)` : ""}`;
      }
      for (const entry of target?.entries ?? []) {
        if (entry.type !== "charge.add" || !same(entry.planned.line)) continue;
        const before = entry.planned.line.number;
        entry.planned = item;
        return `overrides charge line ${before}, added to unbilled claim ${claim.id}`;
      }
    }
    for (const target of targets) {
      if (target.kind !== "new" || target.header.serviceDate !== date) continue;
      const index = target.lines.findIndex((l) => same(l.line));
      if (index < 0) continue;
      const before = (target.lines[index] as PlannedLine).line.number;
      target.lines[index] = item;
      return `overrides charge line ${before} of this message's new claim ${target.id}`;
    }
    return undefined;
  }
}

/** Combining keys beyond patient and service date (the claims searched share those). */
function sameCharge(keys: readonly CombiningKey[], incoming: ChargeLineInput) {
  const modifiers = keys.includes("modifiers") ? modifierKey(incoming.modifiers) : undefined;
  return (line: { procedure: string; modifiers: readonly string[] }): boolean =>
    line.procedure === incoming.procedure &&
    (modifiers === undefined || modifierKey(line.modifiers) === modifiers);
}

function modifierKey(modifiers: readonly string[]): string {
  return [...modifiers].sort().join("\u0000");
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

/** The actions of the plan, each claim's in the order its lines came; diagnoses placed. */
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
    const items = target.kind === "new" ? target.lines : target.entries.map((e) => e.planned);
    const replaced = new Set(
      target.kind === "stored" ? target.entries.map((e) => e.lineIndex) : [],
    );
    const placement = placeDiagnoses(
      target.kind === "new"
        ? { header: [], keptPointers: [] }
        : {
            header: target.claim.diagnoses,
            keptPointers: target.claim.lines
              .filter((_, i) => !replaced.has(i))
              .map((l) => l.diagnosisPointers),
          },
      items.map((i) => i.line.diagnoses),
      limits,
    );
    const tooMany = !placement.ok || placement.dropped.length > 0;
    ctx.found.trace.push({
      step: "decide",
      rule: "charges.diagnoses",
      detail: `${claimName}: ${tooMany ? `too many diagnosis codes (onTooMany: ${onTooMany})` : "diagnosis codes placed"}`,
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
        diagnoses: [...placement.header],
        lines: target.lines.map((item, i) => chargeLine(item, placement.lines[i]?.pointers ?? [])),
      };
      actions.push({ type: "claim.create", claim });
      continue;
    }
    target.entries.forEach((entry, i) => {
      const placed = placement.lines[i];
      const action: ChargeAdd = {
        type: entry.type,
        claimId: target.claim.id,
        charge: chargeLine(entry.planned, placed?.pointers ?? []),
        ...(entry.lineIndex !== undefined && { lineIndex: entry.lineIndex }),
        ...(placed && placed.appended.length > 0 && { diagnoses: [...placed.appended] }),
      };
      actions.push(action);
    });
  }
  return failed ? undefined : actions;
}
