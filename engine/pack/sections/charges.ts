import type { AppointmentMatching, ChargeOptions, CombiningKey, GroupingKey } from "../charges.js";
import type { CompiledExternalId } from "../compiled.js";
import type { CompileContext } from "../context.js";
import { PACK_DEFAULTS } from "../defaults.js";
import { appointmentIdUncompiled } from "./external-ids.js";

/**
 * `charges` (docs/pack-language.md §18): Table 17 - Matching charge messages
 * to appointments options, Charges with Unmatched Appointments, Table 18 -
 * Data derived from the matching appointment, Charge Grouping, Charge
 * Combining and the diagnosis limits. The schema already checked the enums
 * and the options that exclude each other; this adds what needs the rest of
 * the pack (the appointment external ID) and the keys a claim cannot do
 * without. Undefined when the appointment matching cannot be compiled.
 */

/**
 * A claim has one patient and one service date, and a line has no date of
 * its own: grouping and combining always compare them (and combining the
 * procedure and its modifiers: an RT and an LT line are two services, the
 * inbound charges' same-service.ts).
 */
const ALWAYS_GROUPING: readonly GroupingKey[] = ["patient", "serviceDate"];
const ALWAYS_COMBINING: readonly CombiningKey[] = [
  "patient",
  "procedure",
  "serviceDate",
  "modifiers",
];

export function compileCharges(
  ctx: CompileContext,
  appointmentIds: readonly CompiledExternalId[],
): ChargeOptions | undefined {
  const raw = ctx.raw.charges;
  const defaults = PACK_DEFAULTS.charges;
  const matching = compileAppointmentMatching(ctx, appointmentIds);
  const grouping: readonly GroupingKey[] = raw?.grouping?.keys ?? defaults.grouping.keys;
  const combining: readonly CombiningKey[] = raw?.combining?.keys ?? defaults.combining.keys;
  const noGrouping = ALWAYS_GROUPING.filter((k) => !grouping.includes(k));
  if (noGrouping.length > 0) {
    ctx.fail(
      ["charges", "grouping", "keys"],
      "OPTION_DEPENDENCY",
      `charges.grouping.keys must include ${words(noGrouping)}: a claim has one patient and one service date, so charges are only grouped onto a claim of the same patient and service date`,
    );
  }
  const noCombining = ALWAYS_COMBINING.filter((k) => !combining.includes(k));
  if (noCombining.length > 0) {
    ctx.fail(
      ["charges", "combining", "keys"],
      "OPTION_DEPENDENCY",
      `charges.combining.keys must include ${words(noCombining)}: Charge Combining overrides only the same service (patient, procedure, modifiers, service date; the line's pointed diagnoses and the rendering provider are compared too)`,
    );
  }
  if (!matching) return undefined;
  return {
    transactionTypes: raw?.transactionTypes ?? defaults.transactionTypes,
    appointmentMatching: matching,
    unmatched: raw?.unmatched ?? defaults.unmatched,
    derivation: {
      mode: raw?.derivation?.mode ?? defaults.derivation.mode,
      supervisingProvider:
        raw?.derivation?.supervisingProvider ?? defaults.derivation.supervisingProvider,
    },
    grouping: { enabled: raw?.grouping?.enabled ?? defaults.grouping.enabled, keys: grouping },
    combining: { mode: raw?.combining?.mode ?? defaults.combining.mode, keys: combining },
    diagnoses: {
      pointersPerLine: raw?.diagnoses?.pointersPerLine ?? defaults.diagnoses.pointersPerLine,
      additionalHeaderCodes:
        raw?.diagnoses?.additionalHeaderCodes ?? defaults.diagnoses.additionalHeaderCodes,
      onTooMany: raw?.diagnoses?.onTooMany ?? defaults.diagnoses.onTooMany,
    },
    requireInsurance: raw?.requireInsurance ?? defaults.requireInsurance,
    at: ctx.at(["charges"]),
  };
}

function compileAppointmentMatching(
  ctx: CompileContext,
  appointmentIds: readonly CompiledExternalId[],
): AppointmentMatching | undefined {
  const raw = ctx.raw.charges?.appointmentMatching;
  const by = raw?.by ?? PACK_DEFAULTS.charges.appointmentMatching.by;
  if (by === "none") return { by };
  const path = ["charges", "appointmentMatching"];
  const from = ctx.reference(
    [...path, raw?.from === undefined ? "by" : "from"],
    raw?.from ?? PACK_DEFAULTS.charges.appointmentMatching.from,
    "claim",
  );
  if (!from) return undefined;
  if (by === "practiceId") return { by, from };
  const name = raw?.externalId;
  const externalId =
    name === undefined
      ? appointmentIds.find((id) => id.useForMatching)
      : appointmentIds.find((id) => id.name === name);
  if (!externalId) {
    if (appointmentIdUncompiled(ctx, appointmentIds, name)) return undefined;
    ctx.fail(
      [...path, name === undefined ? "by" : "externalId"],
      "OPTION_DEPENDENCY",
      name === undefined
        ? "charges.appointmentMatching.by externalId needs an appointment external ID: name one with charges.appointmentMatching.externalId, or set useForMatching on one in externalIds.appointment (Table 6)"
        : `charges.appointmentMatching.externalId '${name}' is not an entry of externalIds.appointment (Table 6 – Appointment-level custom fields)${appointmentIds.length ? `; the pack has ${appointmentIds.map((i) => i.name).join(", ")}` : ""}`,
    );
    return undefined;
  }
  return { by, from, externalId };
}

/** `a`, `a and b`, `a, b and c`. */
function words(list: readonly string[]): string {
  return list.length <= 1
    ? list.join("")
    : `${list.slice(0, -1).join(", ")} and ${list[list.length - 1]}`;
}
